"""Mentor qualification: policy versions, screening against real data, applications and HR's
decisions, invitations, mentors and certifications.

Screening is set-based: ``screen_employees`` evaluates every criterion for any number of people
with a handful of queries (ratings, mentoring history, growth of past mentees, certifications),
so "who qualifies now" over the whole company is as cheap as one application.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.accounts.models import Role, RoleAssignment
from talentloop.core import cache
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, errors_from_validation
from talentloop.mentoring import access
from talentloop.mentoring.growth import rating_growths
from talentloop.mentoring.models import (
    CRITERION_DEFAULTS,
    CriterionKey,
    CriterionStatus,
    Mentor,
    MentorApplication,
    MentorCertification,
    MentoringPlan,
    MentorInvitation,
    MentorPolicy,
    PlanStatus,
    SkillAssessment,
)
from talentloop.mentoring.notification_kinds import APPLICATION_DECIDED, MENTORING_INVITATION
from talentloop.notifications.services import Item, notify_each
from talentloop.organisation.models import Employee
from talentloop.performance.selectors import period_ratings

PASSED, FAILED, NO_DATA = CriterionStatus.PASSED.value, CriterionStatus.FAILED.value, CriterionStatus.NO_DATA.value
CHUNK = 5000  # ids per IN (...) list


def _clean(obj: models.Model, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc


def _today() -> dt.date:
    return timezone.localdate()


def _full_months(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is before ``start``)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
    return max(months, 0)


def _years_label(months: int) -> str:
    return str((Decimal(months) / 12).quantize(Decimal("0.1")))


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


# Above this many people a query reads the whole (small) table and keeps the wanted rows in Python:
# cheaper than binding thousands of parameters, and the same result.
WHOLE_TABLE_ABOVE = 2000


def _for_people(qs: QuerySet, field: str, ids: list[int]) -> QuerySet:
    return qs if len(ids) > WHOLE_TABLE_ABOVE else qs.filter(**{f"{field}__in": ids})


# ---------------------------------------------------------------- policy


def current_policy() -> MentorPolicy | None:
    return MentorPolicy.objects.order_by("-version").first()


def current_policy_kept() -> MentorPolicy | None:
    """The current policy for reading only (the home page screens every visitor against it), kept in
    the shared cache while the configuration does not change (see core.cache)."""
    return cache.cached(("mentoring.current_policy",), current_policy, depends=("mentoring",))


def _dec(value: Any, low: Decimal, high: Decimal) -> Decimal:
    try:
        out = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValueError(_("Enter a number.")) from exc
    if not out.is_finite() or out < low or out > high:
        raise ValueError(_("Enter a number between %(low)s and %(high)s.") % {"low": low, "high": high})
    return out


def _int(value: Any, low: int, high: int) -> int:
    try:
        out = int(str(value))
    except (ValueError, TypeError) as exc:
        raise ValueError(_("Enter a whole number.")) from exc
    if out < low or out > high:
        raise ValueError(_("Enter a whole number between %(low)s and %(high)s.") % {"low": low, "high": high})
    return out


# key -> {param: (parser, args)}; values are stored as strings (decimals) or ints.
_PARAM_RULES: dict[str, dict[str, Callable[[Any], Any]]] = {
    CriterionKey.ANNUAL_RATING_MIN: {"min": lambda v: str(_dec(v, Decimal(1), Decimal(5))),
                                     "years": lambda v: _int(v, 1, 10)},
    CriterionKey.MENTORING_EXPERIENCE_YEARS: {"years": lambda v: str(_dec(v, Decimal(0), Decimal(40)))},
    CriterionKey.SUCCESSFUL_MENTEES: {"count": lambda v: _int(v, 1, 50),
                                      "growth_min_pct": lambda v: str(_dec(v, Decimal(-100), Decimal(1000)))},
    CriterionKey.CERTIFICATION: {"course": lambda v: _slug(v),
                                 "min_score": lambda v: str(_dec(v, Decimal(0), Decimal(100)))},
    CriterionKey.TENURE_YEARS: {"years": lambda v: str(_dec(v, Decimal(0), Decimal(50)))},
    CriterionKey.LEVEL_MIN: {"level": lambda v: _int(v, 1, 20)},
}


def _slug(value: Any) -> str:
    text = str(value or "").strip()
    try:
        validate_slug(text)
    except ValidationError as exc:
        raise ValueError(_("Use letters, numbers, hyphens and underscores.")) from exc
    return text


def normalise_criteria(criteria: list[dict]) -> list[dict]:
    """Validated ``[{key, params}]`` with every parameter present and typed; raises InvalidInput."""
    errors: dict[str, list[str]] = {}
    out: list[dict] = []
    seen: set[str] = set()
    if not criteria:
        errors["criteria"] = [_("A policy needs at least one criterion.")]
    for i, item in enumerate(criteria or []):
        key = str((item or {}).get("key", ""))
        if key not in CRITERION_DEFAULTS:
            errors[f"criteria.{i}.key"] = [_("Unknown criterion “%(key)s”.") % {"key": key}]
            continue
        if key in seen:
            errors[f"criteria.{i}.key"] = [_("The criterion “%(key)s” is listed twice.") % {"key": key}]
            continue
        seen.add(key)
        given = (item or {}).get("params") or {}
        if not isinstance(given, dict):
            errors[f"criteria.{i}.params"] = [_("Parameters must be an object.")]
            continue
        unknown = set(given) - set(_PARAM_RULES[key])
        if unknown:
            errors[f"criteria.{i}.params"] = [_("Unknown parameter(s): %(names)s.")
                                              % {"names": ", ".join(sorted(unknown))}]
            continue
        params: dict[str, Any] = {}
        for name, parse in _PARAM_RULES[key].items():
            raw = given.get(name, CRITERION_DEFAULTS[key][name])
            try:
                params[name] = parse(raw)
            except ValueError as exc:
                errors[f"criteria.{i}.params.{name}"] = [str(exc)]
        out.append({"key": key, "params": params})
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    return out


@transaction.atomic
def mentor_policy_create(
    *, actor: Actor, criteria: list[dict], allow_management_chain: bool = False, default_capacity: int = 3,
    reminder_days: int = 5, escalate_after_days: int = 1, note: str = "",
) -> MentorPolicy:
    """A new version of the policy; applications keep the version they were screened with."""
    if not access.can_manage_mentoring(actor):
        raise PermissionDenied(_("Only HR sets the mentor policy."))
    latest = MentorPolicy.objects.select_for_update().order_by("-version").first()
    policy = MentorPolicy(version=(latest.version + 1) if latest else 1, criteria=normalise_criteria(criteria),
                          allow_management_chain=allow_management_chain, default_capacity=default_capacity,
                          reminder_days=reminder_days, escalate_after_days=escalate_after_days, note=note,
                          created_by=actor.user)
    _clean(policy)
    policy.save()
    audit_record(actor=actor, action="create", obj=policy, summary=f"mentor policy v{policy.version}",
                 changes={"criteria": policy.criteria, "allow_management_chain": allow_management_chain,
                          "default_capacity": default_capacity, "reminder_days": reminder_days,
                          "escalate_after_days": escalate_after_days})
    return policy


# ---------------------------------------------------------------- screening


def _result(key: str, status: str, evidence: dict) -> dict:
    return {"key": key, "status": status, "evidence": evidence}


def _crit_annual_rating(params: dict, people: list[Employee], as_of: dt.date) -> dict[int, dict]:
    minimum = Decimal(params["min"])
    years = [str(as_of.year - i) for i in range(int(params["years"]), 0, -1)]  # oldest first
    ratings: dict[tuple[int, str], Decimal] = {}
    for ids in _chunks([p.pk for p in people]):
        ratings.update(period_ratings(ids, years))
    out = {}
    for person in people:
        rows, statuses = [], []
        for year in years:
            rating = ratings.get((person.pk, year))
            ok = None if rating is None else rating >= minimum
            statuses.append(ok)
            rows.append({"year": year, "rating": None if rating is None else str(rating), "ok": ok})
        if any(s is False for s in statuses):
            status = FAILED
        elif all(s is True for s in statuses):
            status = PASSED
        else:
            status = NO_DATA
        out[person.pk] = _result(CriterionKey.ANNUAL_RATING_MIN, status, {"min": str(minimum), "years": rows})
    return out


def _mentoring_history(people_ids: list[int], as_of: dt.date) -> tuple[dict[int, dt.date], dict[int, list[dict]]]:
    """First mentoring date and the plans each person mentored (approved, active or completed)."""
    first: dict[int, dt.date] = {}
    plans: dict[int, list[dict]] = defaultdict(list)
    wanted = set(people_ids)
    for emp_id, since in _for_people(Mentor.objects.all(), "employee_id", people_ids).values_list(
            "employee_id", "since"):
        if emp_id in wanted and since <= as_of:
            first[emp_id] = min(first.get(emp_id, since), since)
    rows = (_for_people(MentoringPlan.objects.filter(
        starts_on__lte=as_of, status__in=[PlanStatus.APPROVED, PlanStatus.ACTIVE, PlanStatus.COMPLETED]),
        "mentor__employee_id", people_ids)
        .values("mentor__employee_id", "mentee_id", "mentee__name", "mentee__name_en",
                "mentee__employee_number", "starts_on", "id")
        .order_by("starts_on", "id"))
    for row in rows:
        emp_id = row["mentor__employee_id"]
        if emp_id not in wanted:
            continue
        first[emp_id] = min(first.get(emp_id, row["starts_on"]), row["starts_on"])
        plans[emp_id].append(row)
    return first, plans


def _crit_experience(params: dict, people: list[Employee], as_of: dt.date, history: tuple) -> dict[int, dict]:
    first, plans = history
    required = Decimal(params["years"])
    out = {}
    for person in people:
        since = first.get(person.pk)
        if since is None:
            out[person.pk] = _result(CriterionKey.MENTORING_EXPERIENCE_YEARS, NO_DATA,
                                     {"required": str(required), "since": None, "years": None, "plans": 0})
            continue
        months = _full_months(since, as_of)
        status = PASSED if Decimal(months) >= required * 12 else FAILED
        out[person.pk] = _result(CriterionKey.MENTORING_EXPERIENCE_YEARS, status,
                                 {"required": str(required), "since": since.isoformat(),
                                  "years": _years_label(months), "plans": len(plans.get(person.pk, []))})
    return out


def _crit_successful_mentees(params: dict, people: list[Employee], as_of: dt.date,
                             history: tuple) -> dict[int, dict]:
    _first, plans = history
    count = int(params["count"])
    threshold = Decimal(params["growth_min_pct"])
    growths = rating_growths([(row["mentee_id"], row["starts_on"]) for rows in plans.values() for row in rows],
                             as_of=as_of)
    out = {}
    for person in people:
        mentees: dict[int, dict] = {}
        for row in plans.get(person.pk, []):
            g = growths.get((row["mentee_id"], row["starts_on"]))
            ok = None if g is None or g.pct is None else g.pct >= threshold
            entry = {"mentee": row["mentee__name_en"] or row["mentee__name"], "mentee_name": row["mentee__name"],
                     "employee_number": row["mentee__employee_number"], "plan_start": row["starts_on"].isoformat(),
                     "before_key": g.before_key if g else None, "before": str(g.before) if g else None,
                     "after_key": g.after_key if g else None, "after": str(g.after) if g else None,
                     "growth_pct": str(g.pct) if g and g.pct is not None else None, "ok": ok}
            previous = mentees.get(row["mentee_id"])
            # One mentee counts once: their best-evidenced plan (a success beats unknown beats a miss).
            rank = {True: 2, None: 1, False: 0}
            if previous is None or rank[ok] > rank[previous["ok"]]:
                mentees[row["mentee_id"]] = entry
        successes = sum(1 for m in mentees.values() if m["ok"] is True)
        unknown = sum(1 for m in mentees.values() if m["ok"] is None)
        if successes >= count:
            status = PASSED
        elif not mentees or successes + unknown >= count:
            status = NO_DATA
        else:
            status = FAILED
        out[person.pk] = _result(CriterionKey.SUCCESSFUL_MENTEES, status,
                                 {"required": count, "growth_min_pct": str(threshold), "successful": successes,
                                  "mentees": list(mentees.values())})
    return out


def _crit_certification(params: dict, people: list[Employee], as_of: dt.date) -> dict[int, dict]:
    course = params["course"]
    minimum = Decimal(params["min_score"])
    certs: dict[int, list[dict]] = defaultdict(list)
    tests: dict[int, list[dict]] = defaultdict(list)
    ids = [p.pk for p in people]
    wanted = set(ids)
    for emp_id, name, day, score in (_for_people(MentorCertification.objects.filter(course=course,
                                                                                   passed_on__lte=as_of),
                                                 "employee_id", ids)
                                     .values_list("employee_id", "name", "passed_on", "score")):
        if emp_id in wanted:
            certs[emp_id].append({"name": name, "passed_on": day.isoformat(),
                                  "score": None if score is None else str(score),
                                  "ok": score is None or score >= minimum})
    for emp_id, day, score in (_for_people(SkillAssessment.objects.filter(skill=course, assessed_on__lte=as_of),
                                           "employee_id", ids)
                               .values_list("employee_id", "assessed_on", "score")):
        if emp_id in wanted:
            tests[emp_id].append({"assessed_on": day.isoformat(), "score": str(score), "ok": score >= minimum})
    out = {}
    for person in people:
        rows = certs.get(person.pk, []) + tests.get(person.pk, [])
        if any(r["ok"] for r in rows):
            status = PASSED
        elif rows:
            status = FAILED
        else:
            status = NO_DATA
        out[person.pk] = _result(CriterionKey.CERTIFICATION, status,
                                 {"course": course, "min_score": str(minimum),
                                  "certifications": certs.get(person.pk, []),
                                  "assessments": tests.get(person.pk, [])})
    return out


def _crit_tenure(params: dict, people: list[Employee], as_of: dt.date) -> dict[int, dict]:
    required = Decimal(params["years"])
    out = {}
    for person in people:
        if person.hire_date is None or person.hire_date > as_of:
            out[person.pk] = _result(CriterionKey.TENURE_YEARS, NO_DATA, {"required": str(required),
                                                                          "hire_date": None, "years": None})
            continue
        months = _full_months(person.hire_date, as_of)
        out[person.pk] = _result(CriterionKey.TENURE_YEARS, PASSED if Decimal(months) >= required * 12 else FAILED,
                                 {"required": str(required), "hire_date": person.hire_date.isoformat(),
                                  "years": _years_label(months)})
    return out


def _crit_level(params: dict, people: list[Employee], as_of: dt.date) -> dict[int, dict]:
    required = int(params["level"])
    return {p.pk: _result(CriterionKey.LEVEL_MIN, PASSED if p.level >= required else FAILED,
                          {"required": required, "level": p.level}) for p in people}


def screen_employees(policy: MentorPolicy, people: list[Employee], *, as_of: dt.date | None = None
                     ) -> dict[int, list[dict]]:
    """Per person, the result of every criterion of ``policy`` in the policy's order:
    ``{"key", "status": passed|failed|no_data, "evidence": {...}}``. Needs ``hire_date`` and
    ``level`` on each person; a fixed number of queries whatever the number of people."""
    as_of = as_of or _today()
    people = list(people)
    results: dict[int, list[dict]] = {p.pk: [] for p in people}
    if not people:
        return results
    keys = [c["key"] for c in policy.criteria or []]
    history = None
    if CriterionKey.MENTORING_EXPERIENCE_YEARS in keys or CriterionKey.SUCCESSFUL_MENTEES in keys:
        history = _mentoring_history([p.pk for p in people], as_of)
    for key in keys:
        # Only the two criteria that read the history call this, and it was loaded for them above.
        per = _criterion(key, policy.criterion(key) or {}, people, as_of, lambda: cast(tuple, history))
        if per is None:  # pragma: no cover - normalise_criteria refuses unknown keys
            continue
        for emp_id, result in per.items():
            results[emp_id].append(result)
    return results


def _criterion(key: str, params: dict, people: list[Employee], as_of: dt.date,
               history: Callable[[], tuple]) -> dict[int, dict] | None:
    """One criterion's result per person (None for a key no criterion has); ``history`` gives the
    people's mentoring history for the two criteria that read it."""
    if key == CriterionKey.ANNUAL_RATING_MIN:
        return _crit_annual_rating(params, people, as_of)
    if key == CriterionKey.MENTORING_EXPERIENCE_YEARS:
        return _crit_experience(params, people, as_of, history())
    if key == CriterionKey.SUCCESSFUL_MENTEES:
        return _crit_successful_mentees(params, people, as_of, history())
    if key == CriterionKey.CERTIFICATION:
        return _crit_certification(params, people, as_of)
    if key == CriterionKey.TENURE_YEARS:
        return _crit_tenure(params, people, as_of)
    if key == CriterionKey.LEVEL_MIN:
        return _crit_level(params, people, as_of)
    return None


