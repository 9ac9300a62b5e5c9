"""Mentee surveys: sent by the daily job during and at the end of a plan, answered privately.

When a survey is due (``EffectivenessConfig``):

- *during* a plan: every ``survey_every_months`` months after the start, while that date is before
  the plan's end (a 6-month plan from 15 Jan with a 3-month rhythm: 15 Apr);
- at the *end*: on the plan's end date.

The daily job (``send_due_surveys``, one of ``cadence.DAILY_JOBS``) sends each survey by the first
run on or after its date while it is still open (``survey_open_days``), so a missed run catches up
but an old plan recorded late does not flood its mentee. The unique (plan, occasion, sequence)
makes a second run for the same date — or two runs at once — send nothing twice.

Answers are confidential: the service stores them without ever returning them to anyone but the
mentee, the audit entry records that a survey was answered but not what was answered, and the
comment is encrypted at rest.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.mentoring import access
from talentloop.mentoring.growth import add_months
from talentloop.mentoring.models import (
    MenteeSurvey,
    MentoringPlan,
    PlanStatus,
    SurveyAnswer,
    SurveyOccasion,
)
from talentloop.mentoring.notification_kinds import SURVEY_DUE
from talentloop.mentoring.selectors_effectiveness import current_config
from talentloop.notifications.services import Item, notify_each

SURVEYED_STATUSES = (PlanStatus.ACTIVE, PlanStatus.COMPLETED)
COMMENT_MAX = 2000


def survey_occasions(starts_on: dt.date, ends_on: dt.date, every_months: int) -> list[tuple[str, int, dt.date]]:
    """(occasion, sequence, date) of every survey of a plan: during it every ``every_months`` months
    from the start while before the end, and one at the end.

    >>> survey_occasions(dt.date(2025, 1, 15), dt.date(2025, 7, 15), 3)
    [('during', 1, datetime.date(2025, 4, 15)), ('end', 1, datetime.date(2025, 7, 15))]
    """
    out: list[tuple[str, int, dt.date]] = []
    k = 1
    while True:
        day = add_months(starts_on, k * every_months)
        if day >= ends_on:
            break
        out.append((SurveyOccasion.DURING, k, day))
        k += 1
    out.append((SurveyOccasion.END, 1, ends_on))
    return out


@transaction.atomic
def send_due_surveys(as_of: dt.date) -> int:
    """Send every survey due as of ``as_of`` and still open, once. Returns the number sent.

    Three queries and two bulk inserts, whatever the number of plans."""
    config = current_config()
    window = dt.timedelta(days=config.survey_open_days)
    earliest = as_of - window  # a survey scheduled before this is closed: never sent late
    plans = list(MentoringPlan.objects.filter(status__in=SURVEYED_STATUSES, starts_on__lt=as_of,
                                              ends_on__gte=earliest)
                 .values_list("pk", "mentee_id", "starts_on", "ends_on"))
    if not plans:
        return 0
    due: list[MenteeSurvey] = []
    for pk, _mentee, start, end in plans:
        for occasion, sequence, day in survey_occasions(start, end, config.survey_every_months):
            if earliest < day <= as_of:
                due.append(MenteeSurvey(plan_id=pk, occasion=occasion, sequence=sequence, scheduled_on=day,
                                        sent_on=as_of, closes_on=day + window))
    if not due:
        return 0
    plan_ids = sorted({s.plan_id for s in due})
    existing: set[tuple[int, str, int]] = set()
    for i in range(0, len(plan_ids), 5000):
        existing.update(MenteeSurvey.objects.filter(plan_id__in=plan_ids[i:i + 5000])
                        .values_list("plan_id", "occasion", "sequence"))
    new = [s for s in due if (s.plan_id, s.occasion, s.sequence) not in existing]
    if not new:
        return 0
    MenteeSurvey.objects.bulk_create(new, ignore_conflicts=True, batch_size=2000)
    # Fetch what this run created (ignore_conflicts leaves the primary keys unset on SQLite).
    created = list(MenteeSurvey.objects.filter(plan_id__in=[s.plan_id for s in new], sent_on=as_of)
                   .values_list("pk", "plan_id", "plan__mentee_id", "occasion", "closes_on"))
    # The key names the survey: it is told once, whatever runs again.
    notify_each(kind=SURVEY_DUE.key, items=[
        Item(mentee, {"survey": pk, "occasion": occasion, "closes_on": closes.isoformat(), "plan_id": plan_id},
             reverse("mentoring:survey-answer", args=[pk]), f"survey:{pk}")
        for pk, plan_id, mentee, occasion, closes in created])
    audit_record(actor=None, action="execute", entity_type="mentoring.menteesurvey",
                 summary=f"surveys sent as of {as_of.isoformat()}: {len(created)}")
    return len(created)


@transaction.atomic
def survey_answer(*, actor: Actor, survey: MenteeSurvey, on_time: bool, content_fits: bool,
                  problems_solved: bool, comment: str = "") -> SurveyAnswer:
    """The mentee answers, once, while the survey is open."""
    survey = (MenteeSurvey.objects.select_for_update(of=("self",)).select_related("plan").get(pk=survey.pk))
    today = timezone.localdate()
    if not access.visible_surveys(actor).filter(pk=survey.pk).exists():
        raise PermissionDenied(_("Only the mentee answers this survey."))
    if access.survey_answered(survey):
        raise Conflict(_("You have already answered this survey."))
    if not access.can_answer_survey(actor, survey, today):
        raise Conflict(_("This survey is closed."))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(_("Please correct the errors below."),
                           {"comment": [_("At most %(max)s characters.") % {"max": COMMENT_MAX}]})
    if "\x00" in comment:
        raise InvalidInput(_("Please correct the errors below."), {"comment": [_("This text is not valid.")]})
    answer = SurveyAnswer(survey=survey, on_time=bool(on_time), content_fits=bool(content_fits),
                          problems_solved=bool(problems_solved), comment=comment)
    try:
        with transaction.atomic():
            answer.save()
    except IntegrityError as exc:
        raise Conflict(_("You have already answered this survey.")) from exc
    # What was answered is never recorded outside the answer itself.
    audit_record(actor=actor, action="create", entity_type="mentoring.surveyanswer", entity_id=str(answer.pk),
                 entity_label=f"survey {survey.pk}", summary="survey answered")
    return answer
