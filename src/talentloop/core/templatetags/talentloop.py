from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_active(context, *names: str) -> str:
    """'aria-current="page"' when the current URL name is one of ``names``."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match is not None and f"{match.namespace}:{match.url_name}" in names:
        return 'aria-current=page'
    return ""


@register.simple_tag(takes_context=True)
def querystring_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode() if params else "?"


@register.filter
def masked(value: str) -> str:
    from talentloop.core.crypto import mask

    return mask(value or "")


__all__ = ["reverse"]