def qualifies(screening: list[dict]) -> bool:
    return bool(screening) and all(r["status"] == PASSED for r in screening)


# Criteria in the order of their cost for one person: the first two read only the employee record,
# the others query. ``person_qualifies`` stops at the first criterion not passed.
_CHEAP_FIRST = (CriterionKey.LEVEL_MIN, CriterionKey.TENURE_YEARS, CriterionKey.ANNUAL_RATING_MIN,
                CriterionKey.CERTIFICATION, CriterionKey.MENTORING_EXPERIENCE_YEARS, CriterionKey.SUCCESSFUL_MENTEES)


def person_qualifies(policy: MentorPolicy, person: Employee, *, as_of: dt.date | None = None) -> bool:
    """Whether one person meets every criterion of ``policy`` today — the same answer as
    ``qualifies(screen_employees(policy, [person])[person.pk])`` but without the queries of the
    criteria that no longer matter once one has failed (the home page asks this for every visit)."""
    as_of = as_of or _today()
    keys = [c["key"] for c in policy.criteria or []]
    if not keys:
        return False
    order = sorted(keys, key=lambda k: _CHEAP_FIRST.index(k) if k in _CHEAP_FIRST else len(_CHEAP_FIRST))
    history: list = []  # read once, by the first criterion that needs it

    def mentoring_history() -> tuple:
        if not history:
            history.append(_mentoring_history([person.pk], as_of))
        return history[0]

    for key in order:
        per = _criterion(key, policy.criterion(key) or {}, [person], as_of, mentoring_history)
        if per is None or per[person.pk]["status"] != PASSED:
            return False
    return True


