"""Mentoring's notices become notifications: one inbox for every app.

Each ``MentoringNotice`` becomes a ``Notification`` (same recipient, text, data, link, time and read
mark; the plan and item it named are kept in its data, where the mentoring pages and API read them)
under the kind and dedupe key the old bridge used, so a notice it had already handed to the inbox
is not copied twice: the existing notification takes the notice's read mark and plan and item. The
next migration drops the notice table; nothing is deleted here.
"""

from django.db import migrations

# MentoringNotice.kind → notification kind (as the bridge mapped them; plan decisions split below).
KINDS = {"reminder": "session_due", "overdue": "item_overdue", "invitation": "mentoring_invitation",
         "application": "application_decided", "plan_submitted": "plan_submitted", "survey": "survey_due"}
BATCH = 500


def _kind(notice) -> str | None:
    if notice.kind == "plan_decided":
        return "plan_returned" if (notice.data or {}).get("decision") == "returned" else "plan_approved"
    return KINDS.get(notice.kind)


def _refs(notice) -> dict:
    refs = {}
    if notice.plan_id is not None:
        refs["plan_id"] = notice.plan_id
    if notice.item_id is not None:
        refs["item_id"] = notice.item_id
    return refs


def notices_to_notifications(apps, schema_editor):
    Notice = apps.get_model("mentoring", "MentoringNotice")
    Notification = apps.get_model("notifications", "Notification")
    last = 0
    while True:
        batch = list(Notice.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        wanted = {}
        for notice in batch:
            kind = _kind(notice)
            if kind is not None:
                wanted[(notice.recipient_id, kind, f"mentoring-notice:{notice.pk}")] = notice
        existing = {(n.recipient_id, n.kind, n.dedupe_key): n for n in Notification.objects.filter(
            recipient_id__in={r for r, _k, _d in wanted}, dedupe_key__in={d for _r, _k, d in wanted})}
        new, changed = [], []
        for (recipient, kind, key), notice in wanted.items():
            data = {**(notice.data if isinstance(notice.data, dict) else {}), **_refs(notice)}
            told = existing.get((recipient, kind, key))
            if told is None:
                new.append(Notification(recipient_id=recipient, kind=kind, data=data,
                                        text=(notice.text or "")[:500], link=(notice.link or "")[:300],
                                        dedupe_key=key, created_at=notice.created_at, read_at=notice.read_at))
                continue
            told.data = {**(told.data if isinstance(told.data, dict) else {}), **_refs(notice)}
            if notice.read_at is not None and told.read_at is None:
                told.read_at = notice.read_at
            changed.append(told)
        Notification.objects.bulk_create(new, batch_size=BATCH)
        Notification.objects.bulk_update(changed, ["data", "read_at"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0003_encrypted_row_uid"),
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(notices_to_notifications, migrations.RunPython.noop)]
