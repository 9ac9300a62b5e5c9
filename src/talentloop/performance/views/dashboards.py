"""Live dashboards: the employee's own, the manager's team view and HR's organisation view.

Chart options are built here from the selectors' figures and rendered into the page as JSON
(``json_script``); ``static/js/charts.js`` draws them with the pinned ECharts build, which only these
pages load.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from talentloop.core.http import get_or_404
from talentloop.performance import access, selectors_dashboards
from talentloop.performance import periods as P
from talentloop.performance.forms import OrgFilterForm, TeamFilterForm

PALETTE = ["#2454d6", "#12805c", "#d97706", "#b42318", "#7c3aed", "#0891b2", "#be185d", "#4d7c0f", "#64748b",
           "#ea580c"]


def _f(value) -> float | None:
    return None if value is None else float(value)


def _base(**option) -> dict:
    """Options every chart shares; charts.js adds the phone-size adjustments."""
    return {"color": PALETTE, "aria": {"enabled": True}, "animationDuration": 400,
            "tooltip": {"trigger": "axis", "confine": True},
            "grid": {"left": 8, "right": 16, "top": 40, "bottom": 8, "containLabel": True}, **option}


def _rating_labels() -> dict[int, str]:
    return {1: _("1 · far below"), 2: _("2 · below"), 3: _("3 · partly meets"), 4: _("4 · meets target"),
            5: _("5 · far exceeds")}


# ---------------------------------------------------------------- chart options


def trend_chart(trend: list[dict]) -> dict:
    months = [row["period"] for row in trend]
    totals = [row["total"] for row in trend if row["total"] is not None]
    # rating = 1 + 4 × (total − 40) / 80: with the total axis from 40 the two scales line up
    # (40 ↔ 1, 60 ↔ 2, … 120 ↔ 5), so the total's line reads as the computed rating on the right
    # scale too. A total below 40 needs the axis from 0, and then the rating gets its own line.
    aligned = all(t >= 40 for t in totals)
    series = [
        {"name": _("Total") if not aligned else _("Total (and computed rating)"), "type": "line",
         "data": [_f(r["total"]) for r in trend], "connectNulls": False, "symbolSize": 7,
         "markLine": {"silent": True, "symbol": "none", "lineStyle": {"type": "dashed", "color": "#12805c"},
                      "data": [{"yAxis": 100, "name": _("Target met")}],
                      "label": {"formatter": _("target"), "position": "insideEndTop"}}},
    ]
    if not aligned:
        series.append({"name": _("Computed rating"), "type": "line", "yAxisIndex": 1,
                       "data": [_f(r["rating"]) for r in trend], "symbolSize": 6, "lineStyle": {"type": "dotted"}})
    series.append({"name": _("Final rating"), "type": "scatter", "yAxisIndex": 1, "symbolSize": 11,
                   "itemStyle": {"color": "#d97706"}, "data": [_f(r["final_rating"]) for r in trend]})
    return _base(
        legend={"top": 0, "type": "scroll"},
        xAxis={"type": "category", "data": months, "axisLabel": {"hideOverlap": True}},
        yAxis=[{"type": "value", "name": _("Total"), "min": 40 if aligned else 0, "max": 120, "interval": 20},
               {"type": "value", "name": _("Rating"), "min": 1, "max": 5, "interval": 1,
                "splitLine": {"show": False}}],
        series=series,
    )


def metric_chart(metrics: list[dict]) -> dict:
    names = [m.get("name") or m["key"] for m in metrics][::-1]
    scores = [_f(m.get("score")) for m in metrics][::-1]
    return _base(
        tooltip={"trigger": "item", "confine": True, "formatter": "{b}: {c}"},
        grid={"left": 8, "right": 24, "top": 24, "bottom": 8, "containLabel": True},
        xAxis={"type": "value", "min": 0, "max": 120, "interval": 20},
        yAxis={"type": "category", "data": names, "axisLabel": {"width": 120, "overflow": "truncate"}},
        series=[{"name": _("Score"), "type": "bar", "data": scores, "barMaxWidth": 22,
                 "label": {"show": True, "position": "right"},
                 "markLine": {"silent": True, "symbol": "none", "lineStyle": {"type": "dashed", "color": "#12805c"},
                              "data": [{"xAxis": 100}],
                              "label": {"formatter": _("target"), "position": "end"}}}],
    )


def distribution_chart(view: selectors_dashboards.TeamView) -> dict:
    labels = _rating_labels()
    return _base(
        tooltip={"trigger": "item", "confine": True, "formatter": "{b}: {c}"},
        grid={"left": 8, "right": 8, "top": 24, "bottom": 8, "containLabel": True},
        xAxis={"type": "category", "data": [labels[b] for b in selectors_dashboards.RATING_BANDS],
               "axisLabel": {"interval": 0, "width": 60, "overflow": "break", "fontSize": 11}},
        yAxis={"type": "value", "minInterval": 1},
        series=[{"name": _("People"), "type": "bar", "barMaxWidth": 40, "label": {"show": True, "position": "top"},
                 "data": [{"value": view.distribution[b], "itemStyle": {"color": c}}
                          for b, c in zip(selectors_dashboards.RATING_BANDS,
                                          ["#b42318", "#d97706", "#eab308", "#12805c", "#2454d6"], strict=True)]}],
    )


def team_trend_chart(view: selectors_dashboards.TeamView) -> dict:
    return _base(
        xAxis={"type": "category", "data": [k for k, _v in view.trend], "axisLabel": {"hideOverlap": True}},
        yAxis={"type": "value", "min": 0, "max": 120, "interval": 20},
        series=[{"name": _("Mean total"), "type": "line", "data": [_f(v) for _k, v in view.trend], "symbolSize": 7,
                 "markLine": {"silent": True, "symbol": "none", "lineStyle": {"type": "dashed", "color": "#12805c"},
                              "data": [{"yAxis": 100}],
                              "label": {"formatter": _("target"), "position": "insideEndTop"}}}],
    )


CHART_LINES = 5  # the best and the worst units (or metrics) a comparison chart draws by default


def _last_value(values: list) -> float | None:
    return next((v for v in reversed(values) if v is not None), None)


def chart_lines(series: list[tuple[str, list]], *, fixed: int = 0, show_all: bool = False,
                limit: int = CHART_LINES) -> tuple[list[tuple[str, list]], int]:
    """The lines a comparison chart draws and how many it leaves out.

    Thirty lines in one chart read as noise on a phone: past ``2 × limit`` lines the chart keeps the
    first ``fixed`` ones (the "Everyone" line) and the ``limit`` best and ``limit`` worst by their latest
    value, best first; lines without any value are left out. ``show_all`` draws every line. The tables
    under the charts always list everything.
    """
    head, rest = series[:fixed], series[fixed:]
    if show_all or len(rest) <= 2 * limit:
        return series, 0
    valued = [s for s in rest if _last_value(s[1]) is not None]
    ranked = sorted(valued, key=lambda s: -_last_value(s[1]))
    if len(ranked) > 2 * limit:
        ranked = ranked[:limit] + ranked[-limit:]
    return head + ranked, len(rest) - len(ranked)


def attainment_chart(months: list[str], series: list[tuple[str, list]]) -> dict:
    return _base(
        legend={"top": 0, "type": "scroll"},
        grid={"left": 8, "right": 16, "top": 48, "bottom": 8, "containLabel": True},
        xAxis={"type": "category", "data": months, "axisLabel": {"hideOverlap": True}},
        yAxis={"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        series=[{"name": name, "type": "line", "data": values, "symbolSize": 6, "connectNulls": True,
                 **({"lineStyle": {"width": 4}} if i == 0 else {})}
                for i, (name, values) in enumerate(series)],
    )


# ---------------------------------------------------------------- pages


def _tabs(actor) -> list[tuple[str, str, str]]:
    """The dashboards this person may switch between: (key, label, URL name); shown when more than one."""
    tabs = []
    if actor.employee is not None:
        tabs.append(("mine", _("Mine"), "performance:dashboard"))
    if actor.has_reports:
        tabs.append(("team", _("My team"), "performance:team-dashboard"))
    if access.can_view_org_dashboard(actor):
        tabs.append(("org", _("Organisation"), "performance:org-dashboard"))
    return tabs if len(tabs) > 1 else []


@login_required
@require_GET
def dashboard(request):
    """The person's own dashboard; HR and admins without an employee record go to the organisation view."""
    actor = request.actor
    employee = actor.employee
    if employee is None:
        if access.can_view_org_dashboard(actor):
            return redirect("performance:org-dashboard")
        raise Http404
    data = selectors_dashboards.my_dashboard(actor, employee, timezone.localdate())
    context = {
        "employee": employee, **data,
        "trend_chart": trend_chart(data["trend"]),
        "metric_chart": metric_chart(data["metrics"]) if data["metrics"] else None,
        "can_team": actor.has_reports,
        "feedback_url": reverse("performance:feedback-list"),
        "can_org": access.can_view_org_dashboard(actor),
        "charts": True, "tabs": _tabs(actor),
    }
    return TemplateResponse(request, "performance/dashboards/mine.html", context)