# ---------------------------------------------------------------- applications


def _notify(recipient_id: int | None, kind: str, data: dict, link: str = "") -> None:
    """Tell one person through the notifications app (in this transaction; delivered after commit)."""
    if recipient_id is None:
        return
    notify_each(kind=kind, items=[Item(recipient_id, data, link)])


def _clean_tags(tags: Iterable[str] | str | None) -> list[str]:
    if isinstance(tags, str):
        tags = tags.replace("，", ",").split(",")
    out: list[str] = []
    for tag in tags or []:
        t = str(tag).strip()[:40]
        if t and t.lower() not in {x.lower() for x in out}:
            out.append(t)
    return out[:20]


@transaction.atomic
def mentor_application_submit(*, actor: Actor, motivation: str = "", expertise: Iterable[str] | str = (),
                              as_of: dt.date | None = None) -> MentorApplication:
    """An employee applies; the application is screened at once against the current policy."""
    if not access.can_apply_as_mentor(actor):
        raise PermissionDenied(_("Only employees can apply to become a mentor."))
    employee = Employee.objects.select_for_update().get(pk=actor.employee.pk)  # type: ignore[union-attr]
    policy = current_policy()
    if policy is None:
        raise Conflict(_("HR has not set a mentor policy yet."))
    if Mentor.objects.filter(employee=employee, active=True).exists():
        raise Conflict(_("You are already a mentor."))
    if MentorApplication.objects.filter(employee=employee, status=MentorApplication.Status.SUBMITTED).exists():
        raise Conflict(_("You already have an application waiting for HR."))
    screening = screen_employees(policy, [employee], as_of=as_of)[employee.pk]
    application = MentorApplication(
        employee=employee, policy=policy, motivation=(motivation or "").strip(), expertise=_clean_tags(expertise),
        screening=screening, screened_at=timezone.now(), qualifies=qualifies(screening),
        invitation=MentorInvitation.objects.filter(employee=employee, policy=policy).first())
    _clean(application)
    application.save()
    audit_record(actor=actor, action="create", obj=application, summary=f"applied under policy v{policy.version}",
                 changes={"qualifies": application.qualifies,
                          "screening": {r["key"]: r["status"] for r in screening}})
    return application


