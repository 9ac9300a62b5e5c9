"""Forms of the performance pages: period pickers, HR's configuration (metrics, the scorecard editor)
and the observation upload (reading CSV and Excel files with the organisation import's readers)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from talentloop.core import tabular
from talentloop.core.access import Actor
from talentloop.core.errors import DomainError
from talentloop.organisation import importing
from talentloop.organisation.access import visible_job_families, visible_org_units
from talentloop.organisation.models import JobFamily, OrgUnit
from talentloop.performance import access
from talentloop.performance import periods as P
from talentloop.performance.models import Metric, Scorecard, SubjectKind
from talentloop.performance.services.observations import MAX_ITEMS

# Years 1900–2999: every period and its neighbours stay within the calendar Python can count.
PERIOD_RE = r"^(19|2\d)\d{2}(-(0[1-9]|1[0-2])|-Q[1-4])?$"
# The shared stylesheet styles text, number and date inputs; a month input gets the same look here.
MONTH_INPUT_STYLE = ("width:100%;min-height:var(--tap);padding:.5rem .7rem;border:1px solid #c9d0da;border-radius:8px;"
                     "font-size:1rem;background:#fff;font-family:inherit;color:var(--ink)")
MONTH_RE = re.compile(r"^((?:19|2\d)\d{2})-(0[1-9]|1[0-2])$")
MAX_DIMENSIONS = 20
MAX_METRICS_PER_DIMENSION = 20


# ---------------------------------------------------------------- pickers and filters


class PeriodField(forms.RegexField):
    """``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``; cleans to a ``periods.Period``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", gettext_lazy("Period"))
        kwargs.setdefault("error_messages", {"invalid": gettext_lazy("Use YYYY-MM, YYYY-Qn or YYYY.")})
        super().__init__(PERIOD_RE, max_length=7, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return P.parse(value) if value else None


class PeriodForm(forms.Form):
    period = PeriodField()


class ObservationFilterForm(forms.Form):
    period = PeriodField()
    metric = forms.SlugField(required=False, max_length=60)
    replaced = forms.BooleanField(required=False, label=gettext_lazy("Show replaced values"))
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)


class TeamFilterForm(forms.Form):
    period = PeriodField()
    manager = forms.IntegerField(required=False, min_value=1, max_value=2**53)


class OrgFilterForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Compare the units of"), queryset=OrgUnit.objects.none(),
                                  required=False, empty_label=gettext_lazy("The whole organisation"))
    to = forms.RegexField(label=gettext_lazy("Up to the month"), regex=MONTH_RE, required=False, max_length=7,
                          widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM",
                                                        "style": MONTH_INPUT_STYLE}),
                          error_messages={"invalid": gettext_lazy("Use YYYY-MM.")})
    threshold = forms.DecimalField(label=gettext_lazy("Attainment threshold (total)"), required=False,
                                   min_value=0, max_value=120, max_digits=6, decimal_places=2,
                                   help_text=gettext_lazy("A person attains when their total is at least this."))

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_org_units(actor).filter(is_active=True).order_by("path")


# ---------------------------------------------------------------- metrics


class MetricForm(forms.ModelForm):
    class Meta:
        model = Metric
        fields = ["key", "name", "name_en", "unit", "direction", "aggregation", "numerator", "denominator",
                  "ratio_scale", "scoring_rule", "zero_point", "subject_kind", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "key": gettext_lazy("Letters, digits and hyphens; integrations send observations with this key."),
            "numerator": gettext_lazy("Only for a ratio: e.g. bugs in “bugs per 1,000 lines”."),
            "denominator": gettext_lazy("Only for a ratio: e.g. lines in “bugs per 1,000 lines”."),
        }

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        metrics = access.visible_metrics(actor).filter(subject_kind=SubjectKind.EMPLOYEE)
        if self.instance.pk:
            metrics = metrics.exclude(pk=self.instance.pk)
        for name in ("numerator", "denominator"):
            self.fields[name].queryset = metrics
            self.fields[name].empty_label = _("— none —")

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


