"""Small helpers shared by views."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme

from talentloop.core.errors import DomainError


def render_partial(request, template: str, context: dict, partial: str | None = None, status: int = 200):
    """Render a full page, or only ``partial`` when htmx asks for it."""
    name = f"{template}#{partial}" if partial and getattr(request, "htmx", False) else template
    return TemplateResponse(request, name, context, status=status)


def get_or_404(queryset, **lookup):
    """Fetch through a scoped queryset: invisible and missing records are the same 404."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


def form_errors_from(form, exc: DomainError) -> None:
    """Copy a service error onto a Django form so the page shows it next to the field."""
    placed = False
    for field, messages in exc.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, exc.detail)


def safe_next(request, value: str | None = None) -> str | None:
    """``value`` (by default the POST's ``next``) when it is a path in this product, else None: another
    host, a scheme or a protocol-relative ``//`` never becomes a redirect."""
    value = request.POST.get("next", "") if value is None else value
    if value and value.startswith("/") and not value.startswith("//") and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return value
    return None


def require(condition: bool) -> None:
    """A page the actor may not use answers 404, exactly like one that does not exist."""
    if not condition:
        raise Http404


def invalid_form(request, template: str, context: dict, partial: str | None = None):
    """Re-render a form with its errors: 422 for htmx, 200 for a plain form post."""
    status = 422 if getattr(request, "htmx", False) else 200
    return render_partial(request, template, context, partial=partial, status=status)


@lru_cache(maxsize=8)
def _trusted_networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def _is_trusted(address, networks) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request) -> str:
    """The address of the person's device, for throttling sign-ins and for the audit log.

    ``X-Forwarded-For`` is honoured only when the connection comes from a proxy listed in
    ``TALENTLOOP_TRUSTED_PROXIES``: the header is read from the right, skipping trusted proxies,
    and the first address that is not one is the client's. Anyone else can write the header, so
    without a trusted proxy (the default) it is ignored and the connection's address is used.
    """
    remote = (request.META.get("REMOTE_ADDR", "") or "").strip()
    networks = _trusted_networks(tuple(getattr(settings, "TALENTLOOP_TRUSTED_PROXIES", ()) or ()))
    if not networks:
        return remote
    try:
        hop = ipaddress.ip_address(remote)
    except ValueError:
        return remote
    if not _is_trusted(hop, networks):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for part in reversed(forwarded):
        try:
            address = ipaddress.ip_address(part)
        except ValueError:
            # Garbage where an address should be: the last trusted hop is the best we know.
            return str(hop)
        hop = address
        if not _is_trusted(address, networks):
            return str(address)
    # Every hop is a trusted proxy: the left-most one is the closest to the client.
    return str(hop)