@transaction.atomic
def mentor_application_withdraw(*, actor: Actor, application: MentorApplication) -> MentorApplication:
    application = MentorApplication.objects.select_for_update().get(pk=application.pk)
    if actor.employee is None or application.employee_id != actor.employee.pk:
        raise PermissionDenied(_("Only the applicant can withdraw an application."))
    if application.status != MentorApplication.Status.SUBMITTED:
        raise Conflict(_("This application has already been decided."))
    application.status = MentorApplication.Status.WITHDRAWN
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at"])
    audit_record(actor=actor, action="update", obj=application, changes={"status": "withdrawn"})
    return application


def _locked_open_application(actor: Actor, application: MentorApplication) -> MentorApplication:
    application = MentorApplication.objects.select_for_update().select_related("employee__org_unit", "policy").get(
        pk=application.pk)
    if not access.can_decide_application(actor, application):
        raise PermissionDenied(_("Only HR covering the applicant decides this application."))
    if application.status != MentorApplication.Status.SUBMITTED:
        raise Conflict(_("This application has already been decided."))
    return application


def _grant_mentor_role(actor: Actor, employee: Employee) -> None:
    if employee.user_id is None:
        return
    assignment, created = RoleAssignment.objects.get_or_create(user_id=employee.user_id, role=Role.MENTOR,
                                                               org_unit=None)
    if created:
        audit_record(actor=actor, action="create", obj=assignment, summary="mentor role granted on approval",
                     changes={"role": "mentor", "user": str(employee.user_id)})


