"""The daily accrual and expiry job (``talentloop accrue-leave --date``; scheduled daily).

As of a date ``D`` in year ``Y`` it brings the ledger to what the rules say, writing only what is
missing, each entry under a deterministic key (running twice for a date writes nothing twice; a
crashed run is completed by the next one):

1. **Annual leave of Y** (each active annual-leave type that is drawn from a balance): the year's
   entitlement (``leave.entitlements``) is granted once it is due — on 1 January, or on the day the
   person becomes eligible or joins (key ``annual:<type>:<person>:<Y>:grant``, effective that day).
   When the facts change later (prior service verified, a disqualifying absence, the person leaves)
   the difference is posted as an adjustment (``...:fix<n>``, n = the entries already there), for a
   leaver effective on the termination date. The target never goes below the year's annual leave
   already taken (no claw-back, 实施办法 art. 12). People who left in Y−1 get their final
   adjustment for Y−1 too; other closed years are not recomputed (HR adjusts them by hand).
2. **Year end** (each type drawn from a balance): on 1 January of Y an unused balance of Y−1 closes
   (an ``expiry`` of the whole balance, key ``close:<type>:<person>:<Y−1>``) and up to the type's
   ``carry_over_max_days`` come back as a ``carry_over`` (key ``carry:<type>:<person>:<Y>``).
3. **Expiry of carried days**: the day after the end of month ``carry_over_expires_month`` of Y, the
   carried days not used by then expire (key ``expiry:<type>:<person>:<Y>``). Days taken are
   first-in-first-out: leave taken in Y uses the carried days first, then Y's own entitlement.

Set-based: a fixed number of queries (types, people, prior service, opening balances, the ledger
lines of Y−1 and Y, the sick and personal leave) whatever the number of people, and one bulk
insert. A person whose data break a rule is reported and skipped; the batch goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from talentloop.accounts.models import User
from talentloop.leave import entitlements as rules
from talentloop.leave.models import EntryKind, LeaveCategory, LeaveRequest, LeaveType, LedgerEntry, PriorService
from talentloop.leave.services.ledger import ledger_post_many
from talentloop.organisation.models import Employee, EmploymentStatus

log = logging.getLogger(__name__)
ZERO = Decimal("0")
ONE_DAY = dt.timedelta(days=1)
USE_KINDS = {EntryKind.USE.value, EntryKind.RETURN.value}


@dataclass
class AccrualReport:
    as_of: dt.date
    people: int = 0
    written: int = 0
    by_kind: Counter = field(default_factory=Counter)
    errors: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "people": self.people, "written": self.written,
                "by_kind": dict(self.by_kind), "errors": [{"employee": e, "error": m} for e, m in self.errors]}


@dataclass(frozen=True)
class _Line:
    type_id: int
    kind: str
    date: dt.date
    days: Decimal
    key: str


@dataclass
class _Person:
    id: int
    hire: dt.date
    termination: dt.date | None
    prior: list[rules.Period] = field(default_factory=list)
    opening: dict[int, Decimal] = field(default_factory=dict)  # type -> balance as of 31 Dec Y−2
    lines: list[_Line] = field(default_factory=list)  # ledger lines from 1 Jan Y−1, and those of this run
    sick: list[rules.Period] = field(default_factory=list)
    personal: list[tuple[dt.date, Decimal]] = field(default_factory=list)


def end_of_month(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - ONE_DAY


def _load(as_of: dt.date, tracked: list[LeaveType]) -> dict[int, _Person]:
    year = as_of.year
    since = dt.date(year - 1, 1, 1)
    people_q = Q(hire_date__lte=as_of) & (Q(termination_date__isnull=True) | Q(termination_date__gte=since))
    # A person marked as gone without a termination date gets nothing more.
    people_qs = Employee.objects.filter(people_q).exclude(status=EmploymentStatus.TERMINATED,
                                                          termination_date__isnull=True)
    people = {pid: _Person(pid, hire, term) for pid, hire, term in
              people_qs.values_list("id", "hire_date", "termination_date")}
    for pid, start, end in PriorService.objects.filter(
            status=PriorService.Status.VERIFIED, employee__in=people_qs.values("id")).values_list(
            "employee_id", "start", "end"):
        if pid in people:
            people[pid].prior.append((start, end))
    type_ids = [t.pk for t in tracked]
    for pid, tid, total in (LedgerEntry.objects.filter(
            leave_type_id__in=type_ids, effective_date__lt=since, employee__in=people_qs.values("id"))
            .values_list("employee_id", "leave_type_id").annotate(total=Sum("days")).order_by()):
        if pid in people:
            people[pid].opening[tid] = Decimal(total)
    for pid, tid, kind, date, days, key in (LedgerEntry.objects.filter(
            leave_type_id__in=type_ids, effective_date__gte=since, employee__in=people_qs.values("id"))
            .values_list("employee_id", "leave_type_id", "kind", "effective_date", "days", "key")
            .order_by("effective_date", "id")):
        if pid in people:
            people[pid].lines.append(_Line(tid, kind, date, Decimal(days), key))
    for pid, start, end, days, category, paid in LeaveRequest.objects.filter(
            status="approved", leave_type__category__in=[LeaveCategory.SICK, LeaveCategory.PERSONAL],
            end__gte=since, start__lte=as_of, employee__in=people_qs.values("id")).values_list(
            "employee_id", "start", "end", "days", "leave_type__category", "leave_type__paid"):
        if pid not in people:
            continue
        if category == LeaveCategory.SICK:
            people[pid].sick.append((start, min(end, as_of)))
        elif paid:  # personal leave disqualifies only when the pay is not deducted (条例 art. 4 (2))
            people[pid].personal.append((start, Decimal(days)))
    return people


def _sum(lines: list[_Line], type_id: int, *, kinds: set[str] | None = None, start: dt.date | None = None,
         end: dt.date | None = None, key_prefix: str = "") -> Decimal:
    total = ZERO
    for line in lines:
        if line.type_id != type_id or (kinds is not None and line.kind not in kinds):
            continue
        if (start is not None and line.date < start) or (end is not None and line.date > end):
            continue
        if key_prefix and not line.key.startswith(key_prefix):
            continue
        total += line.days
    return total


def _carried_used(person: _Person, kind: LeaveType, year: int) -> tuple[Decimal, Decimal]:
    """The days carried into ``year`` and how many of them leave taken before they expire used."""
    first = dt.date(year, 1, 1)
    carried = _sum(person.lines, kind.pk, kinds={EntryKind.CARRY_OVER.value}, start=first,
                   end=dt.date(year, 12, 31))
    deadline = end_of_month(year, kind.carry_over_expires_month)
    used = -_sum(person.lines, kind.pk, kinds=USE_KINDS, start=first, end=deadline)
    return carried, min(carried, max(used, ZERO))


def _disqualified(person: _Person, annual: LeaveType, year: int) -> bool:
    if not person.sick and not person.personal:
        return False
    career = rules.equivalent_start(person.hire, person.prior)
    lost: set[int] = set()
    for y in (year - 1, year):
        crossed = rules.disqualifying_date(year=y, career_start=career, sick=person.sick,
                                           paid_personal=person.personal)
        uses = [line.date for line in person.lines if line.type_id == annual.pk
                and line.kind == EntryKind.USE and line.date.year == y]
        lost |= rules.disqualified_years(year=y, crossed_on=crossed, first_annual_use=min(uses, default=None))
    return year in lost


def _annual_lines(person: _Person, annual: LeaveType, tiers: rules.Tiers, year: int,
                  as_of: dt.date) -> list[_Line]:
    termination = person.termination if person.termination and person.termination <= as_of else None
    if termination is not None and termination.year < year:
        return []
    due = max(dt.date(year, 1, 1), person.hire, rules.eligibility_date(person.hire, person.prior))
    if as_of < due and termination is None:
        return []
    disqualified = _disqualified(person, annual, year)
    ent = rules.annual_entitlement(year=year, hire_date=person.hire, termination_date=termination,
                                   prior=person.prior, tiers=tiers, disqualified=disqualified)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    carried, carried_used = _carried_used(person, annual, year)
    taken = -_sum(person.lines, annual.pk, kinds=USE_KINDS, start=first, end=last) - carried_used
    target = max(Decimal(ent.days), taken)
    prefix = f"annual:{annual.pk}:{person.id}:{year}:"
    existing = [line for line in person.lines if line.type_id == annual.pk and line.key.startswith(prefix)]
    delta = target - sum((line.days for line in existing), ZERO)
    if delta == 0:
        return []
    if not existing:
        if as_of < due:
            return []
        return [_Line(annual.pk, EntryKind.ACCRUAL, due, delta, prefix + "grant")]
    if termination is not None:
        when = termination
    else:
        when = max(min(as_of, last), due)
    return [_Line(annual.pk, EntryKind.ADJUSTMENT, when, delta, f"{prefix}fix{len(existing)}")]


def _year_end_lines(person: _Person, kind: LeaveType, year: int, as_of: dt.date) -> list[_Line]:
    """Close Y−1's unused balance and carry part of it into Y (on 1 January of Y)."""
    jan1 = dt.date(year, 1, 1)
    if person.hire >= jan1 or (person.termination is not None and person.termination < jan1):
        return []
    close_key = f"close:{kind.pk}:{person.id}:{year - 1}"
    carry_key = f"carry:{kind.pk}:{person.id}:{year}"
    keys = {line.key for line in person.lines}
    out: list[_Line] = []
    balance = person.opening.get(kind.pk, ZERO) + _sum(person.lines, kind.pk, end=jan1 - ONE_DAY)
    if close_key not in keys and balance > 0:
        out.append(_Line(kind.pk, EntryKind.EXPIRY, jan1, -balance, close_key))
        carry = min(balance, Decimal(kind.carry_over_max_days))
        if carry > 0 and carry_key not in keys:
            out.append(_Line(kind.pk, EntryKind.CARRY_OVER, jan1, carry, carry_key))
    return out


