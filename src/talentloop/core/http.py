"""Small helpers shared by views."""

from __future__ import annotations

from django.http import Http404
from django.template.response import TemplateResponse

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


def require(condition: bool) -> None:
    """A page the actor may not use answers 404, exactly like one that does not exist."""
    if not condition:
        raise Http404


def invalid_form(request, template: str, context: dict, partial: str | None = None):
    """Re-render a form with its errors: 422 for htmx, 200 for a plain form post."""
    status = 422 if getattr(request, "htmx", False) else 200
    return render_partial(request, template, context, partial=partial, status=status)
