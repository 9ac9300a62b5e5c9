"""On PostgreSQL, the scores are vacuumed after every 2 % of their rows changed (the default waits for
20 %): observations arriving all day rewrite this month's scores, and a team's month is counted from
the period index alone (0009) only where the visibility map says the rows are settled. With the
default, a company of 10,000 people with three years of history would wait for about 95,000 rewritten
scores before that map is renewed; with 2 %, about 10,000. Nothing changes on SQLite."""

from django.db import migrations

SETTINGS = "autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02"


def sooner(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE performance_score SET ({SETTINGS})")


def as_before(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE performance_score RESET (autovacuum_vacuum_scale_factor, "
                              "autovacuum_analyze_scale_factor)")


class Migration(migrations.Migration):

    dependencies = [
        ("performance", "0009_score_period_index_carries_totals"),
    ]

    operations = [migrations.RunPython(sooner, as_before, elidable=False)]
