"""The demo's story across the apps, loaded last (``talentloop demo``), so that every role opens pages
that have something to show:

* Web Push keys (VAPID), so the push toggle works on the first visit;
* alert rules for the service hotline's slower first responses and fewer resolved tickets, checked as of
  the reference date, so a few alerts are open for HR and the managers;
* feedback between colleagues (praise and a suggestion) for ``employee``, ``newgrad`` and ``mentor``;
* mentee survey answers for the mentors with at least as many mentees as the confidentiality floor, so
  their survey results are shown (fewer mentees would rightly be withheld).

Everything goes through the services except the survey answers of past plans, which are written as the
facts they would have been (a survey is only answerable while it is open).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.core.access import actor_for
from talentloop.mentoring.models import MenteeSurvey, MentoringPlan, PlanStatus, SurveyAnswer
from talentloop.mentoring.selectors_effectiveness import current_config
from talentloop.notifications.channel_services import vapid_keys_generate
from talentloop.notifications.models import VapidKeys
from talentloop.organisation.models import Employee, OrgUnit
from talentloop.performance.models import Alert, AlertRule, AlertStatus, Metric
from talentloop.performance.services.alerts import alert_rule_save, alerts_evaluate
from talentloop.performance.services.feedback import feedback_give

AREA_RULES = (
    # (name, English name, metric key, unit code, threshold %)
    ("客服热线首次响应变慢", "Hotline first responses slower", "first-response-minutes", "service-hotline", 20),
    ("客服热线解决工单减少", "Hotline resolves fewer tickets", "tickets-resolved", "service-hotline", 15),
)
FEEDBACK = (
    # (giver, recipient, kind, text)
    ("mentor", "employee", "praise", "上周的线上故障你定位得又快又准，复盘文档也写得很清楚，谢谢！"),
    ("employee", "newgrad", "praise", "代码评审里的问题改得很快，新接口的测试写得很完整。"),
    ("mentor", "newgrad", "suggestion", "提交前先在本地跑一遍完整的测试，可以少走一些弯路。"),
    ("newgrad", "mentor", "praise", "每次一对一都很有收获，尤其是关于系统设计的讲解。"),
    ("employee", "mentor", "praise", "帮我梳理了缓存方案的取舍，节省了很多时间。"),
)


@dataclass
class StoryDemoResult:
    vapid: bool = False
    rules: int = 0
    open_alerts: int = 0
    feedback: int = 0
    survey_answers: int = 0
    surveyed_mentors: int = 0


def story_loaded() -> bool:
    return AlertRule.objects.exists()


def wipe_story() -> None:
    """The story's rows go with their apps (performance, mentoring); the Web Push keys are the
    organisation's and stay."""


def summary(result: StoryDemoResult) -> str:
    return (
        f"Loaded the demo story: {result.rules} alert rules with {result.open_alerts} open alerts, "
        f"{result.feedback} feedback notes, {result.survey_answers} mentee survey answers for "
        f"{result.surveyed_mentors} mentors" + (", Web Push keys." if result.vapid else ".")
    )


def _actor(username: str):

    user = User.objects.filter(username=username).first()
    return actor_for(user) if user is not None else None


def _vapid() -> bool:

    if VapidKeys.objects.exists():
        return False
    vapid_keys_generate(actor=None, subject=f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    return True


def _alerts(hr, ref: dt.date, result: StoryDemoResult) -> None:

    metrics = {m.key: m for m in Metric.objects.filter(key__in=[r[2] for r in AREA_RULES])}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[r[3] for r in AREA_RULES])}
    for name, name_en, key, unit, threshold in AREA_RULES:
        if key not in metrics:
            continue
        alert_rule_save(
            actor=hr,
            data={
                "name": name,
                "name_en": name_en,
                "metric": metrics[key],
                "org_unit": units.get(unit),
                "window": "period",
                "period_kind": "month",
                "baseline": "mean",
                "baseline_count": 3,
                "threshold_kind": "relative",
                "threshold": Decimal(threshold),
                "notify_employee": False,
            },
        )
        result.rules += 1
    alerts_evaluate(actor=None, as_of=ref)
    result.open_alerts = Alert.objects.filter(status=AlertStatus.OPEN).count()


def _feedback(result: StoryDemoResult) -> None:

    people = {
        e.user.username: e
        for e in Employee.objects.select_related("user").filter(
            user__username__in={u for row in FEEDBACK for u in row[:2]}
        )
    }
    for giver, recipient, kind, text in FEEDBACK:
        actor = _actor(giver)
        if actor is None or recipient not in people:
            continue
        feedback_give(actor=actor, recipient=people[recipient], text=text, kind=kind)
        result.feedback += 1


def _surveys(rng: random.Random, ref: dt.date, result: StoryDemoResult) -> None:
    """Answers over the confidentiality floor for each mentor who has that many mentees: one survey per
    plan (at its midpoint or, for a running plan, last month) answered by its mentee."""
    floor = max(3, int(getattr(current_config(), "min_answers", 3) or 3))
    statuses = [PlanStatus.ACTIVE, PlanStatus.COMPLETED]
    mentors = [
        m
        for m, n in MentoringPlan.objects.filter(status__in=statuses)
        .values("mentor")
        .annotate(n=Count("mentee", distinct=True))
        .values_list("mentor", "n")
        if n >= floor
    ]
    plans = list(
        MentoringPlan.objects.filter(mentor__in=mentors, status__in=statuses, starts_on__lt=ref)
        .exclude(surveys__isnull=False)
        .order_by("pk")
    )
    surveys = []
    for plan in plans:
        end = min(plan.ends_on, ref - dt.timedelta(days=20))
        day = plan.starts_on + (end - plan.starts_on) / 2 if end > plan.starts_on else plan.starts_on
        surveys.append(
            MenteeSurvey(
                plan=plan,
                occasion="during",
                sequence=1,
                scheduled_on=day,
                sent_on=day,
                closes_on=day + dt.timedelta(days=14),
            )
        )
    MenteeSurvey.objects.bulk_create(surveys)
    created = list(MenteeSurvey.objects.filter(plan__in=plans).order_by("pk"))
    # Mostly content, with some no's, as real answers are.
    answers = [
        SurveyAnswer(
            survey=s, on_time=n % 5 != 3, content_fits=n % 3 != 1, problems_solved=n % 4 != 2 and rng.random() < 0.95
        )
        for n, s in enumerate(created)
    ]
    SurveyAnswer.objects.bulk_create(answers)
    when = {s.pk: dt.datetime.combine(s.sent_on + dt.timedelta(days=2), dt.time(2), tzinfo=dt.UTC) for s in created}
    for answer in SurveyAnswer.objects.filter(survey__in=created):
        SurveyAnswer.objects.filter(pk=answer.pk).update(answered_at=when[answer.survey_id])
    result.survey_answers = len(answers)
    result.surveyed_mentors = len(mentors)


def load_story(*, seed: int = 1, reference_date: dt.date | None = None) -> StoryDemoResult:
    result = StoryDemoResult()
    if story_loaded():
        return result
    ref = reference_date or timezone.localdate()
    hr = _actor("hr")
    if hr is None:
        return result
    rng = random.Random(seed * 104729 + 17)
    with transaction.atomic():
        result.vapid = _vapid()
        _alerts(hr, ref, result)
        _feedback(result)
        _surveys(rng, ref, result)
    return result
