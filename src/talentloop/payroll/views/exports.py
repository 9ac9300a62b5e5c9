"""Payroll pages: the files of a run (bank transfer file, IIT withholding sheet, journal, contribution
lists) with the layout and format chooser, and the column layouts of the bank file and the IIT sheet.

For payroll of the run's pay group and administrators; anyone else gets the 404 of a page that does not
exist. A refused download (people without a bank account, a run not far enough) comes back as the page
with the reason and, where there is one, the list of people to fix."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from
from talentloop.core.http import require as _require
from talentloop.payroll import access, exports
from talentloop.payroll import selectors_exports as selectors
from talentloop.payroll.exports import layouts
from talentloop.payroll.exports.services import export_layout_delete, export_layout_save
from talentloop.payroll.models import ExportEncoding, ExportFormat, ExportKind, ExportLayout

SPARE_ROWS = 5
DESCRIPTIONS = {
    exports.BANK: gettext_lazy(
        "One row per person paid a positive net amount, in the columns your bank's bulk upload reads. "
        "Made from an approved or a locked run."
    ),
    exports.IIT: gettext_lazy(
        "The month's wages in the columns of the tax bureau's import template (正常工资薪金所得), with "
        "the annual bonuses taxed separately on their own sheet. Made from a locked run."
    ),
    exports.JOURNAL: gettext_lazy(
        "For finance: per cost centre (the person's org unit at the end of the month) and line, the sums "
        "of earnings, deductions, employer costs and net pay. Made from a locked run."
    ),
    exports.CONTRIBUTIONS: gettext_lazy(
        "Per social-insurance city and fund: each person's base, the employee's and the employer's amounts, "
        "and the totals. Made from a locked run."
    ),
}


def _run_or_404(request, pk: int):
    run = selectors.export_run_get(request.actor, pk)
    _require(run is not None and access.can_export_run(request.actor, run))
    return run


def _exports_page(request, run, *, error: DomainError | None = None, status: int = 200):
    actor = request.actor
    saved = list(selectors.export_layout_list(actor))
    cards = []
    for kind in exports.KINDS:
        layout_choices: list[tuple[str, str]] = []
        if kind in exports.LAYOUT_KINDS:
            mine = [layout for layout in saved if layout.kind == kind]
            if not any(layout.is_default for layout in mine):
                layout_choices.append(("", _("%(name)s (built in)") % {"name": layouts.default_layout(kind).name}))
            layout_choices += [(str(layout.pk), layout.name) for layout in mine]
        cards.append(
            {
                "kind": kind,
                "label": exports.KIND_LABELS[kind],
                "description": DESCRIPTIONS[kind],
                "available": run.state in exports.STATES[kind],
                "formats": [(f, ExportFormat(f).label) for f in exports.FORMATS[kind]],
                "layouts": layout_choices,
            }
        )
    context = {
        "run": run,
        "cards": cards,
        "error": error,
        "error_items": [m for messages_ in (error.errors.values() if error else []) for m in messages_],
        "can_manage_layouts": access.can_manage_export_layouts(actor),
    }
    return TemplateResponse(request, "payroll/exports.html", context, status=status)


@login_required
@require_GET
def run_exports(request, pk: int):
    """The files this run can give, each with its download button."""
    return _exports_page(request, _run_or_404(request, pk))


@login_required
@require_GET
def run_export(request, pk: int, kind: str):
    """Download one file of the run (``?layout=<id>&format=csv|xlsx``)."""
    run = _run_or_404(request, pk)
    _require(kind in exports.KINDS)
    layout = None
    layout_id = request.GET.get("layout", "")
    if layout_id:
        layout = selectors.export_layout_get(request.actor, int(layout_id)) if layout_id.isdigit() else None
        _require(layout is not None)
    fmt = request.GET.get("format", "")
    try:
        result = exports.export_for(request.actor, kind=kind, run=run, layout=layout, fmt=fmt)
    except DomainError as exc:
        return _exports_page(request, run, error=exc, status=exc.status)
    response = HttpResponse(result.content, content_type=result.content_type)
    response["Content-Disposition"] = content_disposition_header(True, result.filename)
    response["Cache-Control"] = "no-store"
    return response


# ------------------------------------------------------------------------------------------------ layouts


class LayoutForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=ExportFormat.choices)
    encoding = forms.ChoiceField(
        label=gettext_lazy("CSV encoding"),
        choices=ExportEncoding.choices,
        help_text=gettext_lazy("Most Chinese banks read GB18030 (GBK); Excel reads UTF-8 only with the BOM."),
    )
    is_default = forms.BooleanField(label=gettext_lazy("Use by default for this export"), required=False)


def _column_rows(kind: str, columns: list[dict[str, Any]], data: Any = None) -> list[dict[str, Any]]:
    """The rows of the column picker: the layout's columns, then a few empty ones to add more. From a
    posted form, what was posted (so a refused layout comes back as typed)."""
    if data is not None:
        count = min(int(data.get("rows", "0") or 0) if str(data.get("rows", "")).isdigit() else 0, 100)
        return [
            {
                "index": i,
                "field": data.get(f"field_{i}", ""),
                "header": data.get(f"header_{i}", ""),
                "value": data.get(f"value_{i}", ""),
                "order": data.get(f"order_{i}", str(i + 1)),
                "errors": [],
            }
            for i in range(count)
        ]
    rows = [
        {"index": i, "field": c.get("field", ""), "header": c.get("header", ""), "value": c.get("value", ""),
         "order": str(i + 1), "errors": []}
        for i, c in enumerate(columns)
    ]  # fmt: skip
    start = len(rows)
    rows += [
        {"index": start + j, "field": "", "header": "", "value": "", "order": str(start + j + 1), "errors": []}
        for j in range(SPARE_ROWS)
    ]
    return rows


def _posted_columns(rows: list[dict[str, Any]]) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """The posted rows that name a field, in the order asked for (then as listed), and the rows each
    column came from (to show a column's error on its row)."""

    def order_of(row: dict[str, Any]) -> tuple[int, int]:
        text = str(row["order"]).strip()
        return (int(text) if text.isdigit() else 10_000, row["index"])

    used = sorted((r for r in rows if str(r["field"]).strip()), key=order_of)
    return [{"field": r["field"], "header": r["header"], "value": r["value"]} for r in used], used


def _layout_page(request, *, kind: str, layout: ExportLayout | None, form: LayoutForm, rows: list, status: int = 200):
    context = {
        "kind": kind,
        "kind_label": exports.KIND_LABELS[kind],
        "layout": layout,
        "form": form,
        "rows": rows,
        "fields": [(key, str(f.label)) for key, f in layouts.FIELDS[kind].items()],
        "constant": layouts.CONSTANT,
    }
    return TemplateResponse(request, "payroll/export_layout_form.html", context, status=status)


def _save(request, *, kind: str, layout: ExportLayout | None):
    form = LayoutForm(request.POST)
    rows = _column_rows(kind, [], data=request.POST)
    columns, used = _posted_columns(rows)
    if form.is_valid():
        try:
            saved = export_layout_save(actor=request.actor, layout=layout, kind=kind, columns=columns,
                                       **form.cleaned_data)  # fmt: skip
        except DomainError as exc:
            form_errors_from(form, exc)
            for key, msgs in exc.errors.items():
                parts = key.split(".")
                if parts[0] == "columns" and len(parts) > 1 and parts[1].isdigit() and int(parts[1]) < len(used):
                    used[int(parts[1])]["errors"] += msgs
        else:
            messages.success(request, _("The layout “%(name)s” is saved.") % {"name": saved.name})
            return redirect("payroll:export-layouts")
    status = 422 if getattr(request, "htmx", False) else 200
    return _layout_page(request, kind=kind, layout=layout, form=form, rows=rows, status=status)


@login_required
@require_GET
def layout_list(request):
    actor = request.actor
    _require(access.can_manage_export_layouts(actor))
    saved = list(selectors.export_layout_list(actor))
    kinds = [
        {"kind": kind, "label": exports.KIND_LABELS[kind], "default": layouts.default_layout(kind),
         "layouts": [layout for layout in saved if layout.kind == kind]}
        for kind in exports.LAYOUT_KINDS
    ]  # fmt: skip
    return TemplateResponse(request, "payroll/export_layouts.html", {"kinds": kinds})


@login_required
@require_http_methods(["GET", "POST"])
def layout_create(request):
    actor = request.actor
    _require(access.can_manage_export_layouts(actor))
    kind = request.GET.get("kind") or request.POST.get("kind") or ExportKind.BANK
    _require(kind in exports.LAYOUT_KINDS)
    if request.method == "POST":
        return _save(request, kind=kind, layout=None)
    start = layouts.default_layout(kind)
    form = LayoutForm(initial={"name": "", "format": start.format, "encoding": start.encoding})
    return _layout_page(request, kind=kind, layout=None, form=form, rows=_column_rows(kind, start.columns))


@login_required
@require_http_methods(["GET", "POST"])
def layout_edit(request, pk: int):
    actor = request.actor
    layout = selectors.export_layout_get(actor, pk)
    _require(layout is not None)
    assert layout is not None
    if request.method == "POST":
        return _save(request, kind=layout.kind, layout=layout)
    form = LayoutForm(
        initial={"name": layout.name, "format": layout.format, "encoding": layout.encoding,
                 "is_default": layout.is_default}
    )  # fmt: skip
    return _layout_page(
        request, kind=layout.kind, layout=layout, form=form, rows=_column_rows(layout.kind, layout.columns)
    )


@login_required
@require_POST
def layout_delete(request, pk: int):
    layout = selectors.export_layout_get(request.actor, pk)
    _require(layout is not None)
    assert layout is not None
    export_layout_delete(actor=request.actor, layout=layout)
    messages.success(request, _("The layout “%(name)s” is deleted.") % {"name": layout.name})
    return redirect("payroll:export-layouts")


urlpatterns = [
    path("runs/<int:pk>/exports/", run_exports, name="run-exports"),
    path("runs/<int:pk>/exports/<str:kind>/", run_export, name="run-export"),
    path("export-layouts/", layout_list, name="export-layouts"),
    path("export-layouts/new/", layout_create, name="export-layout-create"),
    path("export-layouts/<int:pk>/", layout_edit, name="export-layout-edit"),
    path("export-layouts/<int:pk>/delete/", layout_delete, name="export-layout-delete"),
]
