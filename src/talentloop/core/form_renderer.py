"""The form renderer: Django's own templates, except for the option lists of select boxes.

Django renders a ``<select>`` by including ``select_option.html`` once per option, and an include is
expensive: on the people list, the org-unit filter (about sixty units) took 8 ms of a 38 ms page, and
a select of every unit or job family appears on most forms HR uses. This renderer writes a select box
(``Select``, ``SelectMultiple``, ``NullBooleanSelect`` and the model choice fields, which all use
``django/forms/widgets/select.html`` with ``select_option.html``) in Python, producing the same markup
as the templates: the same attributes in the same order, values and labels escaped the same way.
Everything else, and any widget with its own templates, goes through the templates as before.
``core/tests/test_form_renderer.py`` compares both on every kind of select box.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _text(value) -> str:
    """A value as ``{{ value }}`` writes it (time zone, locale, escaping)."""
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}``: safe input stays safe (the filter is ``is_safe``)."""
    text = "%s" % (value,)  # noqa: UP031 - exactly what the stringformat filter does
    return mark_safe(text) if isinstance(value, SafeData) else _text(text)  # noqa: S308 - already safe


def _attrs(attrs: dict) -> str:
    """``attrs.html``: `` name="value"`` for each attribute, a bare name for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {_text(name)}")
        else:
            out.append(f' {_text(name)}="{_formatted(value)}"')
    return "".join(out)


def render_select(widget: dict) -> str:
    """The markup ``select.html`` and ``select_option.html`` produce for a widget's context."""
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _group_index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            parts.append(f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                         f'{_text(option["label"])}</option>\n')  # the option template ends with a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with select boxes written directly (see the module's docstring)."""

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if template_name == SELECT else None
        if widget is not None and all(option.get("template_name") == OPTION
                                      for _name, choices, _index in widget["optgroups"] for option in choices):
            return mark_safe(render_select(widget))  # noqa: S308 - every value above is escaped
        return super().render(template_name, context, request=request)