@transaction.atomic
def mentor_application_approve(*, actor: Actor, application: MentorApplication, reason: str = "",
                               capacity: int | None = None) -> Mentor:
    """HR approves: the person becomes (again) an active mentor and gets the mentor role.
    Approving an application that did not pass every criterion needs a reason."""
    application = _locked_open_application(actor, application)
    reason = (reason or "").strip()
    if not application.qualifies and not reason:
        raise InvalidInput(_("Not every criterion passed; say why you approve anyway."),
                           {"reason": [_("A reason is required when not every criterion passed.")]})
    policy = application.policy
    mentor = Mentor.objects.select_for_update().filter(employee=application.employee).first()
    if mentor is None:
        mentor = Mentor(employee=application.employee, since=_today())
    mentor.active = True
    if capacity:
        mentor.capacity = capacity
    elif mentor.pk is None:
        mentor.capacity = policy.default_capacity
    if application.expertise:
        mentor.expertise = _clean_tags([*mentor.expertise, *application.expertise])
    if not mentor.profile and application.motivation:
        mentor.profile = application.motivation[:2000]
    mentor.application = application
    _clean(mentor, exclude=["employee"])
    mentor.save()
    application.status = MentorApplication.Status.APPROVED
    application.decided_by, application.decided_at, application.reason = actor.user, timezone.now(), reason
    application.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    _grant_mentor_role(actor, application.employee)
    audit_record(actor=actor, action="update", obj=application, summary="mentor application approved",
                 changes={"status": "approved", "reason": reason, "capacity": mentor.capacity})
    _notify(application.employee_id, APPLICATION_DECIDED.key, {"decision": "approved", "reason": reason},
            link=f"/mentoring/apply/{application.pk}/")
    return mentor


