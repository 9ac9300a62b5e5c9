"""The roster planner's cell, written in Python: a week of a team is up to 700 cells, each drawn
twice (the desktop grid and the phone's day list), and an ``{% include %}`` per cell cost seconds."""

from __future__ import annotations

from django import template
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

register = template.Library()


def _shared(context) -> dict:
    """What every cell of one page has in common, worked out once per page."""
    shared = context.render_context.get("roster_cell")
    if shared is None:
        unit = context.get("unit")
        hidden = format_html('<input type="hidden" name="week" value="{}">', context["week"].isoformat())
        if unit is not None:
            hidden += format_html('<input type="hidden" name="unit" value="{}">', unit.pk)
        shared = {
            "url": escape(context["cell_url"]), "hidden": hidden,
            "options": [(str(s.pk), escape(f"{s.label} {s.start:%H:%M}")) for s in context["data"].shifts],
            "rest": escape(pgettext("roster", "Rest")), "fixed": escape(_("fixed:")), "save": escape(_("Save")),
        }
        context.render_context["roster_cell"] = shared
    return shared


@register.simple_tag(takes_context=True)
def roster_cell(context, person, cell, prefix: str) -> SafeString:
    s = _shared(context)
    day = cell.date.isoformat()
    classes = "roster-cell" + (" rest-short" if cell.rest_short is not None else "") + (
        "" if cell.rostered else " off-roster")
    label = escape(f"{person.display_name}, {date_format(cell.date, 'm-d D')}")
    options = [f'<option value=""{" selected" if not cell.value else ""}>—</option>',
               f'<option value="rest"{" selected" if cell.value == "rest" else ""}>{s["rest"]}</option>']
    options += [f'<option value="{pk}"{" selected" if cell.value == pk else ""}>{text}</option>'
                for pk, text in s["options"]]
    extra = ""
    if cell.rest_short is not None:
        extra += format_html('<span class="badge bad" data-testid="rest-warning">{}</span>',
                             _("rest %(h)s h") % {"h": cell.rest_short})
    if not cell.rostered and cell.shift is not None:
        extra += f'<span class="muted small">{s["fixed"]} {cell.shift.start:%H:%M}</span>'
    html = (f'<form class="{classes}" method="post" action="{s["url"]}" hx-post="{s["url"]}" hx-trigger="change" '
            f'hx-target="#planner" hx-swap="outerHTML" hx-disabled-elt="#planner select">'
            f'<input type="hidden" name="employee" value="{person.pk}"><input type="hidden" name="date" value="{day}">'
            f'{s["hidden"]}<select name="shift" aria-label="{label}" data-testid="{escape(prefix)}-{person.pk}-{day}">'
            f'{"".join(options)}</select>{extra}'
            f'<noscript><button type="submit" class="secondary">{s["save"]}</button></noscript></form>')
    return mark_safe(html)  # noqa: S308 — every value above is escaped or a number/ISO date
