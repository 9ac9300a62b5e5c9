"""Who may configure the delivery channels.

- The chat apps' credentials and the VAPID keys are the organisation's technical secrets: administrators.
- Group bots are HR's: an HR person manages the bots of the org units in their scope.
- A person's chat identities (their WeCom/DingTalk/Feishu user id) are set by HR covering them, or by an
  administrator (who also imports them in bulk); people do not set their own, so nobody can redirect
  someone else's messages to themselves.
- A push subscription belongs to the person whose browser made it: only they add or remove it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from talentloop.core.access import Actor
from talentloop.notifications.models import GroupBot, ImIdentity, PushSubscription
from talentloop.organisation.access import can_manage_employee, hr_covers_unit
from talentloop.organisation.models import Employee, OrgUnit


def _hr_unit_q(actor: Actor, prefix: str) -> Q:
    if actor.hr_everywhere:
        return Q(**{f"{prefix}pk__isnull": False})
    q = Q(pk__in=[])
    for path in actor.hr_unit_paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


# ---------------------------------------------------------------- credentials


def can_manage_channel_credentials(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_admin


# ---------------------------------------------------------------- group bots


def can_manage_group_bots(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_hr


def visible_group_bots(actor: Actor) -> QuerySet[GroupBot]:
    qs = GroupBot.objects.select_related("org_unit")
    if not can_manage_group_bots(actor):
        return qs.none()
    return qs.filter(_hr_unit_q(actor, "org_unit__"))


def can_manage_group_bot_of(actor: Actor, org_unit: OrgUnit | None) -> bool:
    return can_manage_group_bots(actor) and hr_covers_unit(actor, org_unit)


def group_bot_units(actor: Actor) -> QuerySet[OrgUnit]:
    """The org units an HR person may attach a bot to."""
    if not can_manage_group_bots(actor):
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(_hr_unit_q(actor, ""))


# ---------------------------------------------------------------- chat identities


def can_manage_im_identities(actor: Actor) -> bool:
    return actor.is_authenticated and (actor.is_admin or actor.is_hr)


def visible_im_identities(actor: Actor) -> QuerySet[ImIdentity]:
    qs = ImIdentity.objects.select_related("employee")
    if not actor.is_authenticated:
        return qs.none()
    if actor.is_admin:
        return qs
    if actor.is_hr:
        return qs.filter(_hr_unit_q(actor, "employee__org_unit__"))
    return qs.none()


def im_identity_employees(actor: Actor) -> QuerySet[Employee]:
    """People whose chat identity the actor may set."""
    if actor.is_authenticated and actor.is_admin:
        return Employee.objects.all()
    if actor.is_authenticated and actor.is_hr:
        return Employee.objects.filter(_hr_unit_q(actor, "org_unit__"))
    return Employee.objects.none()


def can_set_im_identity(actor: Actor, employee: Employee) -> bool:
    if not actor.is_authenticated:
        return False
    return actor.is_admin or can_manage_employee(actor, employee)


# ---------------------------------------------------------------- push subscriptions


def can_subscribe_push(actor: Actor) -> bool:
    return actor.is_authenticated and actor.employee is not None


def visible_push_subscriptions(actor: Actor) -> QuerySet[PushSubscription]:
    if not can_subscribe_push(actor):
        return PushSubscription.objects.none()
    return PushSubscription.objects.filter(employee=actor.employee)