@transaction.atomic
def mentor_application_reject(*, actor: Actor, application: MentorApplication, reason: str) -> MentorApplication:
    application = _locked_open_application(actor, application)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the application is rejected."), {"reason": [_("This field is required.")]})
    application.status = MentorApplication.Status.REJECTED
    application.decided_by, application.decided_at, application.reason = actor.user, timezone.now(), reason[:1000]
    application.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit_record(actor=actor, action="update", obj=application, summary="mentor application rejected",
                 changes={"status": "rejected", "reason": reason})
    _notify(application.employee_id, APPLICATION_DECIDED.key, {"decision": "rejected", "reason": reason},
            link=f"/mentoring/apply/{application.pk}/")
    return application


@transaction.atomic
def mentor_invite(*, actor: Actor, employees: list[Employee], message: str = "",
                  as_of: dt.date | None = None) -> list[MentorInvitation]:
    """HR invites people who qualify now under the current policy to apply. People who do not
    qualify, are mentors already or were invited under this policy version are refused by name."""
    if not access.can_list_qualified(actor):
        raise PermissionDenied(_("Only HR invites mentors."))
    policy = current_policy()
    if policy is None:
        raise Conflict(_("HR has not set a mentor policy yet."))
    scope_ids = set(access.screening_subjects(actor).filter(pk__in=[e.pk for e in employees])
                    .values_list("pk", flat=True))
    mentors = set(Mentor.objects.filter(employee_id__in=scope_ids, active=True).values_list("employee_id", flat=True))
    invited = set(MentorInvitation.objects.filter(employee_id__in=scope_ids, policy=policy)
                  .values_list("employee_id", flat=True))
    screening = screen_employees(policy, [e for e in employees if e.pk in scope_ids], as_of=as_of)
    rejected: list[dict] = []
    created: list[MentorInvitation] = []
    for emp in employees:
        if emp.pk not in scope_ids:
            raise NotFound(_("Not found."))
        if emp.pk in mentors:
            rejected.append({"employee": emp.pk,
                             "reason": _("%(name)s is a mentor already.") % {"name": emp.display_name}})
        elif emp.pk in invited:
            rejected.append({"employee": emp.pk,
                             "reason": _("%(name)s was invited already.") % {"name": emp.display_name}})
        elif not qualifies(screening[emp.pk]):
            rejected.append({"employee": emp.pk,
                             "reason": _("%(name)s does not qualify now.") % {"name": emp.display_name}})
    if rejected:
        raise InvalidInput(_("Some people cannot be invited."), {"employees": [r["reason"] for r in rejected]},
                           rejected=rejected)
    for emp in employees:
        invitation = MentorInvitation.objects.create(employee=emp, policy=policy, invited_by=actor.user,
                                                     message=(message or "")[:500])
        created.append(invitation)
        audit_record(actor=actor, action="create", obj=invitation, summary="invited to become a mentor")
        _notify(emp.pk, MENTORING_INVITATION.key, {"message": message}, link="/mentoring/apply/")
    return created


