"""The fields an export layout may choose from, the shipped default layouts and their validation.

A layout is data (``ExportLayout.columns``): an ordered list of ``{"field", "header", "value"}``. The
header is what the file's first row says (empty: the field's label in the reader's language); ``value``
is the text of the constant column and nothing else.

The default IIT layout follows the "正常工资薪金所得" import template of the withholding client of
the Natural Person Electronic Tax Bureau (自然人电子税务局扣缴端). What was verified, and how far:

- Against the tax bureau itself: nothing. The template is an Excel file the client downloads; no
  official page (https://etax.chinatax.gov.cn or a provincial tax bureau) listing its columns was
  found in the sources searched, so no official URL can be given.
- The 24 headers of the wage sheet, in this order (工号, *姓名, *证件类型, *证件号码, 本期收入,
  本期免税收入, 基本养老保险费, 基本医疗保险费, 失业保险费, 住房公积金, 累计子女教育, 累计继续教育,
  累计住房贷款利息, 累计住房租金, 累计赡养老人, 累计3岁以下婴幼儿照护, 累计个人养老金, 企业(职业)年金,
  商业健康保险, 税延养老保险, 其他, 准予扣除的捐赠额, 减免税额, 备注) and the sheet name
  "正常工资薪金收入": identical in two independent public payroll programs that write this import
  (found by a code search; a Node.js payroll service and a Python report tool), and the first ten in
  a third (a Java exporter writing "居民身份证" as the ID type).
- The eleven headers of the annual-bonus import (工号, *姓名, *证件类型, *证件号码, *全年一次性奖金额,
  免税收入, 其他, 准予扣除的捐赠额, 减免税额, 协定减免, 备注): one public tool only, which calls the
  template "全年一次性奖金收入" (the income item's name in the client); that is this sheet's name.
- Not verified: whether the client needs "居民身份证" exactly (all three write it), the template's
  hidden rows and column widths (an import by header name does not need them), and whether newer
  client versions added columns. A tax office that publishes another order only needs a new layout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from talentloop.payroll.models import ExportEncoding, ExportFormat, ExportKind, ExportLayout

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

CONSTANT = "constant"
MAX_COLUMNS = 60
MAX_HEADER = 120
MAX_VALUE = 200
#: The ID document type the tax bureau's import expects for a mainland resident identity card. It is
#: the bureau's code text, written into the file as it is (never translated).
RESIDENT_ID_CARD = "居民身份证"


@dataclass(frozen=True)
class FieldDef:
    key: str
    label: StrOrPromise
    money: bool = False


def _fields(*defs: FieldDef) -> Mapping[str, FieldDef]:
    return {d.key: d for d in defs}


COMMON = (
    FieldDef("employee_number", pgettext_lazy("export field", "Employee number")),
    FieldDef("name", pgettext_lazy("export field", "Name")),
    FieldDef("name_en", pgettext_lazy("export field", "Name in English")),
    FieldDef("national_id", pgettext_lazy("export field", "National ID number")),
)

FIELDS: Mapping[str, Mapping[str, FieldDef]] = {
    ExportKind.BANK: _fields(
        *COMMON,
        FieldDef("bank_account", pgettext_lazy("export field", "Bank account")),
        FieldDef("net_pay", pgettext_lazy("export field", "Net pay"), money=True),
        FieldDef("month", pgettext_lazy("export field", "Month")),
        FieldDef("payslip", pgettext_lazy("export field", "Payslip number")),
        FieldDef("pay_group", pgettext_lazy("export field", "Pay group")),
        FieldDef("org_unit", pgettext_lazy("export field", "Org unit")),
        FieldDef(CONSTANT, pgettext_lazy("export field", "Constant text")),
    ),
    ExportKind.IIT: _fields(
        *COMMON,
        FieldDef("id_type", pgettext_lazy("export field", "ID document type")),
        FieldDef("income", pgettext_lazy("export field", "Income of the month"), money=True),
        FieldDef("exempt_income", pgettext_lazy("export field", "Tax-exempt income of the month"), money=True),
        FieldDef("pension", pgettext_lazy("export field", "Pension insurance (employee)"), money=True),
        FieldDef("medical", pgettext_lazy("export field", "Medical insurance (employee)"), money=True),
        FieldDef("unemployment", pgettext_lazy("export field", "Unemployment insurance (employee)"), money=True),
        FieldDef("housing_fund", pgettext_lazy("export field", "Housing fund (employee)"), money=True),
        FieldDef("ytd_children_education", gettext_lazy("Children's education, year to date"), money=True),
        FieldDef("ytd_continuing_education", gettext_lazy("Continuing education, year to date"), money=True),
        FieldDef("ytd_housing_loan_interest", gettext_lazy("Housing loan interest, year to date"), money=True),
        FieldDef("ytd_housing_rent", gettext_lazy("Housing rent, year to date"), money=True),
        FieldDef("ytd_elderly_support", gettext_lazy("Elderly support, year to date"), money=True),
        FieldDef("ytd_infant_care", gettext_lazy("Care of infants under three, year to date"), money=True),
        FieldDef("ytd_personal_pension", gettext_lazy("Personal pension, year to date"), money=True),
        FieldDef("enterprise_annuity", gettext_lazy("Enterprise (occupational) annuity"), money=True),
        FieldDef("commercial_health_insurance", gettext_lazy("Commercial health insurance"), money=True),
        FieldDef("tax_deferred_pension", gettext_lazy("Tax-deferred pension insurance"), money=True),
        FieldDef("other", pgettext_lazy("export field", "Other deductions"), money=True),
        FieldDef("donation", gettext_lazy("Deductible donations"), money=True),
        FieldDef("tax_relief", gettext_lazy("Tax relief"), money=True),
        FieldDef("remark", pgettext_lazy("export field", "Remark")),
        FieldDef("month", pgettext_lazy("export field", "Month")),
        FieldDef("org_unit", pgettext_lazy("export field", "Org unit")),
        FieldDef(CONSTANT, pgettext_lazy("export field", "Constant text")),
    ),
}

#: Fields a layout of the kind cannot do without.
REQUIRED: Mapping[str, tuple[str, ...]] = {
    ExportKind.BANK: ("bank_account", "net_pay"),
    ExportKind.IIT: ("name", "national_id", "income"),
}


def _col(field: str, header: str = "", value: str = "") -> dict[str, str]:
    return {"field": field, "header": header, "value": value}


# The tax bureau's headers are the import's keys: Chinese whatever the reader's language.
IIT_DEFAULT_COLUMNS = [
    _col("employee_number", "工号"),
    _col("name", "*姓名"),
    _col("id_type", "*证件类型"),
    _col("national_id", "*证件号码"),
    _col("income", "本期收入"),
    _col("exempt_income", "本期免税收入"),
    _col("pension", "基本养老保险费"),
    _col("medical", "基本医疗保险费"),
    _col("unemployment", "失业保险费"),
    _col("housing_fund", "住房公积金"),
    _col("ytd_children_education", "累计子女教育"),
    _col("ytd_continuing_education", "累计继续教育"),
    _col("ytd_housing_loan_interest", "累计住房贷款利息"),
    _col("ytd_housing_rent", "累计住房租金"),
    _col("ytd_elderly_support", "累计赡养老人"),
    _col("ytd_infant_care", "累计3岁以下婴幼儿照护"),
    _col("ytd_personal_pension", "累计个人养老金"),
    _col("enterprise_annuity", "企业(职业)年金"),
    _col("commercial_health_insurance", "商业健康保险"),
    _col("tax_deferred_pension", "税延养老保险"),
    _col("other", "其他"),
    _col("donation", "准予扣除的捐赠额"),
    _col("tax_relief", "减免税额"),
    _col("remark", "备注"),
]
IIT_SHEET = "正常工资薪金收入"
IIT_BONUS_SHEET = "全年一次性奖金收入"
IIT_BONUS_HEADERS = [
    "工号", "*姓名", "*证件类型", "*证件号码", "*全年一次性奖金额", "免税收入", "其他", "准予扣除的捐赠额",
    "减免税额", "协定减免", "备注",
]  # fmt: skip

BANK_DEFAULT_COLUMNS = [_col("employee_number"), _col("name"), _col("bank_account"), _col("net_pay")]


def default_layout(kind: str) -> ExportLayout:
    """The shipped layout of ``kind``, unsaved: used when payroll has not made one the default."""
    if kind == ExportKind.IIT:
        return ExportLayout(
            kind=kind,
            name=str(_("Tax bureau import template (wages)")),
            format=ExportFormat.XLSX,
            encoding=ExportEncoding.GB18030,
            columns=[dict(c) for c in IIT_DEFAULT_COLUMNS],
        )
    return ExportLayout(
        kind=ExportKind.BANK,
        name=str(_("Bank transfer (standard)")),
        format=ExportFormat.CSV,
        encoding=ExportEncoding.GB18030,
        columns=[dict(c) for c in BANK_DEFAULT_COLUMNS],
    )


def header_of(kind: str, column: Mapping[str, Any]) -> str:
    header = str(column.get("header") or "").strip()
    if header:
        return header
    field = FIELDS[kind].get(str(column.get("field")))
    return str(field.label) if field is not None else str(column.get("field"))


def clean_columns(kind: str, columns: Any) -> tuple[list[dict[str, str]], dict[str, list[str]]]:
    """The columns in their stored shape, and the errors per field (``columns.<i>.field`` …): an unknown
    field is refused with its name, a constant column needs its text, the kind's required fields must
    be there."""
    errors: dict[str, list[str]] = {}
    fields = FIELDS.get(kind)
    if fields is None:
        return [], {"kind": [_("Unknown export kind.")]}
    if not isinstance(columns, list) or not columns:
        return [], {"columns": [_("Choose at least one column.")]}
    if len(columns) > MAX_COLUMNS:
        return [], {"columns": [_("At most %(n)s columns.") % {"n": MAX_COLUMNS}]}
    out: list[dict[str, str]] = []
    for i, raw in enumerate(columns):
        if not isinstance(raw, Mapping):
            errors[f"columns.{i}"] = [_("Each column names a field.")]
            continue
        field = str(raw.get("field") or "").strip()
        header = str(raw.get("header") or "").strip()
        value = str(raw.get("value") or "").strip() if field == CONSTANT else ""
        if not field:
            errors[f"columns.{i}.field"] = [_("Choose a field.")]
        elif field not in fields:
            errors[f"columns.{i}.field"] = [_("Unknown field “%(field)s”.") % {"field": field}]
        if len(header) > MAX_HEADER:
            errors[f"columns.{i}.header"] = [_("At most %(n)s characters.") % {"n": MAX_HEADER}]
        if field == CONSTANT and not value:
            errors[f"columns.{i}.value"] = [_("A constant column needs its text.")]
        if len(value) > MAX_VALUE:
            errors[f"columns.{i}.value"] = [_("At most %(n)s characters.") % {"n": MAX_VALUE}]
        out.append({"field": field, "header": header, "value": value})
    chosen = {c["field"] for c in out}
    missing = [str(fields[f].label) for f in REQUIRED[kind] if f not in chosen]
    if missing and not errors:
        errors["columns"] = [_("This export needs the columns: %(fields)s.") % {"fields": ", ".join(missing)}]
    return out, errors
