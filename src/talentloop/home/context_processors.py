from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject

from talentloop.home import nav


@dataclass(frozen=True)
class _Shown:
    """A navigation link with its URL reversed once: the side bar and the tab bar read ``url`` for
    every link of every page, and ``reverse`` is not free (about thirty of them per page)."""

    url_name: str
    label: str
    icon: str
    also: tuple[str, ...]
    url: str

    def names(self) -> tuple[str, ...]:
        return (self.url_name, *self.also)


def _shown(link: nav.Link) -> _Shown:
    return _Shown(link.url_name, link.label, link.icon, link.also, link.url)


def _groups(actor) -> list[nav.Group]:
    return [nav.Group(g.title, [_shown(link) for link in g.links]) for g in nav.groups(actor)]


def navigation(request):
    """Navigation for the shell, built only when a template uses it."""
    actor = getattr(request, "actor", None)
    if actor is None:
        return {}
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match is not None else ""
    return {
        "nav_groups": SimpleLazyObject(lambda: _groups(actor)),
        "nav_tabs": SimpleLazyObject(lambda: [_shown(link) for link in nav.tabs(actor)]),
        "nav_current": current,
    }
