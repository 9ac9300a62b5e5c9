"""The shared cache replaces the generation tokens (core.cache): the token table goes and the database
cache's table is created here, whatever the cache configured today, so that switching from Redis to the
database cache later needs no extra step."""

from django.conf import settings
from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # createcachetable's own method: the table Django's DatabaseCache expects, created only when missing.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, settings.CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(settings.CACHE_TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_generations"),
    ]

    operations = [
        migrations.DeleteModel(name="Generation"),
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
