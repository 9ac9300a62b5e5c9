from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import pgettext

from talentloop.core.crypto import mask
from talentloop.core.units import unit_label

register = template.Library()

_ICONS: dict[str, str] = {}


@register.simple_tag
def icon(name: str) -> str:
    """The inline SVG of a named icon (components/icon.html), rendered once per name and process: the
    navigation draws dozens of icons on every page, and the template's chain of comparisons per icon
    cost more than the rest of the shell."""
    found = _ICONS.get(name)
    if found is None:
        found = _ICONS[name] = mark_safe(render_to_string("components/icon.html", {"name": name}))  # noqa: S308 — our own template
    return found


@register.simple_tag(takes_context=True)
def nav_active(context, *names: str) -> str:
    """'aria-current="page"' when the current URL name is one of ``names``."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match is not None and f"{match.namespace}:{match.url_name}" in names:
        return 'aria-current=page'
    return ""


@register.filter
def ago(value) -> str:
    """A past moment as relative time in the reader's language: "just now" under a minute, else
    "5 minutes ago" / "5 分钟前"."""
    if not value:
        return ""
    if (timezone.now() - value).total_seconds() < 60:
        return pgettext("relative time", "just now")
    return pgettext("relative time", "%(since)s ago") % {"since": timesince(value, depth=1)}


@register.filter
def unit(value: str | None) -> str:
    """A metric's unit in the reader's language (``{{ metric.unit|unit }}``)."""
    return unit_label(value)


@register.filter
def masked(value: str) -> str:
    return mask(value or "")


__all__ = ["reverse"]
