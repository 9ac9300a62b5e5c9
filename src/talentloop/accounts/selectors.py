from __future__ import annotations

from django.db.models import Q, QuerySet

from talentloop.accounts import access
from talentloop.accounts.models import ApiToken, RoleAssignment, User
from talentloop.core.access import Actor


def token_list(actor: Actor) -> list[ApiToken]:
    return list(access.visible_tokens(actor).filter(user_id=actor.user_id).select_related("user")[:200])


def account_queryset(actor: Actor, search: str = "") -> QuerySet[User]:
    """Accounts the actor manages, found by username, display name, the person's name, its pinyin
    (full or initials) or employee number; the page's roles come in one more query."""
    qs = access.visible_accounts(actor).prefetch_related("role_assignments")
    term = " ".join(search.split())[:100]
    if term:
        compact = term.lower().replace(" ", "")
        qs = qs.filter(Q(username__icontains=term) | Q(display_name__icontains=term)
                       | Q(employee__search_key__contains=term.lower())
                       | Q(employee__search_key__contains=compact))
    return qs.order_by("username", "pk")


def account_list(actor: Actor, search: str = "", limit: int = 200) -> list[User]:
    return list(account_queryset(actor, search)[:limit])


def role_queryset(user: User) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user)


def role_list(user: User) -> list[RoleAssignment]:
    return list(role_queryset(user).select_related("org_unit"))


def tokens_of(actor: Actor, user: User) -> list[ApiToken]:
    """An account's tokens, for administrators (who may revoke them)."""
    return list(access.visible_tokens(actor).filter(user=user).order_by("-created_at")[:100])
