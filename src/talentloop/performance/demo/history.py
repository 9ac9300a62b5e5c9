"""The demo company's history, drawn in memory: who works when, how well (individual trends and
a few stories), which observations and review ratings that gives. Deterministic: every draw comes
from a generator seeded with the seed and the person (or unit and month)."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from talentloop.accounts.models import Role, RoleAssignment
from talentloop.organisation.models import Employee, EmploymentEvent, EventKind, JobFamily, OrgUnit
from talentloop.performance import periods as P
from talentloop.performance.demo.catalogue import (
    CARDS,
    GEN,
    HISTORY_YEARS,
    METRIC_BY_KEY,
    CardDef,
    Gen,
    H,
    MetricDef,
    card_metric_keys,
)

CORRECTION_SHARE = 0.01
ONE_DAY = dt.timedelta(days=1)


# ---------------------------------------------------------------- the people, as the generator sees them


@dataclass
class Person:
    id: int
    number: str
    username: str
    unit: str
    department: str
    family: str
    level: int
    hire: dt.date
    end: dt.date | None  # last day employed
    absences: list[tuple[dt.date, dt.date]]  # [from, to) on leave
    manager: str | None  # employee number
    is_head: bool
    mentor_role: bool


@dataclass
class Unit:
    id: int
    code: str
    parent: str | None
    department: str


@dataclass
class Company:
    people: list[Person]
    units: list[Unit]
    reference_date: dt.date


def read_company(reference_date: dt.date | None = None) -> Company:
    """The company as it is in the database, in a stable order (employee numbers, unit codes)."""
    units_raw = list(OrgUnit.objects.values("id", "code", "parent_id", "manager_id", "depth").order_by("code"))
    by_id = {u["id"]: u for u in units_raw}

    def department(u: dict) -> str:
        while u["depth"] > 1 and u["parent_id"] is not None:
            u = by_id[u["parent_id"]]
        return u["code"]

    units = [Unit(u["id"], u["code"], by_id[u["parent_id"]]["code"] if u["parent_id"] else None, department(u))
             for u in units_raw]
    heads = {u["manager_id"] for u in units_raw if u["manager_id"]}
    mentors = set(RoleAssignment.objects.filter(role=Role.MENTOR).values_list("user_id", flat=True))
    absences: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    open_leave: dict[int, dt.date] = {}
    far = dt.date(9999, 1, 1)
    for emp, kind, day in (EmploymentEvent.objects.filter(kind__in=[EventKind.LEAVE, EventKind.RETURN],
                                                          applied_at__isnull=False)
                           .order_by("employee_id", "effective_date", "id")
                           .values_list("employee_id", "kind", "effective_date")):
        if kind == EventKind.LEAVE:
            open_leave[emp] = day
        elif emp in open_leave:
            absences[emp].append((open_leave.pop(emp), day))
    for emp, day in open_leave.items():
        absences[emp].append((day, far))
    numbers = dict(Employee.objects.values_list("id", "employee_number"))
    unit_code = {u.id: u for u in units}
    families = dict(JobFamily.objects.values_list("id", "code"))
    people = []
    for e in Employee.objects.order_by("employee_number").values(
            "id", "employee_number", "user__username", "user_id", "org_unit_id", "job_family_id", "level",
            "hire_date", "termination_date", "manager_id"):
        unit = unit_code[e["org_unit_id"]]
        people.append(Person(
            id=e["id"], number=e["employee_number"], username=e["user__username"] or "", unit=unit.code,
            department=unit.department, family=families[e["job_family_id"]], level=e["level"],
            hire=e["hire_date"], end=e["termination_date"], absences=absences.get(e["id"], []),
            manager=numbers.get(e["manager_id"]), is_head=e["id"] in heads, mentor_role=e["user_id"] in mentors))
    return Company(people, units, reference_date or timezone.localdate())


def company_from_plan(plan) -> Company:
    """The same view of a planned company (``organisation.demo.plan_company``), without a database:
    ids are plan indexes. Gives the same history as :func:`read_company` once the plan is loaded."""
    by_code = {u.code: u for u in plan.units}

    def department(code: str) -> str:
        u = by_code[code]
        while u.depth > 1 and u.parent is not None:
            u = by_code[u.parent]
        return u.code

    units = [Unit(i, u.code, u.parent, department(u.code)) for i, u in enumerate(sorted(plan.units,
                                                                                          key=lambda u: u.code))]
    heads = {u.head for u in plan.units if u.head is not None}
    mentors = {username for username, role, _unit in plan.roles if role == Role.MENTOR}
    numbers = {p.index: p.employee_number for p in plan.people}
    far = dt.date(9999, 1, 1)
    people = []
    for p in sorted(plan.people, key=lambda p: p.employee_number):
        absences, leave = [], None
        for item in p.history:
            if item.kind == EventKind.LEAVE:
                leave = item.date
            elif item.kind == EventKind.RETURN and leave is not None:
                absences.append((leave, item.date))
                leave = None
        if leave is not None:
            absences.append((leave, far))
        people.append(Person(
            id=p.index, number=p.employee_number, username=p.username, unit=p.unit, department=department(p.unit),
            family=p.family, level=p.level, hire=p.hire_date, end=p.termination_date, absences=absences,
            manager=numbers.get(p.manager) if p.manager is not None else None, is_head=p.index in heads,
            mentor_role=p.username in mentors))
    return Company(people, units, plan.reference_date)


# ---------------------------------------------------------------- the history plan


@dataclass
class Profile:
    kind: str  # star, steady, improving, declining, recent-drop
    base: float
    slope: float  # per year


@dataclass
class ObservationRow:
    metric: str
    employee: str | None  # employee number
    unit: str | None  # org unit code
    value: Decimal
    occurred_at: dt.datetime  # aware, UTC
    occurred_on: dt.date  # local
    source: str
    external_id: str
    wrong_value: Decimal | None = None  # first sent with this value, then corrected


@dataclass
class RatingRow:
    quarter: str  # YYYY-Qn
    employee: str
    rater: str
    kind: str  # self | manager | peer
    rating: Decimal


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _rating(value: float) -> Decimal:
    """A rating as people give it: 1 to 5 in steps of 0.5."""
    return Decimal(str(min(5.0, max(1.0, round(value * 2) / 2))))


def _quality_to_rating(q: float) -> float:
    return 1 + 4 * (min(max(100 * q, 40), 120) - 40) / 80


class HistoryPlanner:
    """Draws the history of a company; every person's draws come from their own seeded generator."""

    def __init__(self, company: Company, seed: int):
        self.company = company
        self.seed = seed
        self.ref = company.reference_date
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.start = dt.date(self.ref.year - HISTORY_YEARS, 1, 1)
        self.months = self._months()
        self.last_complete = P.containing(self.ref).previous()
        recent = self.last_complete
        for _ in range(3):
            recent = recent.previous()
        self.recent_from = recent.start  # the last four complete months and the current one
        self.unit_cards = {c.unit: c for c in CARDS if c.unit}
        self.family_cards = {c.family: c for c in CARDS if c.family and not c.unit}
        self.default_card = next(c for c in CARDS if c.family is None and c.unit is None)
        self.profiles = {p.number: self._profile(p) for p in company.people}

    def _months(self) -> list[P.Period]:
        out, cur = [], P.month(self.start.year, 1)
        while cur.start <= self.ref:
            out.append(cur)
            cur = cur.next()
        return out

    def rng(self, *parts: object) -> random.Random:
        digest = hashlib.sha256(":".join(str(p) for p in (self.seed, *parts)).encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def card_for(self, person: Person) -> CardDef:
        card = self.unit_cards.get(person.unit)
        if card is not None and card.family in (None, person.family):
            return card
        return self.family_cards.get(person.family, self.default_card)

    def _profile(self, p: Person) -> Profile:
        rng = self.rng("profile", p.number)
        tenure = (self.ref - p.hire).days / 365.25
        senior = p.level >= 6 and tenure > HISTORY_YEARS + 1
        if p.username == "mentor":
            return Profile("star", 1.19, 0.0)
        if p.username == "employee":
            return Profile("improving", 0.86, 0.07)
        if p.username == "manager":
            return Profile("steady", 1.06, 0.0)
        roll = rng.random()
        if (p.mentor_role and roll < 0.6) or (senior and roll < 0.08):
            return Profile("star", rng.uniform(1.17, 1.21), 0.0)
        if roll < 0.15:
            return Profile("improving", rng.uniform(0.8, 0.9), rng.uniform(0.04, 0.07))
        if roll < 0.25:
            return Profile("declining", rng.uniform(1.0, 1.08), -rng.uniform(0.04, 0.07))
        if roll < 0.29:
            return Profile("recent-drop", rng.uniform(0.95, 1.05), 0.0)
        # Most people meet their targets (a believable attainment of about two thirds); a few fall short.
        return Profile("steady", min(1.2, max(0.82, rng.gauss(1.14, 0.06))), rng.gauss(0, 0.015))

    # ------------------------------------------------------------ presence

    def span(self, p: Person, period: P.Period) -> tuple[dt.date, dt.date, int] | None:
        """First and last day the person works in the period (until yesterday for the current
        month) and how many days that is, leave excluded; None when not at all."""
        first = max(period.start, p.hire)
        last = min(period.end, self.ref) - ONE_DAY
        if p.end is not None:
            last = min(last, p.end)
        if last < first:
            return None
        days = (last - first).days + 1
        for a, b in p.absences:
            lo, hi = max(a, first), min(b - ONE_DAY, last)
            if hi >= lo:
                days -= (hi - lo).days + 1
        return (first, last, days) if days > 0 else None

    def _day(self, rng: random.Random, p: Person, first: dt.date, last: dt.date) -> dt.date:
        day = first
        for _ in range(20):
            day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
            if not any(a <= day < b for a, b in p.absences):
                break
        return day

    def quality(self, p: Person, month_index: int, rng: random.Random) -> float:
        prof = self.profiles[p.number]
        q = prof.base + prof.slope * month_index / 12
        month = self.months[month_index]
        since_hire = (month.start.year - p.hire.year) * 12 + month.start.month - p.hire.month
        if since_hire < 4:
            q -= 0.15 * (1 - max(0, since_hire) / 4)
        if prof.kind == "recent-drop" and month.start >= self.last_complete.previous().start:
            q -= 0.22
        if prof.kind == "star":
            return min(1.25, q + rng.gauss(0, 0.012))
        return min(1.25, max(0.55, q + rng.gauss(0, 0.03)))

    def story(self, p: Person, metric: str, month: P.Period) -> float:
        """Multipliers of the stories that alerts and root-cause reviews should find."""
        recent = month.start >= self.recent_from
        if p.unit == "service-hotline" and recent:
            if metric == "first-response-minutes":
                return 1.45
            if metric == "tickets-resolved":
                return 0.85
        if p.unit == "factory-packaging" and recent and metric == "units-produced":
            return 0.86
        return 1.0

    # ------------------------------------------------------------ observations

    def _moment(self, rng: random.Random, day: dt.date) -> tuple[dt.datetime, dt.date]:
        local = dt.datetime.combine(day, dt.time(rng.randint(9, 18), rng.randint(0, 59)), tzinfo=self.tz)
        return local.astimezone(dt.UTC), day

    def person_observations(self, p: Person) -> Iterator[ObservationRow]:
        card = self.card_for(p)
        keys = sorted(card_metric_keys(card))
        hotline_agent = p.unit == "service-hotline" and not p.is_head and self._first_member(p)
        for index, month in enumerate(self.months):
            span = self.span(p, month)
            if span is None:
                continue
            first, last, present = span
            rng = self.rng("obs", p.number, month.key)
            share = present / month.days
            q = self.quality(p, index, rng)
            tag = f"{month.start:%Y%m}"
            lines = 0.0
            for key in keys:
                gen = GEN.get(key)
                if gen is None or gen.kind == "per-kloc":
                    continue
                mdef = METRIC_BY_KEY[key]
                mult = self.story(p, key, month)
                if hotline_agent and key == "first-response-minutes" and month.start >= self.last_complete.start:
                    mult = 3.0  # the PRODUCT.md example: from about 1 h to about 3 h
                values = self._values(rng, gen, mdef, q, share, mult)
                if key == "lines-changed":
                    lines = sum(values)
                yield from self._rows(rng, p, mdef, values, first, last, tag)
            if "bugs" in keys:
                bugs = _poisson(rng, lines / 1000 * GEN["bugs"].base / q)
                yield from self._rows(rng, p, METRIC_BY_KEY["bugs"], [float(bugs)], first, last, tag)
            if month.start.month % 3 == 0 and last >= month.end - dt.timedelta(days=10):
                # The quarterly skill test: better with quality and with tenure.
                gen = GEN["skill-assessment"]
                skill = gen.base * (0.85 + 0.15 * min(q, 1.2)) + rng.gauss(0, 4)
                skill += min(8.0, 2.0 * (month.start - p.hire).days / 365.25)
                if p.unit == "factory-packaging" and month.start >= self.recent_from:
                    skill -= 12
                yield from self._rows(rng, p, METRIC_BY_KEY["skill-assessment"], [min(100.0, max(20.0, skill))],
                                      max(first, last - dt.timedelta(days=4)), last, tag)

    def _first_member(self, p: Person) -> bool:
        members = [x for x in self.company.people if x.unit == p.unit and not x.is_head and x.end is None]
        return bool(members) and members[0].number == p.number

    def _values(self, rng: random.Random, gen: Gen, mdef: MetricDef, q: float, share: float,
                mult: float) -> list[float]:
        n = rng.randint(*gen.per_month)
        if gen.kind == "level":
            level = (gen.base * q if mdef.direction == H else gen.base / q) * mult
            return [min(gen.hi, max(gen.lo, level * (1 + rng.gauss(0, gen.noise)))) for _ in range(n)]
        if gen.kind == "total":
            total = max(0.0, gen.base * q * share * mult * (1 + rng.gauss(0, gen.noise)))
            weights = [rng.random() + 0.5 for _ in range(n)]
            return [total * w / sum(weights) for w in weights]
        if gen.kind == "events":
            return [float(_poisson(rng, gen.base * share / q * mult))]
        if gen.kind == "count":
            return [1.0] * _poisson(rng, gen.base * q * share * mult)
        return []

    def _rows(self, rng: random.Random, p: Person, mdef: MetricDef, values: list[float], first: dt.date,
              last: dt.date, tag: str) -> Iterator[ObservationRow]:
        places = GEN[mdef.key].places
        quantum = Decimal(1).scaleb(-places)
        for i, value in enumerate(values):
            at, on = self._moment(rng, self._day(rng, p, first, last))
            amount = Decimal(repr(round(value, places))).quantize(quantum)
            wrong = None
            if rng.random() < CORRECTION_SHARE:
                wrong = (amount * Decimal(rng.choice((10, 2, "0.5")))).quantize(quantum) or amount + 1
            yield ObservationRow(mdef.key, p.number, None, amount, at, on, mdef.source,
                                 f"{mdef.source}-{p.number}-{mdef.key}-{tag}-{i}", wrong)

    def unit_observations(self) -> Iterator[ObservationRow]:
        """Headcount, hours and budget of every unit every month (its whole subtree), and market
        demand for the sales department."""
        units = {u.code: u for u in self.company.units}
        ancestors: dict[str, list[str]] = {}
        for u in self.company.units:
            chain, cur = [], u
            while cur is not None:
                chain.append(cur.code)
                cur = units.get(cur.parent) if cur.parent else None
            ancestors[u.code] = chain
        rates = {"rnd": 3.6, "product": 3.2, "sales": 2.6, "service": 1.5, "operations": 2.0, "factory": 1.1,
                 "hr": 2.2}
        for month in self.months:
            if month.start > self.last_complete.start:
                continue  # context arrives after a month closes
            head: dict[str, int] = defaultdict(int)
            hours: dict[str, float] = defaultdict(float)
            budget: dict[str, float] = defaultdict(float)
            for p in self.company.people:
                span = self.span(p, month)
                if span is None:
                    continue
                _first, last, present = span
                present_at_end = last >= month.end - dt.timedelta(days=3)
                worked = present / month.days * 174
                if p.unit == "service-hotline" and month.start >= self.recent_from:
                    worked *= 0.78  # two agents lent to a project: the hotline runs short of hours
                for code in ancestors[p.unit]:
                    head[code] += present_at_end
                    hours[code] += worked
                    budget[code] += rates.get(p.department, 2.0) * present / month.days
            rng = self.rng("units", month.key)
            tag = f"{month.start:%Y%m}"
            last_day = month.end - dt.timedelta(days=1)
            for code in sorted(head):
                if not head[code] and not hours[code]:
                    continue
                at, on = self._moment(rng, last_day)
                rows = [("headcount", float(head[code])), ("hours-worked", hours[code] * rng.uniform(0.97, 1.05)),
                        ("budget", budget[code] * rng.uniform(0.98, 1.03))]
                if units[code].department == "sales" and units[code].parent is not None:
                    season = 100 + 8 * math.sin((month.start.month - 3) / 12 * 2 * math.pi)
                    rows.append(("market-demand-index", season * rng.uniform(0.95, 1.05)))
                for key, value in rows:
                    mdef = METRIC_BY_KEY[key]
                    yield ObservationRow(key, None, code, Decimal(repr(round(value, 1))).quantize(Decimal("0.1")),
                                         at, on, mdef.source, f"{mdef.source}-{code}-{key}-{tag}")

    def observations(self) -> Iterator[ObservationRow]:
        for p in self.company.people:
            yield from self.person_observations(p)
        yield from self.unit_observations()

    # ------------------------------------------------------------ reviews

    def quarters(self) -> list[P.Period]:
        """Complete quarters whose review cycle is over (three weeks after the quarter ends)."""
        out, q = [], P.quarter(self.start.year, 1)
        while q.end + dt.timedelta(days=21) <= self.ref:
            out.append(q)
            q = q.next()
        return out

    def ratings(self) -> Iterator[RatingRow]:
        by_unit: dict[str, list[Person]] = defaultdict(list)
        people = {p.number: p for p in self.company.people}
        for p in self.company.people:
            by_unit[p.unit].append(p)
        month_index = {m.key: i for i, m in enumerate(self.months)}
        for quarter in self.quarters():
            present = {p.number: (self.span(p, quarter) or (0, 0, 0))[2] for p in self.company.people}
            for p in self.company.people:
                if present[p.number] < 30:
                    continue
                rng = self.rng("ratings", p.number, quarter.key)
                qs = [self.quality(p, month_index[m.key], rng) for m in quarter.months_in()]
                true = _quality_to_rating(sum(qs) / len(qs))
                yield RatingRow(quarter.key, p.number, p.number, "self", _rating(true + 0.3 + rng.gauss(0, 0.2)))
                boss = people.get(p.manager) if p.manager else None
                if boss is not None and present[boss.number] >= 30:
                    yield RatingRow(quarter.key, p.number, boss.number, "manager",
                                    _rating(true + rng.gauss(0, 0.15)))
                peers = [x for x in by_unit[p.unit] if x.number != p.number and present[x.number] >= 30]
                for peer in rng.sample(peers, min(2, len(peers))):
                    yield RatingRow(quarter.key, p.number, peer.number, "peer", _rating(true + rng.gauss(0, 0.3)))

    def fingerprint(self) -> str:
        """A digest of everything the plan would write (for determinism checks)."""
        h = hashlib.sha256()
        for o in self.observations():
            h.update(f"{o.metric}|{o.employee}|{o.unit}|{o.value}|{o.occurred_at.isoformat()}|{o.external_id}|"
                     f"{o.wrong_value}\n".encode())
        for r in self.ratings():
            h.update(f"{r.quarter}|{r.employee}|{r.rater}|{r.kind}|{r.rating}\n".encode())
        return h.hexdigest()
