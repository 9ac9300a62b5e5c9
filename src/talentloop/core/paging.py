"""One way to page a list: on the web pages Django's Paginator over a scoped, ordered queryset (a count
and one slice, two queries whatever the page), the page number read leniently from ``?page=``, and one
template (``components/pager.html``) that keeps the other query parameters (filters, sort) in its links;
in the JSON API django-ninja's pagination with one page schema (below)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_type_hints

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from ninja import Field, Schema
from ninja import pagination as ninja_pagination
from ninja.pagination import PaginationBase
from pydantic import create_model

DEFAULT_PER_PAGE = 50


def page_number(request) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


def paginate(request, queryset, *, per_page: int = DEFAULT_PER_PAGE) -> Page:
    """The requested page; a page past the end is the last one, a bad number the first."""
    return Paginator(queryset, per_page).get_page(page_number(request))


# ---------------------------------------------------------------- the JSON API
#
# Every list endpoint of /api/v1 answers one page shape, ``{"items": [...], "count": n}`` (``count``: all
# the rows the filters match), and is paged one way: ``?limit=`` and ``?offset=``. It is django-ninja's
# own pagination: an endpoint declares ``response=list[ThingOut]`` and ``@paginate(LimitOffsetPagination)``
# and ninja documents the answer as ``PagedThingOut``. The endpoint returns a scoped, ordered queryset
# (the paginator counts it and takes one slice: two queries whatever the page) or, where a selector
# shapes the page itself, a :class:`SelectorPage` that the paginator calls with the page asked for.

API_MAX_OFFSET = 10**9


class SelectorPage:
    """A page a selector reads itself: ``read(limit, offset)`` answers ``(items, count)``, or
    ``(items, count, extra)`` where ``extra`` adds fields the endpoint's page schema declares (the
    notifications' ``unread``). For selectors that decorate the rows of one page (a second query for
    the page's rows only) or skip the slice when nothing matches."""

    def __init__(self, read: Callable[[int, int], tuple]):
        self.read = read


class ApiPage(Schema):
    """The one page schema of the API; ninja derives ``Paged<ThingOut>`` from it per endpoint."""

    items: list[Any]
    count: int = Field(description="All the rows the filters match, on every page")


_INPUTS: dict[tuple[int, int], type[Schema]] = {}


def _limit_offset_input(default: int, max_limit: int) -> type[Schema]:
    """The query parameters of one paging (the defaults stay what each endpoint had); one class per
    pair, named for it, so the OpenAPI document names each class once."""
    key = (default, max_limit)
    if key not in _INPUTS:
        _INPUTS[key] = create_model(  # type: ignore[call-overload]  # pydantic's dynamic model factory
            f"LimitOffset{default}Max{max_limit}", __base__=Schema,
            limit=(int, Field(default, ge=1, le=max_limit, description=f"Rows per page, at most {max_limit}")),
            offset=(int, Field(0, ge=0, le=API_MAX_OFFSET, description="Rows to skip")),
        )
    return _INPUTS[key]


class LimitOffsetPagination(PaginationBase):
    """``?limit=&offset=`` answering :class:`ApiPage`. ``default`` and ``max_limit`` per endpoint."""

    Output = ApiPage

    def __init__(self, *, default: int = DEFAULT_PER_PAGE, max_limit: int = 200, **kwargs: Any) -> None:
        self.Input = _limit_offset_input(default, max_limit)  # type: ignore[misc]  # per endpoint, not per class
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> dict:
        limit, offset = pagination.limit, pagination.offset
        if isinstance(queryset, SelectorPage):
            items, count, *extra = queryset.read(limit, offset)
            return {"items": items, "count": count, **(extra[0] if extra else {})}
        count = self._items_count(queryset)
        return {"items": queryset[offset:offset + limit] if count else [], "count": count}


PAGED = ("One page of the list, `{\"items\": [...], \"count\": n}`: `limit` rows from `offset`, and `count` "
         "all the rows the filters match. Every list of the API pages this way.")
PAGED_WAS_ARRAY = PAGED + " This list used to answer a bare array of rows; its rows are now in `items`."


def paginated(*, default: int = DEFAULT_PER_PAGE, max_limit: int = 200,
              pagination: type[LimitOffsetPagination] = LimitOffsetPagination) -> Callable[[Callable], Callable]:
    """ninja's ``@paginate(LimitOffsetPagination)`` for a list endpoint (``pagination``: a subclass whose
    page adds a field, as the notifications' ``unread``). The view's annotations are
    resolved first: the API modules postpone them (``from __future__ import annotations``) and ninja
    would otherwise look the names up in its own module, where the wrapper it adds lives."""

    def decorate(view: Callable) -> Callable:
        view.__annotations__ = get_type_hints(view, include_extras=True)
        return ninja_pagination.paginate(pagination, default=default, max_limit=max_limit)(view)

    return decorate
