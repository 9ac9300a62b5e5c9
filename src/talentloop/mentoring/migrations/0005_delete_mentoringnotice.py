"""The notice table goes once its rows are notifications (0004)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("mentoring", "0004_notices_become_notifications")]

    operations = [migrations.DeleteModel(name="MentoringNotice")]
