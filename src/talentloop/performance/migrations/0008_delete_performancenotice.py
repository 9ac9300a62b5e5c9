"""The notice table goes once its rows are notifications (0007)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("performance", "0007_notices_become_notifications")]

    operations = [migrations.DeleteModel(name="PerformanceNotice")]
