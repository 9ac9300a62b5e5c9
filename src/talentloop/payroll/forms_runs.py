"""Forms of the payroll run pages: a new run, the reasons and confirmations of the workflow steps, a
one-off pay item, and the attendance file (read with ``core.tabular``, previewed, then stored)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core import tabular
from talentloop.core.access import Actor
from talentloop.organisation.forms import EmployeeRefField
from talentloop.payroll import selectors_runs as selectors
from talentloop.payroll.models import PayGroup, PayItemKind, PayrollRun, RunKind, RunState
from talentloop.payroll.rules.iit_bonus import BonusMethod
from talentloop.payroll.services.runs import ATTENDANCE_FIELDS

#: The people picker's scope for the people of the actor's pay groups (registered by the payroll app).
PICKER_SCOPE = "payroll-subjects"
MAX_UPLOAD_BYTES = tabular.MAX_BYTES
MAX_ATTENDANCE_ROWS = 20_000
FILTER_ID = "filter_%s"


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.CharField):
    """A tax month typed as ``YYYY-MM`` (the value of ``<input type="month">``), cleaned to its first day."""

    widget = MonthInput

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]  # a date, not text
        text = super().to_python(value)
        if not text:
            return None
        if len(text) > 10:
            raise ValidationError(_("Enter the month as YYYY-MM."), code="invalid")
        try:
            return dt.datetime.strptime(text.strip(), "%Y-%m").date()
        except ValueError:
            raise ValidationError(_("Enter the month as YYYY-MM."), code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        return value.strftime("%Y-%m") if isinstance(value, dt.date) else value


# ------------------------------------------------------------------------------------------------ runs


class RunFilterForm(forms.Form):
    pay_group = forms.ModelChoiceField(
        label=_("Pay group"), queryset=PayGroup.objects.none(), required=False, empty_label=_("All")
    )
    month = MonthField(label=pgettext_lazy("payroll", "Tax month"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *RunState.choices])

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", FILTER_ID)
        super().__init__(*args, **kwargs)
        self.fields["pay_group"].queryset = selectors.run_pay_groups(actor)
        self.fields["pay_group"].to_field_name = "key"


class RunCreateForm(forms.Form):
    pay_group = forms.ModelChoiceField(label=_("Pay group"), queryset=PayGroup.objects.none())
    month = MonthField(label=pgettext_lazy("payroll", "Tax month"), help_text=_("The month the wages are paid in."))
    kind = forms.ChoiceField(
        label=pgettext_lazy("payroll run", "Kind"),
        choices=[(k, label) for k, label in RunKind.choices if k != RunKind.REVERSAL],
        initial=RunKind.REGULAR,
    )
    employee = EmployeeRefField(
        label=_("Leaver"),
        queryset=PayGroup.objects.none(),
        required=False,
        scope=PICKER_SCOPE,
        help_text=_("Final pay only: the person leaving."),
    )
    title = forms.CharField(label=_("Title"), max_length=120, required=False)

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pay_group"].queryset = selectors.run_pay_groups(actor).filter(active=True)
        self.fields["employee"].queryset = selectors.pay_item_people(actor)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == RunKind.FINAL_PAY and not data.get("employee") and "employee" not in self.errors:
            self.add_error("employee", _("A final-pay run is for one leaver: choose the person."))
        if data.get("kind") != RunKind.FINAL_PAY:
            data["employee"] = None
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class LockForm(forms.Form):
    confirm = forms.BooleanField(label=_("The wages are paid: lock the run and publish the payslips"))


class FilterForm(forms.Form):
    """A list's filters: their own element ids, as they share the page with a form of the same fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", FILTER_ID)
        super().__init__(*args, **kwargs)


class ReviewFilterForm(FilterForm):
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    only = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Everyone")),
            ("flagged", _("Flagged")),
            ("outliers", _("Outliers")),
            ("refused", _("Refused")),
            ("changed", _("Changed")),
        ],
    )


# ------------------------------------------------------------------------------------------------ pay items


class PayItemFilterForm(FilterForm):
    month = MonthField(label=pgettext_lazy("payroll", "Tax month"), required=False)
    paid = forms.ChoiceField(
        label=_("Paid"),
        required=False,
        choices=[("", _("All")), ("no", _("Not paid yet")), ("yes", _("Paid"))],
    )


