from django.db import migrations, models

BATCH = 1000


def fill_search_keys(apps, schema_editor):
    """Keys for the people already there, a batch at a time (pinyin cannot be computed in SQL)."""
    from talentloop.organisation.search import search_key

    Employee = apps.get_model("organisation", "Employee")
    rows = Employee.objects.order_by("pk").values_list("pk", "employee_number", "name", "name_en")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        Employee.objects.bulk_update(
            [
                Employee(pk=pk, search_key=search_key(employee_number=number, name=name, name_en=name_en))
                for pk, number, name, name_en in batch
            ],
            ["search_key"],
            batch_size=BATCH,
        )
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0002_employee_manager_path_like"),
    ]

    operations = [
        migrations.AddField(
            model_name="employee",
            name="search_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=400),
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop, elidable=True),
    ]
