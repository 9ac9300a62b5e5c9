"""The Actor: who is asking, built once per request (or per task) and passed to every scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

from talentloop.core.http import client_ip as _client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest

    # Names for the type checker only (never imported at run time, so core stays below both apps);
    # the import-linter contract lists these two as its only exceptions.
    from talentloop.accounts.models import User
    from talentloop.organisation.models import Employee


@dataclass(frozen=True)
class Actor:
    user: User | None
    employee: Employee | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    # Materialised paths of the org units an HR role covers; empty when not HR.
    hr_unit_paths: tuple[str, ...] = ()
    hr_everywhere: bool = False
    # Materialised reporting path prefix for everyone below this person ("" when they have no reports).
    reports_prefix: str = ""
    has_reports: bool = False
    ip: str = ""

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None and self.user.is_authenticated and self.user.is_active

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles

    @property
    def is_hr(self) -> bool:
        return "hr" in self.roles

    @property
    def is_payroll(self) -> bool:
        return "payroll" in self.roles

    @property
    def is_manager(self) -> bool:
        return self.has_reports

    @property
    def user_id(self) -> Any:
        return self.user.pk if self.user is not None else None


ANONYMOUS = Actor(user=None)


ActorLoader = Callable[["User", str], Actor]

# Who a signed-in user is in the organisation (their employee record, roles and reports) is known
# only to the apps above core; the lowest one that owns that data (organisation) fills this slot from
# its apps.py, so core never imports them.
_actor_loader: ActorLoader | None = None


def set_actor_loader(loader: ActorLoader) -> None:
    global _actor_loader
    _actor_loader = loader


def actor_for(user: User | None, ip: str = "") -> Actor:
    """The actor of a user: anonymous for nobody or an inactive account, else what the loader builds."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Actor(user=None, ip=ip)
    # request.user is a lazy stand-in (now computed): the actor keeps the user itself, whose attributes
    # are then read without a proxy call each.
    user = getattr(user, "_wrapped", user)
    if _actor_loader is None:
        raise ImproperlyConfigured("No actor loader is registered: is talentloop.organisation installed?")
    return _actor_loader(user, ip)


def client_ip(request: HttpRequest) -> str:
    """The client's address, honouring a trusted proxy's X-Forwarded-For (see ``core.http``)."""
    return _client_ip(request)
