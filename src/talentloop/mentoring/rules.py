"""Pairing rules shared by plans (this module's callers in services) and matching.

One function says whether a mentor may take a mentee; plans and the matching engine both call it,
so the rule lives in exactly one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from talentloop.mentoring.models import Mentor, MentorPolicy
    from talentloop.organisation.models import Employee


def in_management_chain(mentor_employee_id: int, mentee: Employee) -> bool:
    """True when the mentor is anyone above the mentee in the reporting tree."""
    return f"/{mentor_employee_id}/" in (mentee.manager_path or "/")


def pair_violations(mentor: Mentor, mentee: Employee, policy: MentorPolicy | None) -> list[str]:
    """The reasons this mentor may not mentor this mentee (empty when the pair is allowed).

    Checked without queries from what the objects carry: the mentor must be active, not the
    mentee themselves, the mentee must be employed, and — unless the policy allows it — the
    mentor must not be in the mentee's management chain (``mentee.manager_path`` holds the ids of
    everyone above them). Capacity is not a pair rule: it depends on the mentor's other plans and is
    enforced where places are taken (plan submit/approve, the matching solver).
    """
    problems: list[str] = []
    if not mentor.active:
        problems.append(_("The mentor is not active."))
    if mentor.employee_id == mentee.pk:
        problems.append(_("Nobody can mentor themselves."))
    if getattr(mentee, "status", "active") == "terminated":
        problems.append(_("The mentee has left the company."))
    allow_chain = bool(policy is not None and policy.allow_management_chain)
    if not allow_chain and mentor.employee_id != mentee.pk and in_management_chain(mentor.employee_id, mentee):
        problems.append(_("The mentor is in the mentee's management chain."))
    return problems