def _expiry_lines(person: _Person, kind: LeaveType, year: int, as_of: dt.date) -> list[_Line]:
    deadline = end_of_month(year, kind.carry_over_expires_month)
    if as_of <= deadline or (person.termination is not None and person.termination <= deadline):
        return []
    key = f"expiry:{kind.pk}:{person.id}:{year}"
    if any(line.key == key for line in person.lines):
        return []
    carried, used = _carried_used(person, kind, year)
    if carried - used <= 0:
        return []
    return [_Line(kind.pk, EntryKind.EXPIRY, deadline + ONE_DAY, -(carried - used), key)]


def _reason(line: _Line, kind: LeaveType, year: int) -> str:
    name = kind.name
    if line.key.startswith("annual:") and line.kind == EntryKind.ACCRUAL:
        return _("%(type)s of %(year)d granted") % {"type": name, "year": year}
    if line.key.startswith("annual:"):
        return _("%(type)s of %(year)d recomputed (service, absences or leaving)") % {"type": name, "year": year}
    if line.key.startswith("close:"):
        return _("Unused %(type)s of %(year)d closed at the year end") % {"type": name, "year": year - 1}
    if line.key.startswith("carry:"):
        return _("%(type)s carried over from %(year)d") % {"type": name, "year": year - 1}
    return _("Carried-over %(type)s not used by %(date)s expired") % {
        "type": name, "date": (line.date - ONE_DAY).isoformat()}


