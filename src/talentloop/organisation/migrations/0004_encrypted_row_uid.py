"""A per-row uid for the rows holding encrypted values (national ID, bank account): encrypted values are bound to
table, column and this uid, so a value cannot be moved to another row. Existing rows get a uid each (a
column default would give every row the same one); the column becomes unique and required afterwards.
Existing values are rewritten into the new envelope at the end of ``migrate`` (``core.crypto.rewrap``)."""

import uuid

from django.db import migrations, models

MODELS = ["Employee"]


def fill_row_uids(apps, schema_editor):
    for name in MODELS:
        model = apps.get_model("organisation", name)
        rows = list(model._default_manager.filter(row_uid__isnull=True).only("pk"))
        for row in rows:
            row.row_uid = uuid.uuid4()
        model._default_manager.bulk_update(rows, ["row_uid"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("organisation", "0003_employee_search_key")]

    operations = [
        migrations.AddField(
            model_name="employee",
            name="row_uid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_row_uids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="employee",
            name="row_uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