class PayItemForm(forms.Form):
    employee = EmployeeRefField(label=_("Person"), queryset=PayGroup.objects.none(), scope=PICKER_SCOPE)
    month = MonthField(label=pgettext_lazy("payroll", "Tax month"))
    kind = forms.ChoiceField(label=pgettext_lazy("pay item", "Kind"), choices=PayItemKind.choices)
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=12,
        decimal_places=2,
        help_text=_("In yuan. Only a correction may be negative."),
    )
    taxable = forms.BooleanField(label=_("Taxable"), required=False, initial=True)
    bonus_method = forms.ChoiceField(
        label=_("Bonus taxation"),
        required=False,
        choices=[
            ("", "—"),
            (BonusMethod.SEPARATE, _("Separately (the annual one-time bonus table)")),
            (BonusMethod.MERGED, _("Merged with the wages")),
        ],
        help_text=_("Annual bonus only."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, help_text=_("The person sees it on the payslip."))
    corrects = forms.ModelChoiceField(
        label=_("Corrects the run"),
        queryset=PayrollRun.objects.none(),
        required=False,
        help_text=_("Correction only: the locked run it corrects."),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = selectors.pay_item_people(actor)
        self.fields["corrects"].queryset = selectors.locked_runs(actor)
        self.fields["corrects"].label_from_instance = selectors.run_label
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.01"})


# ------------------------------------------------------------------------------------------------ attendance


#: The attendance file's columns and the Chinese headings accepted for them.
ATTENDANCE_COLUMNS = ["employee_number", *ATTENDANCE_FIELDS]
ATTENDANCE_ALIASES = {
    "工号": "employee_number",
    "应出勤天数": "scheduled_days",
    "事假天数": "unpaid_leave_days",
    "病假天数": "sick_days",
    "工作日加班小时": "overtime_hours_150",
    "休息日加班小时": "overtime_hours_200",
    "法定节假日加班小时": "overtime_hours_300",
}
ATTENDANCE_TABLE = tabular.Columns(
    allowed=[*ATTENDANCE_COLUMNS, *ATTENDANCE_ALIASES],
    required=[("employee_number", "工号"), ("scheduled_days", "应出勤天数")],
    max_rows=MAX_ATTENDANCE_ROWS,
    too_wide=_("The file has %(n)s columns; an attendance file has at most %(max)s."),
    no_rows=_("The file has a header but no people."),
)


class AttendanceUploadForm(forms.Form):
    month = MonthField(label=_("Attendance month"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or Excel (.xlsx), up to 5 MB, one row per person, the columns of the template."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 5 MB. Split it into smaller files."))
        return upload


class AttendanceConfirmForm(forms.Form):
    token = forms.CharField(max_length=64)
    keep_good = forms.BooleanField(required=False)


def attendance_rows(content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The file's rows as (line, {column: text}); ``core.tabular`` refuses a file that is no table of
    ours (``InvalidInput`` on ``file``)."""
    _header, rows = tabular.read_table(content, ATTENDANCE_TABLE)
    out = []
    for line, cells in rows:
        row = {ATTENDANCE_ALIASES.get(k, k): tabular.cell_text(v) for k, v in cells.items() if k != tabular.EXTRA}
        out.append((line, row))
    return out


def attendance_service_rows(rows: list[tuple[int, dict[str, Any]]], ids: dict[str, int]) -> list[dict[str, Any]]:
    """The rows as ``attendance_figures_import`` takes them: the person's id instead of their number
    (None when the number names nobody of the actor's groups) and the figures as given (an empty
    figure other than the scheduled days is 0)."""
    out = []
    for _line, row in rows:
        values: dict[str, Any] = {"employee": ids.get(str(row.get("employee_number", "")).strip())}
        for name in ATTENDANCE_FIELDS:
            raw = str(row.get(name, "") or "").strip()
            if raw == "" and name != "scheduled_days":
                raw = "0"
            values[name] = raw if raw else None
        out.append(values)
    return out


def attendance_template_csv() -> bytes:
    """The empty attendance file with its header row and one example row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ATTENDANCE_COLUMNS)
    writer.writerow(["TL0001", "21.75", "0", "0", "0", "0", "0"])
    return buffer.getvalue().encode("utf-8-sig")
