"""Who may manage accounts, roles and tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from talentloop.accounts.models import ApiToken, User
from talentloop.core.access import Actor


def can_manage_accounts(actor: Actor) -> bool:
    return actor.is_authenticated and actor.is_admin


def visible_accounts(actor: Actor) -> QuerySet[User]:
    if can_manage_accounts(actor):
        return User.objects.all()
    if actor.is_authenticated and actor.is_hr:
        # HR issues reset codes for staff: accounts linked to people in their scope.
        from talentloop.organisation.access import visible_employees

        return User.objects.filter(employee__in=visible_employees(actor))
    return User.objects.none()


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
