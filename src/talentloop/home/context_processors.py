import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString
from django.utils.translation import get_language

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


# The side bar and the tab bar as HTML, kept by this process under everything they show: which links
# (by URL name and label, in order, with their group titles: two links open the same page under
# different labels, "People" for HR and "My team" for a manager), which one is current, the language,
# the URL configuration and script prefix. Thirty links with their icons cost about 2 ms to render, twice per
# page; the set of distinct bars is small (one per combination of roles and current page), so it is
# kept in a bounded table rather than the shared cache. Nothing personal is in it beyond what the key
# holds.
_RENDERED: OrderedDict[tuple, SafeString] = OrderedDict()
_RENDERED_MAX = 512
_lock = threading.Lock()


def _bar(place: str, shape: tuple, current: str, render) -> SafeString:
    key = (place, shape, current, get_language(), str(get_urlconf() or settings.ROOT_URLCONF), get_script_prefix())
    with _lock:
        found = _RENDERED.get(key)
        if found is not None:
            _RENDERED.move_to_end(key)
            return found
    html = render()
    with _lock:
        _RENDERED[key] = html
        if len(_RENDERED) > _RENDERED_MAX:
            _RENDERED.popitem(last=False)
    return html


def forget_kept_bars() -> None:
    with _lock:
        _RENDERED.clear()


def _side(groups: list[nav.Group], current: str) -> SafeString:
    shape = tuple((str(g.title), tuple((link.url_name, str(link.label)) for link in g.links)) for g in groups)
    return _bar("side", shape, current, lambda: render_to_string(
        "components/nav_links.html", {"place": "side", "nav_groups": groups, "nav_current": current}))


def _tabs(tabs: list[_Shown], current: str) -> SafeString:
    shape = tuple((link.url_name, str(link.label)) for link in tabs)
    return _bar("tab", shape, current, lambda: render_to_string(
        "components/nav_links.html", {"place": "tab", "nav_tabs": tabs, "nav_current": current}))


def navigation(request):
    """Navigation for the shell, built only when a template uses it."""
    actor = getattr(request, "actor", None)
    if actor is None:
        return {}
    match = getattr(request, "resolver_match", None)
    current = f"{match.namespace}:{match.url_name}" if match is not None else ""
    groups = SimpleLazyObject(lambda: _groups(actor))
    tabs = SimpleLazyObject(lambda: [_shown(link) for link in nav.tabs(actor)])
    return {
        "nav_groups": groups,
        "nav_tabs": tabs,
        "nav_current": current,
        "nav_side_html": SimpleLazyObject(lambda: _side(groups, current)),
        "nav_tab_html": SimpleLazyObject(lambda: _tabs(tabs, current)),
    }
