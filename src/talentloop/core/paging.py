"""One way to page a list: Django's Paginator over a scoped, ordered queryset (a count and one slice,
two queries whatever the page), the page number read leniently from ``?page=``, and one template
(``components/pager.html``) that keeps the other query parameters (filters, sort) in its links."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

DEFAULT_PER_PAGE = 50


def page_number(request) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


def paginate(request, queryset, *, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """The requested page; a page past the end is the last one, a bad number the first."""
    return Paginator(queryset, per_page).get_page(page_number(request))
