"""Who may manage accounts, roles and tokens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from talentloop.accounts.models import ApiToken, User
from talentloop.core.access import Actor

# Scopes that depend on the organisation, which sits above accounts: organisation fills them from its
# apps.py (organisation.hooks), so accounts never imports it.
_staff_accounts: Callable[[Actor], QuerySet[User]] | None = None
_org_units: Callable[[Actor], QuerySet[Any]] | None = None


def register_organisation_scopes(*, staff_accounts: Callable[[Actor], QuerySet[User]],
                                 org_units: Callable[[Actor], QuerySet[Any]]) -> None:
    """``staff_accounts``: the accounts of the people HR may see; ``org_units``: the units a role may cover."""
    global _staff_accounts, _org_units
    _staff_accounts, _org_units = staff_accounts, org_units


def _organisation_scope(scope: Callable[[Actor], QuerySet[Any]] | None) -> Callable[[Actor], QuerySet[Any]]:
    if scope is None:
        raise ImproperlyConfigured("The organisation scopes are not registered: is talentloop.organisation "
                                   "installed?")
    return scope


def can_manage_accounts(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_admin


def can_set_up_integrations(actor: Actor) -> bool:
    """HR and administrators connect other systems (API tokens, the API documentation); an employee
    may still hold a token, but is not pointed to the page."""
    return actor.is_authenticated and (actor.is_hr or actor.is_admin)


def visible_accounts(actor: Actor) -> QuerySet[User]:
    if can_manage_accounts(actor):
        return User.objects.all()
    if actor.is_authenticated and actor.is_hr:
        # HR issues reset codes for staff: accounts linked to people in their scope.
        return _organisation_scope(_staff_accounts)(actor)
    return User.objects.none()


def role_scope_units(actor: Actor) -> QuerySet[Any]:
    """The org units an HR role may be limited to (the choices of the role grant form)."""
    return _organisation_scope(_org_units)(actor)


def can_issue_reset_code(actor: Actor, user: User) -> bool:
    if not actor.is_authenticated or user.pk == actor.user_id:
        return False
    if can_manage_accounts(actor):
        return True
    if user.is_superuser or user.role_assignments.filter(role="admin").exists():
        return False
    return actor.is_hr and visible_accounts(actor).filter(pk=user.pk).exists()


def visible_tokens(actor: Actor) -> QuerySet[ApiToken]:
    if not actor.is_authenticated:
        return ApiToken.objects.none()
    if can_manage_accounts(actor):
        return ApiToken.objects.all()
    return ApiToken.objects.filter(user_id=actor.user_id)


def can_revoke_token(actor: Actor, token: ApiToken) -> bool:
    return actor.is_authenticated and (token.user_id == actor.user_id or can_manage_accounts(actor))
