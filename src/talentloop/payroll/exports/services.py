"""Writes of export layouts (payroll and administrators). The whole layout is checked before anything is
saved; making a layout the default of its kind takes the mark from the one that had it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import InvalidInput, PermissionDenied
from talentloop.payroll import access
from talentloop.payroll.exports.layouts import clean_columns
from talentloop.payroll.models import ExportEncoding, ExportFormat, ExportKind, ExportLayout


@transaction.atomic
def export_layout_save(
    *,
    actor: Actor,
    layout: ExportLayout | None = None,
    kind: str,
    name: str,
    format: str,  # noqa: A002 — the API's and the form's name for it
    encoding: str,
    columns: Any,
    is_default: bool = False,
) -> ExportLayout:
    """Create a layout (``layout`` None) or change one. Errors per field, e.g. ``columns.2.field`` for
    an unknown field, named in the message."""
    if not access.can_manage_export_layouts(actor):
        raise PermissionDenied(_("Only payroll keeps the export layouts."))
    errors: dict[str, list[str]] = {}
    if kind not in ExportKind.values:
        errors["kind"] = [_("Unknown export kind.")]
    if layout is not None and layout.kind != kind:
        errors["kind"] = [_("A layout keeps its kind; make a new one for another export.")]
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 120:
        errors["name"] = [_("At most %(n)s characters.") % {"n": 120}]
    if format not in ExportFormat.values:
        errors["format"] = [_("Choose CSV or Excel.")]
    if encoding not in ExportEncoding.values:
        errors["encoding"] = [_("Choose UTF-8 with BOM or GB18030.")]
    cleaned: list[dict[str, str]] = []
    if "kind" not in errors:
        cleaned, column_errors = clean_columns(kind, columns)
        errors |= column_errors
    if name and "kind" not in errors:
        clash = ExportLayout.objects.filter(kind=kind, name=name)
        if layout is not None:
            clash = clash.exclude(pk=layout.pk)
        if clash.exists():
            errors["name"] = [_("Another layout of this export has this name.")]
    if errors:
        raise InvalidInput(_("The layout is not valid."), errors)
    created = layout is None
    if layout is None:
        layout = ExportLayout(kind=kind, created_by=actor.user)
    layout.name, layout.format, layout.encoding, layout.columns = name, format, encoding, cleaned
    layout.is_default = bool(is_default)
    if layout.is_default:
        ExportLayout.objects.filter(kind=kind, is_default=True).exclude(pk=layout.pk).update(is_default=False)
    layout.full_clean()
    layout.save()
    audit_record(
        actor=actor,
        action="create" if created else "update",
        obj=layout,
        summary=f"payroll export layout {layout.kind}",
        changes={"columns": [c["field"] for c in cleaned], "format": format, "is_default": layout.is_default},
    )
    return layout


@transaction.atomic
def export_layout_delete(*, actor: Actor, layout: ExportLayout) -> None:
    if not access.can_manage_export_layouts(actor):
        raise PermissionDenied(_("Only payroll keeps the export layouts."))
    audit_record(actor=actor, action="delete", obj=layout, summary=f"payroll export layout {layout.kind}")
    layout.delete()