# ---------------------------------------------------------------- the scorecard editor


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (the browser's month picker); cleans to the month's first day."""

    widget = MonthInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "YYYY-MM")
        self.widget.attrs.setdefault("maxlength", "7")
        self.widget.attrs.setdefault("style", MONTH_INPUT_STYLE)

    def prepare_value(self, value):
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = MONTH_RE.match(value.strip())
        if not match:
            raise forms.ValidationError(_("Use a month written as YYYY-MM."))
        return dt.date(int(match.group(1)), int(match.group(2)), 1)


def _weight(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=7, decimal_places=3, min_value=0, max_value=100,
                              widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}), **kwargs)


class ScorecardHeadForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=120, required=False)
    org_unit = forms.ModelChoiceField(label=gettext_lazy("Org unit"), queryset=OrgUnit.objects.none(),
                                      required=False, empty_label=gettext_lazy("The whole organisation"),
                                      help_text=gettext_lazy("Sub-units inherit the scorecard."))
    job_family = forms.ModelChoiceField(label=gettext_lazy("Job family"), queryset=JobFamily.objects.none(),
                                        required=False, empty_label=gettext_lazy("Every job family"))
    valid_from = MonthField(label=gettext_lazy("Applies from the month"),
                            help_text=gettext_lazy("Past periods keep the version they were scored with."))
    note = forms.CharField(label=gettext_lazy("Note about this version"), max_length=300, required=False)

    def __init__(self, *args, actor: Actor, scorecard: Scorecard | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if scorecard is not None:
            # The scope of a scorecard is fixed; a new version changes its dimensions only.
            del self.fields["org_unit"], self.fields["job_family"]
        else:
            self.fields["org_unit"].queryset = visible_org_units(actor).filter(is_active=True).order_by("path")
            self.fields["job_family"].queryset = visible_job_families(actor)


class DimensionForm(forms.Form):
    key = forms.SlugField(label=gettext_lazy("Key"), max_length=60)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=120, required=False)
    weight = _weight(gettext_lazy("Weight (%)"))
    ratings_weight = _weight(gettext_lazy("Ratings' share (%)"), required=False, initial=0,
                             help_text=gettext_lazy("The part of this dimension scored by qualitative ratings."))
    manager_weight = _weight(gettext_lazy("Manager (%)"), required=False, initial=100)
    peer_weight = _weight(gettext_lazy("Peers (%)"), required=False, initial=0)
    self_weight = _weight(gettext_lazy("Self (%)"), required=False, initial=0)

    def has_changed(self) -> bool:
        """A row counts once it names a dimension or gives ratings a share; the rater weights alone
        (prefilled 100 / 0 / 0) do not make a blank row."""
        if not self.is_bound:
            return super().has_changed()
        filled = any((self[name].data or "").strip() for name in ("key", "name", "name_en", "weight"))
        ratings = (self["ratings_weight"].data or "").strip()
        return filled or ratings not in ("", "0")

    def clean(self):
        data = super().clean()
        for name, default in (("ratings_weight", 0), ("manager_weight", 100), ("peer_weight", 0), ("self_weight", 0)):
            if data.get(name) is None and name not in self.errors:
                data[name] = Decimal(default)
        return data


class MetricChoiceField(forms.ChoiceField):
    """A metric picked by id from a list read once for the whole editor (no query per row)."""

    def __init__(self, *, metrics: dict[str, Metric], **kwargs):
        self.metrics = metrics
        choices = [("", _("— choose a metric —"))] + [(str(pk), m.label + (f" ({m.unit})" if m.unit else ""))
                                                     for pk, m in metrics.items()]
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return self.metrics.get(str(value)) if value else None

    def has_changed(self, initial, data):
        initial = str(initial.pk) if isinstance(initial, Metric) else ("" if initial is None else str(initial))
        return initial != (data or "")

    def prepare_value(self, value):
        return str(value.pk) if isinstance(value, Metric) else value


class DimensionMetricForm(forms.Form):
    weight = _weight(gettext_lazy("Weight (%)"))
    target = forms.DecimalField(label=gettext_lazy("Monthly target"), max_digits=20, decimal_places=6,
                                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))
    tolerance = forms.DecimalField(label=gettext_lazy("Tolerance"), max_digits=20, decimal_places=6, required=False,
                                   validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("1e13"))],
                                   widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}))

    def __init__(self, *args, metrics: dict[str, Metric], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"metric": MetricChoiceField(label=_("Metric"), metrics=metrics), **self.fields}


def _count(data, key: str, limit: int) -> int:
    try:
        return max(0, min(limit, int(data.get(key, 0))))
    except (TypeError, ValueError):
        return 0


class ScorecardEditor:
    """The scorecard (or new version) form: a head form and dimension rows, each with metric rows.

    Row counts travel in hidden inputs (``dims`` and ``d<i>-count``); rows left blank are ignored, so
    the page can offer spare rows and "add" buttons (a plain submit that re-renders with one more row).
    """

    def __init__(self, data=None, *, actor: Actor, scorecard: Scorecard | None = None,
                 initial_head: dict | None = None, initial_rows: list[dict] | None = None):
        self.scorecard = scorecard
        self.metrics = {str(m.pk): m for m in access.visible_metrics(actor).filter(subject_kind=SubjectKind.EMPLOYEE)
                        .order_by("key")}
        self.head = ScorecardHeadForm(data, actor=actor, scorecard=scorecard, initial=initial_head, prefix="card")
        self.rows: list[tuple[DimensionForm, list[DimensionMetricForm]]] = []
        self._index: list[int] = []  # the service's dimension index -> row index
        if data is None:
            rows = initial_rows or [{}]
            for i, init in enumerate(rows):
                metrics = init.get("metrics", [])
                self._add_row(None, i, {k: v for k, v in init.items() if k != "metrics"}, metrics,
                              len(metrics) + (1 if metrics else 2))
        else:
            for i in range(_count(data, "dims", MAX_DIMENSIONS)):
                self._add_row(data, i, None, [], _count(data, f"d{i}-count", MAX_METRICS_PER_DIMENSION))

    def _add_row(self, data, i: int, initial: dict | None, metric_initial: list[dict], count: int) -> None:
        dim = DimensionForm(data, prefix=f"d{i}", initial=initial, empty_permitted=True,
                            use_required_attribute=False)
        forms_ = [DimensionMetricForm(data, prefix=f"d{i}-m{j}", metrics=self.metrics,
                                      initial=metric_initial[j] if j < len(metric_initial) else None,
                                      empty_permitted=True, use_required_attribute=False)
                  for j in range(count)]
        self.rows.append((dim, forms_))

    # Adding rows re-renders the posted values as a fresh (unbound) editor, so no errors show yet.
    @classmethod
    def with_added_row(cls, data, *, actor: Actor, scorecard: Scorecard | None, add: str) -> ScorecardEditor:
        bound = cls(data, actor=actor, scorecard=scorecard)
        rows = []
        for dim, metric_forms in bound.rows:
            row = {name: dim[name].data for name in dim.fields}
            row["metrics"] = [{name: f[name].data for name in f.fields} for f in metric_forms]
            rows.append(row)
        if add == "dimension" and len(rows) < MAX_DIMENSIONS:
            rows.append({"metrics": [{}, {}]})
        elif add.startswith("metric-") and add[7:].isdigit() and int(add[7:]) < len(rows):
            target = rows[int(add[7:])]["metrics"]
            if len(target) < MAX_METRICS_PER_DIMENSION:
                target.append({})
        head = {name: bound.head[name].data for name in bound.head.fields}
        editor = cls(actor=actor, scorecard=scorecard, initial_head=head, initial_rows=rows)
        # Keep exactly the rows that were there (plus the new one): no extra blank metric rows.
        for (_dim, metric_forms), row in zip(editor.rows, rows, strict=True):
            del metric_forms[max(len(row["metrics"]), 1):]
        return editor

    @property
    def dimension_count(self) -> int:
        return len(self.rows)

    def is_valid(self) -> bool:
        ok = self.head.is_valid()
        for dim, metric_forms in self.rows:
            ok = dim.is_valid() and ok
            for f in metric_forms:
                ok = f.is_valid() and ok
            if dim.is_valid() and not dim.cleaned_data and any(f.cleaned_data for f in metric_forms if f.is_valid()):
                dim.add_error(None, _("These metrics need a dimension: fill in its key, name and weight."))
                ok = False
        return ok

    def dimensions(self) -> list[dict]:
        """The dimensions in the shape ``scorecard_save`` takes, blank rows left out."""
        out = []
        self._index = []
        for i, (dim, metric_forms) in enumerate(self.rows):
            if not dim.cleaned_data:
                continue
            row = dict(dim.cleaned_data)
            row["metrics"] = [dict(f.cleaned_data) for f in metric_forms if f.cleaned_data]
            out.append(row)
            self._index.append(i)
        return out

    def add_errors(self, exc: DomainError) -> None:
        """Put a service error next to the row or field it is about."""
        for key, messages in exc.errors.items():
            parts = key.split(".")
            target_form: forms.Form = self.head
            field: str | None = key if key in self.head.fields else None
            if parts[0] == "dimensions" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) < len(self._index):
                dim, metric_forms = self.rows[self._index[int(parts[1])]]
                target_form, field = dim, None
                if len(parts) >= 5 and parts[2] == "metrics" and parts[3].isdigit():
                    filled = [f for f in metric_forms if f.cleaned_data]
                    j = int(parts[3])
                    if j < len(filled):
                        target_form = filled[j]
                        field = parts[4] if parts[4] in filled[j].fields else None
            elif parts[0] in ("key", "name", "weight") or key == "dimensions":
                field = None
            for message in messages:
                target_form.add_error(field, message)
        if not exc.errors:
            self.head.add_error(None, exc.detail)

    @property
    def errors(self) -> bool:
        return bool(self.head.errors) or any(d.errors or any(f.errors for f in fs) for d, fs in self.rows)


# ---------------------------------------------------------------- observation upload

OBSERVATION_COLUMNS = ["employee_number", "employee_id", "org_unit_id", "metric", "value", "occurred_at", "source",
                       "external_id"]
SUBJECT_COLUMNS = ("employee_number", "employee_id", "org_unit_id")
REQUIRED_COLUMNS = ["metric", "value", "occurred_at", "source", "external_id"]
MAX_HEADER_COLUMNS = tabular.MAX_HEADER_COLUMNS
OBSERVATION_TABLE = tabular.Columns(
    allowed=OBSERVATION_COLUMNS, required=[SUBJECT_COLUMNS, *REQUIRED_COLUMNS], max_rows=MAX_ITEMS,
    too_wide=gettext_lazy("The header row has %(n)s columns; a file of observations has at most %(max)s. Keep "
                          "only the observation columns."),
    no_rows=gettext_lazy("The file has a header row but no observations."))
UPLOAD_MODES = [
    ("all", gettext_lazy("All or nothing: if any row is rejected, import nothing")),
    ("valid_only", gettext_lazy("Import the valid rows and skip the rejected ones")),
]


def _occurred_at(value: Any) -> Any:
    """An ISO 8601 text for the service: date-time cells, dates (local midnight) and text as written."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time.min).isoformat()
    text = tabular.cell_text(value)
    if text and "T" not in text and ":" not in text:
        day = importing._parse_date(value)
        if day is not None:
            return dt.datetime.combine(day, dt.time.min).isoformat()
    return text


def _cell_value(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) and not value.is_integer() else str(int(value))
    return tabular.cell_text(value).replace(",", "") or None


def read_observation_file(content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The rows of an observation file as (line, item for ``observations_ingest``), read by the
    uploads' one pipeline (``core.tabular``: CSV in UTF-8 or GB18030, Excel .xlsx, size limits)."""
    _header, table = tabular.read_table(content, replace(OBSERVATION_TABLE, max_rows=MAX_ITEMS))
    rows: list[tuple[int, dict[str, Any]]] = []
    for line, cells in table:
        item: dict[str, Any] = {}
        for key, raw in cells.items():
            if key == tabular.EXTRA:
                continue
            if key == "occurred_at":
                item[key] = _occurred_at(raw) or None
            elif key == "value":
                item[key] = _cell_value(raw)
            elif key in ("employee_id", "org_unit_id"):
                text = tabular.cell_text(raw)
                if text:
                    item[key] = int(text) if text.isdigit() and len(text) < 16 else text
            else:
                text = tabular.cell_text(raw)
                if text or key not in SUBJECT_COLUMNS:
                    item[key] = text
        rows.append((line, item))
    return rows


def _check_header(values: list[Any]) -> list[str]:
    """The column keys of the header row (``core.tabular.check_header``)."""
    return tabular.check_header(values, OBSERVATION_TABLE)


def observation_template() -> bytes:
    """A CSV with the columns and one example row."""
    example = ["E-1001", "", "", "tasks-done", "1", "2026-03-05T10:00:00+08:00", "jira", "PROJ-123"]
    return ("\ufeff" + ",".join(OBSERVATION_COLUMNS) + "\n" + ",".join(example) + "\n").encode()


class ObservationUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8 or GB18030) or Excel .xlsx; at most 5 MB and 5,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv," + importing.CONTENT_TYPES["xlsx"]}),
    )
    mode = forms.ChoiceField(label=gettext_lazy("When some rows are rejected"), choices=UPLOAD_MODES,
                             initial="all", widget=forms.RadioSelect)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > tabular.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB. Split it into smaller files."))
        content = upload.read()
        try:
            self.rows = read_observation_file(content)
        except DomainError as exc:
            raise forms.ValidationError(exc.errors.get("file") or [exc.detail]) from exc
        self.content = content
        return upload


class ObservationConfirmForm(forms.Form):
    token = forms.RegexField(regex=r"^[A-Za-z0-9]{32}$")
    mode = forms.ChoiceField(choices=UPLOAD_MODES)