@login_required
@require_GET
def team_dashboard(request):
    actor = request.actor
    form = TeamFilterForm(request.GET)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    if data["manager"]:
        manager = get_or_404(access.score_subjects(actor), pk=data["manager"])
    elif actor.employee is not None:
        manager = actor.employee
    else:
        raise Http404
    if not access.can_view_team_dashboard(actor, manager):
        raise Http404
    period = data["period"] or selectors_dashboards.last_complete_month(timezone.localdate())
    view = selectors_dashboards.team_dashboard(actor, manager, period)
    context = {
        "view": view, "period": period, "manager": manager,
        "is_own_team": actor.employee is not None and actor.employee.pk == manager.pk,
        "keep": [] if not data["manager"] else [("manager", manager.pk)],
        "next": period.next() if period.next().start <= timezone.localdate() else None,
        "choices": selectors_dashboards.period_choices(timezone.localdate(), period),
        "labels": _rating_labels(),
        "distribution_chart": distribution_chart(view),
        "trend_chart": team_trend_chart(view),
        "alerts_url": reverse("performance:alert-list"),
        "move_points": selectors_dashboards.MOVE_POINTS,
        "charts": True, "tabs": _tabs(actor),
    }
    return TemplateResponse(request, "performance/dashboards/team.html", context)


