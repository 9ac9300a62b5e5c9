"""Links to a person's profile only for a reader who may open it; anyone else reads the name as text.

``{% load people %}{% person_link employee %}`` — the rule is ``access.can_view_employee``, the same
one the profile page applies, so no page offers a link that answers 404.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html

from talentloop.organisation import access

register = template.Library()


@register.simple_tag(takes_context=True)
def person_link(context, employee, css_class: str = "") -> str:
    if employee is None:
        return "—"
    request = context.get("request")
    actor = getattr(request, "actor", None) or context.get("actor")
    name = employee.display_name
    if actor is not None and access.can_view_employee(actor, employee):
        url = reverse("organisation:employee-detail", args=[employee.pk])
        if css_class:
            return format_html('<a class="{}" href="{}">{}</a>', css_class, url, name)
        return format_html('<a href="{}">{}</a>', url, name)
    return format_html('<span data-testid="person-name">{}</span>', name)
