"""Giving a person a login: create an account for them, or link an existing one, from the person's
page or an import; optionally e-mail them a password-set link."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from talentloop.accounts import provisioning
from talentloop.accounts import services as account_services
from talentloop.accounts.models import User
from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.organisation import access
from talentloop.organisation.models import Employee, EmploymentStatus


def _check(actor: Actor, employee: Employee) -> Employee:
    if not access.can_give_login(actor, employee):
        raise PermissionDenied(_("You may not give this person a login."))
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if employee.user_id is not None:
        raise InvalidInput(_("This person already has a login."), {"username": [_("This person already has a login.")]})
    if employee.status == EmploymentStatus.TERMINATED:
        raise InvalidInput(
            _("This person has left the organisation."), {"username": [_("This person has left the organisation.")]}
        )
    return employee


def _link(actor: Actor, employee: Employee, user: User) -> None:
    employee.user = user
    employee.save(update_fields=["user", "updated_at"])
    audit_record(actor=actor, action="update", obj=employee, changes={"user": user.username})


@transaction.atomic
def account_create_for_employee(
    *, actor: Actor, employee: Employee, username: str, email: str = "", invite: bool = False
) -> User:
    """A new account for ``employee`` (no password yet: they set it through the invitation, or HR
    issues a reset code), linked to them. ``email`` defaults to the person's own address."""
    employee = _check(actor, employee)
    email = (email or employee.email).strip()
    if invite and not email:
        raise InvalidInput(
            _("An invitation needs an e-mail address."), {"email": [_("An invitation needs an e-mail address.")]}
        )
    if User.objects.filter(username__iexact=username.strip()).exists():
        raise InvalidInput(_("This username is taken."), {"username": [_("This username is taken.")]})
    user = account_services.account_create(
        actor=actor, username=username.strip(), display_name=employee.name, email=email
    )
    _link(actor, employee, user)
    if invite:
        provisioning.account_invite_send(user=user)
    return user


@transaction.atomic
def account_link_to_employee(*, actor: Actor, employee: Employee, user: User) -> User:
    """Link an existing account that belongs to no one (e.g. made before the person was hired)."""
    employee = _check(actor, employee)
    if not access.linkable_accounts(actor).filter(pk=user.pk).exists():
        raise InvalidInput(
            _("This account cannot be linked."),
            {"account": [_("No free account with this username that you may link.")]},
        )
    _link(actor, employee, user)
    return user


def account_invite_resend(*, actor: Actor, employee: Employee) -> None:
    """Send the password-set link again (it expires after PASSWORD_RESET_TIMEOUT)."""
    if not access.can_give_login(actor, employee) or employee.user is None:
        raise PermissionDenied(_("You may not invite this person."))
    if employee.user.has_usable_password() or not employee.user.is_active:
        raise InvalidInput(_("This person has chosen a password already; they can reset it themselves."))
    if not employee.user.email:
        raise InvalidInput(
            _("An invitation needs an e-mail address."), {"email": [_("An invitation needs an e-mail address.")]}
        )
    with transaction.atomic():
        audit_record(actor=actor, action="update", obj=employee.user, changes={"invited": True})
        provisioning.account_invite_send(user=employee.user)