@login_required
@require_GET
def org_dashboard(request):
    actor = request.actor
    if not access.can_view_org_dashboard(actor):
        raise Http404
    today = timezone.localdate()
    last = selectors_dashboards.last_complete_month(today)
    query = request.GET.copy()
    query.setdefault("to", last.key)
    query.setdefault("threshold", str(selectors_dashboards.ATTAINMENT_THRESHOLD))
    form = OrgFilterForm(query, actor=actor)
    parent, threshold = None, selectors_dashboards.ATTAINMENT_THRESHOLD
    if form.is_valid():
        data = form.cleaned_data
        parent = data["unit"]
        if data["to"]:
            last = P.parse(data["to"])
        if data["threshold"] is not None:
            threshold = data["threshold"]
    view = selectors_dashboards.org_dashboard(actor, parent=parent, last=last, threshold=threshold)
    months = [p.key for p in view.months]
    unit_series = [(_("Everyone"), [_f(view.rate(view.by_unit.get(0, {}).get(k))) for k in months])]
    unit_series += [(u.label, [_f(view.rate(view.by_unit.get(u.pk, {}).get(k))) for k in months])
                    for u in view.units]
    metric_keys = sorted(view.by_metric, key=lambda k: view.metric_names.get(k, k))
    metric_series = [(view.metric_names.get(k, k), [_f(view.rate(view.by_metric[k].get(m))) for m in months])
                     for k in metric_keys]
    show_all = request.GET.get("lines") == "all"
    unit_series, units_left_out = chart_lines(unit_series, fixed=1, show_all=show_all)
    metric_series, metrics_left_out = chart_lines(metric_series, show_all=show_all)
    toggle = request.GET.copy()
    if show_all:
        toggle.pop("lines", None)
    else:
        toggle["lines"] = "all"
    latest = months[-1]
    unit_rows = [{"unit": u, "cell": view.by_unit.get(u.pk, {}).get(latest), "rate": view.rate(
        view.by_unit.get(u.pk, {}).get(latest))} for u in view.units]
    metric_rows = [{"name": view.metric_names.get(k, k), "cell": view.by_metric[k].get(latest),
                    "rate": view.rate(view.by_metric[k].get(latest))} for k in metric_keys]
    context = {
        "view": view, "form": form, "latest": latest, "threshold": threshold,
        "filtered": any(request.GET.get(k) for k in ("unit", "to", "threshold")),
        "overall": view.rate(view.by_unit.get(0, {}).get(latest)),
        "overall_cell": view.by_unit.get(0, {}).get(latest),
        "unit_rows": unit_rows, "metric_rows": metric_rows,
        "unit_chart": attainment_chart(months, unit_series),
        "metric_chart": attainment_chart(months, metric_series) if metric_series else None,
        "show_all": show_all, "units_left_out": units_left_out, "metrics_left_out": metrics_left_out,
        "lines_toggle": f"?{toggle.urlencode()}" if toggle else "?", "chart_lines": CHART_LINES,
        "charts": True, "tabs": _tabs(actor),
    }
    return TemplateResponse(request, "performance/dashboards/org.html", context)

