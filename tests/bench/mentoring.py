"""The mentoring benchmarks of issue 4, run by ``tests/bench/run.py`` (``--only mentoring`` runs
them alone) on the benchmark database (a SQLite file, or PostgreSQL when ``DATABASE_URL`` is set):

* **reminders**: the daily job (``run-reminders``: plan start/end, reminders, overdue alerts and
  every job of ``mentoring.services.cadence.DAILY_JOBS``) for one date, with 10,000 employees, 1,000
  mentors (capacity 3) and 2,000 active plans (about 18,000 dated items) — target < 5 s. Measured
  three ways: the first run after a long pause (every overdue item escalates at once: the worst
  case), the next day's run, and the same date again (must send nothing);
* **screening** every employee against a policy with all six criteria (three annual ratings each,
  mentoring histories with rated past mentees, certifications) — target < 5 s — both the bare
  screening and HR's "who qualifies now" list.

Small scale: 1,000 employees, 100 mentors, 200 plans. Each benchmark is a function in
``BENCHMARKS`` taking the prepared :class:`World`; another issue's benchmark appends its own (and
may build its own data on the same company). Results go to ``mentoring-<engine>.json``
(``-small`` at small scale).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

SCALES = {"full": {"employees": 10_000, "mentors": 1_000, "plans": 2_000, "runs": 3},
          "small": {"employees": 1_000, "mentors": 100, "plans": 200, "runs": 2}}
REMINDER_TARGET = 5.0  # seconds for one date
SCREENING_TARGET = 5.0  # seconds for every employee
SEED = 1
AS_OF = dt.date(2026, 3, 16)


@dataclass
class World:
    scale: str
    sizes: dict
    as_of: dt.date
    employee_ids: list[int]
    mentor_ids: list[int]
    hr_user_id: int | None
    env: dict = field(default_factory=dict)
    workdir: Path | None = None
    talentloop: Callable | None = None


def write_active_plan_schedules(rng: random.Random, as_of: dt.date) -> list[tuple]:
    """Five topics and the schedule (monthly 1:1s, quarterly skill assessments, half-yearly results
    reports, most past items done) of every active plan, written in bulk; returns the active plans as
    (id, starts_on, ends_on)."""
    from talentloop.mentoring.models import MentoringPlan, PlanItem, PlanTopic
    from talentloop.mentoring.services.programmes import schedule_dates

    active = list(MentoringPlan.objects.filter(status="active").values_list("pk", "starts_on", "ends_on"))
    PlanTopic.objects.bulk_create([PlanTopic(plan_id=p, title=f"主题{i}", core=i < 2, order=i)
                                   for p, _s, _e in active for i in range(5)], batch_size=5000)
    items = []
    for p, start, end in active:
        for kind, every in (("one_to_one", 1), ("skill_assessment", 3), ("results_report", 6)):
            for seq, due in enumerate(schedule_dates(start, end, every), start=1):
                done = due < as_of - dt.timedelta(days=3) and rng.random() < 0.85
                items.append(PlanItem(plan_id=p, kind=kind, sequence=seq, due_on=due,
                                      completed_on=due if done else None))
    PlanItem.objects.bulk_create(items, batch_size=5000)
    return active


def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


# ---------------------------------------------------------------- data


def build(scale: str, *, env=None, workdir=None, talentloop=None) -> World:
    """A fresh company (``talentloop seed``) and its mentoring, written in bulk."""
    from talentloop.mentoring.demo import wipe_mentoring

    cfg = SCALES[scale]
    wipe_mentoring()
    if talentloop is not None:
        talentloop(env, "seed", "--employees", str(cfg["employees"]), "--seed", str(SEED), "--reset",
                   "--no-performance", "--reference-date", AS_OF.isoformat())
    return _mentoring_data(scale)


def _mentoring_data(scale: str) -> World:
    from django.db import transaction

    from talentloop.accounts.models import User
    from talentloop.mentoring.growth import add_months
    from talentloop.mentoring.models import (
        CadenceRule,
        Mentor,
        MentorCertification,
        MentoringPlan,
        MentorPolicy,
        PlanItem,
        ProgrammeTemplate,
        TemplateTopic,
    )
    from talentloop.organisation.models import Employee
    from talentloop.performance.models import FinalRating

    cfg = SCALES[scale]
    rng = random.Random(SEED)
    people = list(Employee.objects.filter(status="active").order_by("pk").values_list("pk", "manager_path"))
    ids = [pk for pk, _path in people]
    rng.shuffle(ids)
    mentor_emp = ids[:cfg["mentors"]]
    mentees = ids[cfg["mentors"]:cfg["mentors"] + cfg["plans"]]
    past = ids[cfg["mentors"] + cfg["plans"]:cfg["mentors"] + cfg["plans"] + cfg["mentors"] * 2]
    with transaction.atomic():
        MentorPolicy.objects.create(version=1, criteria=[
            {"key": "annual_rating_min", "params": {"min": "4.5", "years": 3}},
            {"key": "mentoring_experience_years", "params": {"years": "2"}},
            {"key": "successful_mentees", "params": {"count": 2, "growth_min_pct": "20"}},
            {"key": "certification", "params": {"course": "mentor-skills", "min_score": "60"}},
            {"key": "tenure_years", "params": {"years": "2"}},
            {"key": "level_min", "params": {"level": 3}},
        ])
        tpl = ProgrammeTemplate.objects.create(name="基准新员工", mentee_type="new_graduate", duration_months=6,
                                               goals=["融入"])
        TemplateTopic.objects.bulk_create([TemplateTopic(template=tpl, title=f"主题{i}", core=i < 2, order=i)
                                           for i in range(5)])
        CadenceRule.objects.bulk_create([CadenceRule(template=tpl, kind=k, every_months=m) for k, m in
                                         (("one_to_one", 1), ("skill_assessment", 3), ("results_report", 6))])
        Mentor.objects.bulk_create([Mentor(employee_id=e, capacity=3, since=dt.date(2023, 1, 1))
                                    for e in mentor_emp], batch_size=2000)
        mentor_ids = list(Mentor.objects.order_by("pk").values_list("pk", flat=True))
        mentor_by_emp = dict(Mentor.objects.values_list("employee_id", "pk"))
        plans = []
        # Active plans: two per mentor, starting on different days of the last six months.
        for i, mentee in enumerate(mentees):
            start = AS_OF - dt.timedelta(days=rng.randint(1, 180))
            plans.append(MentoringPlan(mentor_id=mentor_by_emp[mentor_emp[i % len(mentor_emp)]], mentee_id=mentee,
                                       template=tpl, status="active", starts_on=start,
                                       ends_on=add_months(start, 6), goals=["融入"]))
        # Past plans: two completed ones per mentor from two years before, for "successful mentees".
        for i, mentee in enumerate(past):
            start = dt.date(2024, 4, 1)
            plans.append(MentoringPlan(mentor_id=mentor_by_emp[mentor_emp[i % len(mentor_emp)]], mentee_id=mentee,
                                       template=tpl, status="completed", starts_on=start,
                                       ends_on=add_months(start, 6), goals=["融入"], completed_on=add_months(start, 6)))
        MentoringPlan.objects.bulk_create(plans, batch_size=2000)
        active = write_active_plan_schedules(rng, AS_OF)
        # Ratings: three complete years for everyone; two quarters for the past mentees.
        ratings = [FinalRating(employee_id=e, period_key=str(y), rating=Decimal(rng.choice(["4.2", "4.5", "4.6",
                                                                                           "4.8", "3.9"])))
                   for e in ids for y in (2023, 2024, 2025)]
        ratings += [FinalRating(employee_id=e, period_key=k, rating=Decimal(r))
                    for e in past for k, r in (("2024-Q1", "3.5"), ("2025-Q4", rng.choice(["4.0", "4.2", "4.4"])))]
        FinalRating.objects.bulk_create(ratings, batch_size=5000, ignore_conflicts=True)
        MentorCertification.objects.bulk_create([
            MentorCertification(employee_id=e, name="导师技能课程", passed_on=dt.date(2024, 6, 1),
                                score=Decimal(rng.randint(50, 95))) for e in ids[::5]], batch_size=5000)
    hr = User.objects.filter(role_assignments__role="hr", role_assignments__org_unit__isnull=True).first()
    sizes = {"employees": Employee.objects.count(), "mentors": len(mentor_ids),
             "active_plans": len(active), "completed_plans": len(past),
             "plan_items": PlanItem.objects.count(), "final_ratings": len(ratings)}
    return World(scale=scale, sizes=sizes, as_of=AS_OF, employee_ids=ids, mentor_ids=mentor_ids,
                 hr_user_id=hr.pk if hr else None)


def _reset_cadence() -> None:
    from talentloop.mentoring.models import MentoringPlan, PlanItem
    from talentloop.notifications.models import Notification

    # The reminders and escalations name their item in the dedupe key (item:<id>).
    Notification.objects.filter(kind__in=["session_due", "item_overdue"], dedupe_key__startswith="item:").delete()
    PlanItem.objects.update(reminded_on=None, escalated_on=None)
    MentoringPlan.objects.filter(status="completed", starts_on__gte=dt.date(2025, 1, 1)).update(
        status="active", completed_on=None)


# ---------------------------------------------------------------- benchmarks


def bench_reminders(world: World) -> dict:
    from talentloop.mentoring.services.cadence import run_daily
    from talentloop.notifications.models import Notification

    runs = SCALES[world.scale]["runs"]
    first, nxt, again, summaries = [], [], [], []
    for _ in range(runs):
        _reset_cadence()
        seconds, summary = _timed(lambda: run_daily(world.as_of))
        first.append(seconds)
        summaries.append(summary)
        sent = Notification.objects.count()
        seconds, _out = _timed(lambda: run_daily(world.as_of))
        again.append(seconds)
        assert Notification.objects.count() == sent, "a second run for the same date sent notices"
        seconds, _out = _timed(lambda: run_daily(world.as_of + dt.timedelta(days=1)))
        nxt.append(seconds)
    worst = max(first)
    return {
        "what": "the daily mentoring job (run-reminders) for one date",
        "target_seconds": REMINDER_TARGET,
        "first_run_seconds": [round(s, 3) for s in first],
        "same_date_again_seconds": [round(s, 3) for s in again],
        "next_day_seconds": [round(s, 3) for s in nxt],
        "median_first_run_seconds": round(statistics.median(first), 3),
        "first_run_summaries": summaries,
        "meets_target": worst < REMINDER_TARGET,
    }


def bench_screening(world: World) -> dict:
    from talentloop.core.access import actor_for
    from talentloop.mentoring import selectors
    from talentloop.mentoring.services.qualification import current_policy, qualifies, screen_employees
    from talentloop.organisation.models import Employee

    runs = SCALES[world.scale]["runs"]
    policy = current_policy()
    bare, listed = [], []
    qualifying = 0
    actor = None
    if world.hr_user_id is not None:
        from talentloop.accounts.models import User

        actor = actor_for(User.objects.get(pk=world.hr_user_id))

    def screen():
        people = list(Employee.objects.filter(status="active").only("id", "hire_date", "level", "manager_path"))
        return screen_employees(policy, people, as_of=world.as_of)

    for _ in range(runs):

        seconds, results = _timed(screen)
        bare.append(seconds)
        qualifying = sum(1 for r in results.values() if qualifies(r))
        if actor is not None:
            seconds, _out = _timed(lambda: selectors.qualified_list(actor, as_of=world.as_of))
            listed.append(seconds)
    worst = max(bare + listed)
    return {
        "what": "screening every active employee against a six-criterion policy",
        "target_seconds": SCREENING_TARGET,
        "employees_screened": len(results),
        "qualifying": qualifying,
        "screen_seconds": [round(s, 3) for s in bare],
        "qualified_list_seconds": [round(s, 3) for s in listed],
        "median_screen_seconds": round(statistics.median(bare), 3),
        "meets_target": worst < SCREENING_TARGET,
    }


BENCHMARKS: list[Callable[[World], dict]] = [bench_reminders, bench_screening]


def run(*, env: dict, scale: str, workdir: Path, talentloop: Callable, common: dict) -> tuple[dict, bool]:
    """Every benchmark of ``BENCHMARKS`` on a fresh company; the report and whether all met their targets."""
    started = time.perf_counter()
    world = build(scale, env=env, workdir=workdir, talentloop=talentloop)
    world.env, world.workdir, world.talentloop = env, workdir, talentloop
    setup = round(time.perf_counter() - started, 1)
    print(f"mentoring data ready in {setup} s: {world.sizes}")
    results, ok = {}, True
    for bench in BENCHMARKS:
        name = bench.__name__.removeprefix("bench_")
        print(f"  mentoring benchmark: {name}…")
        results[name] = bench(world)
        ok = ok and results[name].get("meets_target") is not False
        print(f"    {results[name].get('meets_target')}: "
              f"{ {k: v for k, v in results[name].items() if k.endswith('seconds')} }")
    from talentloop.mentoring.demo import wipe_mentoring

    wipe_mentoring()  # leave the company as the next benchmark expects it
    return {"benchmark": "mentoring", "scale": scale, **common, "sizes": world.sizes, "as_of": world.as_of.isoformat(),
            "setup_seconds": setup, "results": results}, ok


# ---------------------------------------------------------------- matching (effectiveness and matching part)

MATCH_SCALES = {"full": {"mentees": 500, "mentors": 300}, "small": {"mentees": 80, "mentors": 50}}
MATCH_TARGET = 5.0  # seconds for one cohort run of 500 mentees to 300 mentors (≥ 600 free places)
MATCH_SKILLS = ["sql", "python", "沟通", "谈判", "数据分析", "项目管理", "产品设计", "客户服务"]


def bench_matching(world: World) -> dict:
    """A cohort matching run (``match_run_create``: effectiveness of every mentor, needs, every
    allowed pair scored, the optimal assignment, the proposals written) of 500 mentees to 300
    mentors with at least 600 free places; the other mentors are set inactive for the duration.
    Mentees need the programme's five topics and two weak skills each; mentors declare two topics
    and have three strong skills, so pair scores vary; the management chain of the seeded company
    makes some pairs infeasible."""
    from django.db import transaction

    from talentloop.accounts.models import User
    from talentloop.core.access import actor_for
    from talentloop.mentoring import solver
    from talentloop.mentoring.models import (
        MatchRun,
        Mentor,
        MentoringPlan,
        ProgrammeTemplate,
        SkillAssessment,
        TemplateTopic,
    )
    from talentloop.mentoring.selectors_matching import places_taken
    from talentloop.mentoring.services.matching import match_run_create
    from talentloop.organisation.models import Employee

    cfg = MATCH_SCALES[world.scale]
    runs = SCALES[world.scale]["runs"]
    rng = random.Random(SEED + 4)
    actor = actor_for(User.objects.get(pk=world.hr_user_id))
    topics = ["融入团队", "岗位技能", "沟通协作", "公司价值观", "职业规划"]
    with transaction.atomic():
        tpl = ProgrammeTemplate.objects.create(name="基准匹配", mentee_type="new_graduate", duration_months=6)
        TemplateTopic.objects.bulk_create([TemplateTopic(template=tpl, title=t, core=i == 0, order=i)
                                           for i, t in enumerate(topics)])
        taken = places_taken()
        all_mentors = list(Mentor.objects.filter(active=True).order_by("pk").values_list("pk", "employee_id"))
        chosen = rng.sample(all_mentors, cfg["mentors"])
        chosen_ids = {pk for pk, _e in chosen}
        saved = list(Mentor.objects.filter(active=True).values_list("pk", "capacity", "expertise"))
        Mentor.objects.exclude(pk__in=chosen_ids).update(active=False)
        mentors = list(Mentor.objects.filter(pk__in=chosen_ids))
        for m in mentors:
            m.capacity = taken.get(m.pk, 0) + rng.choice((2, 2, 3))  # 2 or 3 free places each
            m.expertise = rng.sample(topics, 2)
        Mentor.objects.bulk_update(mentors, ["capacity", "expertise"], batch_size=1000)
        free = sum(m.capacity - taken.get(m.pk, 0) for m in mentors)
        busy = set(MentoringPlan.objects.values_list("mentee_id", flat=True)) | {e for _pk, e in all_mentors}
        pool = [e for e in world.employee_ids if e not in busy]
        cohort_ids = rng.sample(pool, cfg["mentees"])
        assessments = [SkillAssessment(employee_id=e, skill=s, score=Decimal(rng.randint(35, 59)),
                                       assessed_on=world.as_of - dt.timedelta(days=30))
                       for e in cohort_ids for s in rng.sample(MATCH_SKILLS, 2)]
        assessments += [SkillAssessment(employee_id=e, skill=s, score=Decimal(rng.randint(80, 98)),
                                        assessed_on=world.as_of - dt.timedelta(days=30))
                        for _pk, e in chosen for s in rng.sample(MATCH_SKILLS, 3)]
        SkillAssessment.objects.bulk_create(assessments, batch_size=5000)
    cohort = list(Employee.objects.filter(pk__in=cohort_ids).select_related("org_unit", "job_family"))
    solver.assign([[Decimal(1)]], [1])  # import NumPy and SciPy once, as a running server has
    times, summary = [], {}
    for _ in range(runs):
        seconds, run = _timed(lambda: match_run_create(actor=actor, template=tpl, mentees=cohort,
                                                       starts_on=world.as_of + dt.timedelta(days=30)))
        times.append(seconds)
        summary = run.summary
    with transaction.atomic():  # leave the company as it was
        MatchRun.objects.filter(template=tpl).delete()
        SkillAssessment.objects.filter(pk__in=[a.pk for a in assessments if a.pk]).delete()
        for pk, capacity, expertise in saved:
            Mentor.objects.filter(pk=pk).update(active=True, capacity=capacity, expertise=expertise)
        TemplateTopic.objects.filter(template=tpl).delete()
        tpl.delete()
    worst = max(times)
    return {
        "what": "a cohort matching run: every allowed pair scored, the optimal assignment under capacities "
                "(scipy.optimize.linear_sum_assignment), the proposals written",
        "target_seconds": MATCH_TARGET,
        "mentees": len(cohort),
        "mentors": cfg["mentors"],
        "free_places": free,
        "pairs_scored": len(cohort) * cfg["mentors"],
        "run_seconds": [round(s, 3) for s in times],
        "median_run_seconds": round(statistics.median(times), 3),
        "solver_seconds": summary.get("solver_seconds"),
        "placed": summary.get("placed"),
        "unplaced": summary.get("reasons"),
        "total_score": summary.get("total_score"),
        "greedy_total_score": summary.get("greedy_total_score"),
        "meets_target": worst < MATCH_TARGET if world.scale == "full" else None,
    }


BENCHMARKS.append(bench_matching)
