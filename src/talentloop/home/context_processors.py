from django.utils.functional import SimpleLazyObject

from talentloop.home import nav


def navigation(request):
    """Navigation for the shell, built only when a template uses it."""
    actor = getattr(request, "actor", None)
    if actor is None:
        return {}
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match is not None else ""
    return {
        "nav_groups": SimpleLazyObject(lambda: nav.groups(actor)),
        "nav_tabs": SimpleLazyObject(lambda: nav.tabs(actor)),
        "nav_current": current,
    }
