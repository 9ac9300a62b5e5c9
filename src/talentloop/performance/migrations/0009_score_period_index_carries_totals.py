# The period index of the scores carries their totals and ratings (INCLUDE, on PostgreSQL), so a
# team's figures for a month are read from the index alone, never from the wide score rows.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organisation', '0005_employmentcontract'),
        ('performance', '0008_delete_performancenotice'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='score',
            name='score_period_emp',
        ),
        migrations.AddIndex(
            model_name='score',
            index=models.Index(fields=['period_key', 'employee'], include=('total', 'rating'),
                               name='score_period_emp_totals'),
        ),
    ]