def leave_accrue(*, as_of: dt.date, by: User | None = None) -> AccrualReport:
    """Runs the job as of ``as_of`` (see the module's notes) and reports what it wrote."""
    report = AccrualReport(as_of=as_of)
    types = list(LeaveType.objects.filter(tracks_balance=True, is_active=True).prefetch_related("tiers"))
    if not types:
        return report
    annual_types = [t for t in types if t.category == LeaveCategory.ANNUAL]
    tiers = {t.pk: [(tier.min_years, tier.days) for tier in t.tiers.all()] for t in annual_types}
    by_id = {t.pk: t for t in types}
    people = _load(as_of, types)
    report.people = len(people)
    year = as_of.year
    pending: list[tuple[int, _Line, int]] = []
    for person in people.values():
        try:
            mine: list[tuple[_Line, int]] = []
            if person.termination is not None and person.termination.year == year - 1:
                for annual in annual_types:
                    for line in _annual_lines(person, annual, tiers[annual.pk], year - 1, as_of):
                        person.lines.append(line)
                        mine.append((line, year - 1))
            for kind in types:
                for line in _year_end_lines(person, kind, year, as_of):
                    person.lines.append(line)
                    mine.append((line, year))
            for annual in annual_types:
                for line in _annual_lines(person, annual, tiers[annual.pk], year, as_of):
                    person.lines.append(line)
                    mine.append((line, year))
            for kind in types:
                for line in _expiry_lines(person, kind, year, as_of):
                    person.lines.append(line)
                    mine.append((line, year))
        except Exception as exc:  # one person's broken data never stops the batch
            log.exception("leave accrual failed for employee %s", person.id)
            report.errors.append((person.id, str(exc)[:200]))
            continue
        pending.extend((person.id, line, y) for line, y in mine)
    entries = [LedgerEntry(employee_id=pid, leave_type_id=line.type_id, kind=line.kind, effective_date=line.date,
                           days=line.days, key=line.key, reason=_reason(line, by_id[line.type_id], y))
               for pid, line, y in pending]
    written = ledger_post_many(by=by, entries=entries)
    report.written = len(written)
    report.by_kind.update(str(e.kind) for e in written)
    return report