# ---------------------------------------------------------------- mentors and certifications


@transaction.atomic
def mentor_update(*, actor: Actor, mentor: Mentor, data: dict[str, Any]) -> Mentor:
    """The mentor edits their profile and expertise; HR also capacity and whether they are active.
    Capacity never drops below the places already taken."""
    mentor = Mentor.objects.select_for_update().select_related("employee__org_unit").get(pk=mentor.pk)
    if not access.can_edit_mentor(actor, mentor):
        raise PermissionDenied(_("You cannot change this mentor."))
    hr = access.can_edit_mentor_capacity(actor, mentor)
    before = {"capacity": mentor.capacity, "active": mentor.active, "expertise": list(mentor.expertise)}
    if "profile" in data:
        mentor.profile = (data["profile"] or "").strip()
    if "expertise" in data:
        mentor.expertise = _clean_tags(data["expertise"])
    if ("capacity" in data or "active" in data) and not hr:
        raise PermissionDenied(_("Only HR changes a mentor's capacity or status."))
    if "capacity" in data and data["capacity"] is not None:
        mentor.capacity = data["capacity"]
        taken = MentoringPlan.objects.filter(mentor=mentor, status__in=[
            PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.ACTIVE]).count()
        if mentor.capacity < taken:
            raise InvalidInput(_("This mentor already has %(n)s mentees; the capacity cannot be lower.") % {"n": taken},
                               {"capacity": [_("At least %(n)s.") % {"n": taken}]})
    if "active" in data and data["active"] is not None:
        mentor.active = bool(data["active"])
    _clean(mentor, exclude=["employee"])
    mentor.save()
    after = {"capacity": mentor.capacity, "active": mentor.active, "expertise": list(mentor.expertise)}
    audit_record(actor=actor, action="update", obj=mentor,
                 changes={k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]})
    return mentor


@transaction.atomic
def mentor_certification_record(*, actor: Actor, employee: Employee, name: str, passed_on: dt.date,
                                course: str = "mentor-skills", score: Decimal | None = None) -> MentorCertification:
    if not access.can_manage_mentoring(actor) or not access.screening_subjects(actor).filter(pk=employee.pk).exists():
        raise PermissionDenied(_("Only HR covering this person records certifications."))
    cert = MentorCertification(employee=employee, course=course, name=name, passed_on=passed_on, score=score,
                               recorded_by=actor.user)
    _clean(cert)
    try:
        cert.save()
    except IntegrityError as exc:  # pragma: no cover - no unique constraint today
        raise Conflict(_("This certification is already recorded.")) from exc
    audit_record(actor=actor, action="create", obj=cert, changes={"course": course, "passed_on": str(passed_on)})
    return cert
