"""HR's configuration pages: metrics, scorecards and their versions, periods and score rebuilds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, get_or_404
from talentloop.core.http import invalid_form as _invalid
from talentloop.core.http import require as _require
from talentloop.performance import access, selectors_dashboards, selectors_recompute
from talentloop.performance import periods as P
from talentloop.performance.forms import MetricForm, PeriodForm, ScorecardEditor
from talentloop.performance.services import config as config_services
from talentloop.performance.services.rebuild import scores_rebuild

# ---------------------------------------------------------------- metrics


@login_required
@require_GET
def metric_list(request):
    actor = request.actor
    _require(access.can_manage_config(actor))
    return TemplateResponse(request, "performance/config/metric_list.html",
                            {"metrics": selectors_dashboards.metric_list(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def metric_edit(request, pk: int | None = None):
    actor = request.actor
    _require(access.can_manage_config(actor))
    metric = get_or_404(access.visible_metrics(actor), pk=pk) if pk else None
    form = MetricForm(request.POST or None, instance=metric, actor=actor)
    context = {"form": form, "metric": metric}
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = config_services.metric_save(actor=actor, metric=metric, data=form.service_data())
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Metric “%(key)s” saved.") % {"key": saved.key})
                return redirect("performance:metric-list")
        return _invalid(request, "performance/config/metric_form.html", context)
    return TemplateResponse(request, "performance/config/metric_form.html", context)


# ---------------------------------------------------------------- scorecards


@login_required
@require_GET
def scorecard_list(request):
    actor = request.actor
    _require(access.can_manage_config(actor))
    return TemplateResponse(request, "performance/config/scorecard_list.html",
                            {"scorecards": selectors_dashboards.scorecard_list(actor)})


@login_required
@require_GET
def scorecard_detail(request, pk: int):
    actor = request.actor
    _require(access.can_manage_config(actor))
    data = selectors_dashboards.scorecard_detail(actor, pk)
    _require(data is not None)
    return TemplateResponse(request, "performance/config/scorecard_detail.html", data)


@login_required
@require_http_methods(["GET", "POST"])
def scorecard_edit(request, pk: int | None = None):
    """A new scorecard, or (with ``pk``) a new version of one that applies from a chosen month on."""
    actor = request.actor
    _require(access.can_manage_config(actor))
    scorecard, rows, head = None, None, {"valid_from": P.containing(timezone.localdate()).next().start}
    if pk:
        data = selectors_dashboards.scorecard_detail(actor, pk)
        _require(data is not None)
        scorecard = data["scorecard"]
        head.update(name=scorecard.name, name_en=scorecard.name_en)
        if data["versions"]:
            rows = selectors_dashboards.scorecard_version_as_rows(data["versions"][0])
    template = "performance/config/scorecard_form.html"
    if request.method == "GET":
        editor = ScorecardEditor(actor=actor, scorecard=scorecard, initial_head=head, initial_rows=rows)
        return TemplateResponse(request, template, {"editor": editor, "scorecard": scorecard})
    add = request.POST.get("add", "")
    if add:
        editor = ScorecardEditor.with_added_row(request.POST, actor=actor, scorecard=scorecard, add=add)
        return TemplateResponse(request, template, {"editor": editor, "scorecard": scorecard})
    editor = ScorecardEditor(request.POST, actor=actor, scorecard=scorecard)
    if editor.is_valid():
        head_data = editor.head.cleaned_data
        try:
            version = config_services.scorecard_save(
                actor=actor, scorecard=scorecard, name=head_data["name"], name_en=head_data["name_en"],
                org_unit=head_data.get("org_unit"), job_family=head_data.get("job_family"),
                valid_from=head_data["valid_from"], note=head_data["note"], dimensions=editor.dimensions())
        except DomainError as exc:
            editor.add_errors(exc)
        else:
            messages.success(request, _("The scorecard applies from %(month)s on.")
                             % {"month": f"{version.valid_from:%Y-%m}"})
            return HttpResponseRedirect(reverse("performance:scorecard-detail", args=[version.scorecard_id]))
    return _invalid(request, template, {"editor": editor, "scorecard": scorecard})


# ---------------------------------------------------------------- periods


@login_required
@require_GET
def period_list(request):
    actor = request.actor
    _require(access.can_manage_config(actor))
    context = {"rows": selectors_dashboards.period_rows(actor, timezone.localdate()),
               "can_close": access.can_close_period(actor), "can_rebuild": access.can_recompute(actor),
               "score_errors": selectors_recompute.score_error_list(actor)}
    return TemplateResponse(request, "performance/config/period_list.html", context)


def _period_from_post(request) -> P.Period:
    form = PeriodForm(request.POST)
    _require(form.is_valid() and form.cleaned_data["period"] is not None)
    return form.cleaned_data["period"]


def _set_closed(request, closed: bool):
    actor = request.actor
    _require(access.can_manage_config(actor))
    period = _period_from_post(request)
    try:
        config_services.period_set_closed(actor=actor, key=period.key, closed=closed)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if closed:
            messages.success(request, _("%(period)s is closed: its scores stay as they are.") % {"period": period.key})
        else:
            messages.success(request, _("%(period)s is open again; its scores are being rebuilt.")
                             % {"period": period.key})
    return redirect("performance:period-list")


@login_required
@require_POST
def period_close(request):
    return _set_closed(request, closed=True)


@login_required
@require_POST
def period_reopen(request):
    return _set_closed(request, closed=False)


@login_required
@require_POST
def period_recompute(request):
    actor = request.actor
    _require(access.can_manage_config(actor))
    period = _period_from_post(request)
    try:
        scores_rebuild(actor=actor, period_key=period.key)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if selectors_dashboards.period_is_closed(period.key):
            messages.warning(request, _("%(period)s is closed, so its scores stay as they are. Reopen it to "
                                        "rebuild them.") % {"period": period.key})
        else:
            messages.success(request, _("The scores of %(period)s are being rebuilt from the observations.")
                             % {"period": period.key})
    return redirect("performance:period-list")
