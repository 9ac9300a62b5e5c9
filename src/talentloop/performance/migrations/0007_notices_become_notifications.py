"""The alerts page's notices become notifications: one inbox for every app.

Each ``PerformanceNotice`` becomes a ``Notification`` (same recipient, text, data, link, time and
read mark) under the kind and dedupe key the old bridge used, so a notice it had already handed to
the inbox is not copied twice: the existing notification only takes the notice's read mark. The
next migration drops the notice table; nothing is deleted here.
"""

from django.db import migrations

# PerformanceNotice.kind → notification kind (as the bridge mapped them).
KINDS = {"alert_opened": "alert_opened", "review_opened": "root_cause_review", "review_digest": "root_cause_digest"}
BATCH = 500


def _key(notice) -> str:
    if notice.alert_id:
        return f"alert:{notice.alert_id}"
    if notice.review_id:
        return f"root-cause:{notice.review_id}"
    return f"performance-notice:{notice.pk}"


def notices_to_notifications(apps, schema_editor):
    Notice = apps.get_model("performance", "PerformanceNotice")
    Notification = apps.get_model("notifications", "Notification")
    last = 0
    while True:
        batch = list(Notice.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        wanted = {}
        for notice in batch:
            kind = KINDS.get(notice.kind)
            if kind is not None:
                wanted.setdefault((notice.recipient_id, kind, _key(notice)), notice)
        existing = {(n.recipient_id, n.kind, n.dedupe_key): n for n in Notification.objects.filter(
            recipient_id__in={r for r, _k, _d in wanted}, dedupe_key__in={d for _r, _k, d in wanted})}
        new, read = [], []
        for (recipient, kind, key), notice in wanted.items():
            told = existing.get((recipient, kind, key))
            if told is None:
                new.append(Notification(recipient_id=recipient, kind=kind, data=notice.data or {},
                                        text=(notice.text or "")[:500], link=(notice.link or "")[:300],
                                        dedupe_key=key, created_at=notice.created_at, read_at=notice.read_at))
            elif notice.read_at is not None and told.read_at is None:
                told.read_at = notice.read_at
                read.append(told)
        Notification.objects.bulk_create(new, batch_size=BATCH)
        Notification.objects.bulk_update(read, ["read_at"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("performance", "0006_encrypted_row_uid"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(notices_to_notifications, migrations.RunPython.noop)]
