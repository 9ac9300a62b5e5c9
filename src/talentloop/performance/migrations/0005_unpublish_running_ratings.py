"""Review ratings count once their cycle is closed. Ratings that an earlier version wrote as facts
when a review was submitted in a cycle that is still open or in calibration are taken back (the
reviews keep them; closing the cycle publishes them again), and the scores they touched are marked
for recomputation."""

from django.db import migrations
from django.utils import timezone


def unpublish(apps, schema_editor):
    from talentloop.performance import periods as P

    QualitativeRating = apps.get_model("performance", "QualitativeRating")
    RecomputeMark = apps.get_model("performance", "RecomputeMark")
    running = QualitativeRating.objects.filter(review__isnull=False).exclude(review__cycle__status="closed")
    pairs = set()
    for employee_id, period_key in running.values_list("employee_id", "review__cycle__period_key").distinct():
        try:
            period = P.parse(period_key)
        except ValueError:
            continue
        pairs.add((employee_id, period.key))
        pairs.update((employee_id, m.key) for m in period.months_in())
    running.delete()
    now = timezone.now()
    RecomputeMark.objects.bulk_create([RecomputeMark(employee_id=e, period_key=k, marked_at=now) for e, k in pairs],
                                      batch_size=1000, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("performance", "0004_notice_review_digest")]

    operations = [migrations.RunPython(unpublish, migrations.RunPython.noop)]
