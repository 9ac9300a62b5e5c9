"""Review cycles, my reviews, calibration, final ratings and appeals: four steps per view (parse,
fetch through access, one service or selector, render)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, get_or_404
from talentloop.core.http import invalid_form as _invalid
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate
from talentloop.organisation.access import visible_employees, visible_org_units
from talentloop.performance import access
from talentloop.performance import periods as P
from talentloop.performance import selectors_reviews as sel
from talentloop.performance.forms.reviews import (
    AppealAnswerForm,
    AppealForm,
    CalibrationForm,
    CycleForm,
    MyReviewFilterForm,
    PeerForm,
    ReviewForm,
)
from talentloop.performance.models import Appeal, PotentialLevel, ReviewCycle
from talentloop.performance.services import decisions, reviews
from talentloop.performance.services.scores import period_is_closed

# ---------------------------------------------------------------- review cycles (HR)


@login_required
def cycle_list(request):
    actor = request.actor
    _require(access.can_view_review_cycles(actor))
    context = {"cycles": sel.review_cycle_list(actor), "can_create": access.can_create_review_cycle(actor)}
    return TemplateResponse(request, "performance/reviews/cycle_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_create(request):
    actor = request.actor
    _require(access.can_create_review_cycle(actor))
    form = CycleForm(request.POST or None, actor=actor)
    if request.method == "POST":
        if form.is_valid():
            try:
                cycle = reviews.review_cycle_create(actor=actor, **form.cleaned_data)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("The review cycle was created. Open it to send out the reviews."))
                return HttpResponseRedirect(reverse("performance:review-cycle-detail", args=[cycle.pk]))
        return _invalid(request, "performance/reviews/cycle_form.html", {"form": form})
    return TemplateResponse(request, "performance/reviews/cycle_form.html", {"form": form})


@login_required
def cycle_detail(request, pk: int):
    actor = request.actor
    cycle = sel.review_cycle_get(actor, pk)
    _require(cycle is not None)
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    rows, count = sel.cycle_progress(actor, cycle, page=page)
    pages = max(1, -(-count // sel.PAGE))
    can_manage = access.can_manage_review_cycle(actor, cycle)
    moves = [(to, label) for (frm, to), label in CYCLE_MOVES.items() if frm == cycle.status] if can_manage else []
    context = {"cycle": cycle, "rows": rows, "count": count, "page": page, "pages": pages, "moves": moves,
               "can_manage": can_manage, "can_calibrate": access.can_calibrate(actor, cycle)}
    return TemplateResponse(request, "performance/reviews/cycle_detail.html", context)


CYCLE_MOVES = {
    (ReviewCycle.Status.DRAFT, ReviewCycle.Status.OPEN): gettext_lazy("Open: send out the reviews"),
    (ReviewCycle.Status.OPEN, ReviewCycle.Status.CALIBRATION): gettext_lazy("Move to calibration"),
    (ReviewCycle.Status.CALIBRATION, ReviewCycle.Status.OPEN): gettext_lazy("Back to open"),
    (ReviewCycle.Status.CALIBRATION, ReviewCycle.Status.CLOSED): gettext_lazy("Close the cycle"),
    (ReviewCycle.Status.CLOSED, ReviewCycle.Status.CALIBRATION): gettext_lazy("Reopen for calibration"),
}


@login_required
@require_POST
def cycle_status(request, pk: int):
    actor = request.actor
    cycle = sel.review_cycle_get(actor, pk)
    _require(cycle is not None)
    status = request.POST.get("status", "")
    try:
        reviews.review_cycle_set_status(actor=actor, cycle=cycle, status=status)
    except DomainError as exc:
        if exc.status == 403:
            raise Http404 from exc
        messages.error(request, exc.detail if not exc.errors else "; ".join(m for v in exc.errors.values() for m in v))
    else:
        messages.success(request, _("The cycle is now %(status)s.") % {"status": ReviewCycle.Status(status).label})
    return HttpResponseRedirect(reverse("performance:review-cycle-detail", args=[cycle.pk]))


# ---------------------------------------------------------------- peers


@login_required
@require_http_methods(["GET", "POST"])
def review_peers(request, pk: int, employee: int):
    actor = request.actor
    cycle = sel.review_cycle_for_peers(actor, pk)
    _require(cycle is not None)
    reviewee = get_or_404(visible_employees(actor).select_related("org_unit"), pk=employee)
    _require(access.is_self(actor, reviewee) or access.manages(actor, reviewee))
    can_pick = access.can_pick_peers(actor, cycle, reviewee)
    form = PeerForm(request.POST or None, actor=actor)
    if request.method == "POST":
        remove = request.POST.get("remove")
        try:
            if remove:
                review = get_or_404(sel.peer_reviews_qs(actor, cycle, reviewee), pk=remove)
                reviews.review_peer_remove(actor=actor, review=review)
                messages.success(request, _("The peer was taken off."))
                return HttpResponseRedirect(request.path)
            if form.is_valid():
                reviews.review_peers_add(actor=actor, cycle=cycle, reviewee=reviewee,
                                         peers=[form.cleaned_data["peer"]])
                messages.success(request, _("%(name)s will review %(reviewee)s.")
                                 % {"name": form.cleaned_data["peer"].display_name,
                                    "reviewee": reviewee.display_name})
                return HttpResponseRedirect(request.path)
        except DomainError as exc:
            if exc.status == 403:
                raise Http404 from exc
            form_errors_from(form, exc)
    context = {"cycle": cycle, "reviewee": reviewee, "peers": sel.peer_reviews(actor, cycle, reviewee),
               "form": form, "can_pick": can_pick, "max_peers": reviews.MAX_PEERS}
    if request.method == "POST":
        return _invalid(request, "performance/reviews/peers.html", context)
    return TemplateResponse(request, "performance/reviews/peers.html", context)


# ---------------------------------------------------------------- my reviews and the review form


MY_REVIEWS_PER_PAGE = 25


@login_required
def my_reviews(request):
    """The reviews one writes: to write (most urgent first), done (newest first) or all, filtered by
    cycle, kind and person, a page at a time."""
    actor = request.actor
    _require(access.can_write_reviews(actor))
    form = MyReviewFilterForm(request.GET, cycles=sel.my_review_cycles(actor))
    filters = form.filters()
    page_obj = paginate(request, sel.my_review_queryset(actor, filters), per_page=MY_REVIEWS_PER_PAGE)
    context = {"mine": sel.my_reviews(actor, list(page_obj.object_list)), "page_obj": page_obj, "form": form,
               "show": filters.show}
    return TemplateResponse(request, "performance/reviews/my_reviews.html", context)


def _review_initial(review) -> dict:
    initial = {"rating": review.rating, "comment": review.comment, "improvements": review.improvements}
    initial.update({f"dim_{k}": v for k, v in (review.dimension_ratings or {}).items()})
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request, pk: int):
    actor = request.actor
    review = sel.review_get(actor, pk)
    _require(review is not None)
    editable = access.can_write_review(actor, review)
    dimensions = sel.rated_dimensions(review.reviewee, review.cycle.period_key, review.kind)
    labels = dict(dimensions)
    form = ReviewForm(request.POST or None, initial=_review_initial(review), dimensions=dimensions if editable else [])
    context = {"review": review, "form": form, "editable": editable,
               "dimension_values": [(labels.get(k, k), v) for k, v in sorted((review.dimension_ratings or {}).items())]}
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        if form.is_valid():
            try:
                reviews.review_save(actor=actor, review=review, rating=form.cleaned_data["rating"],
                                    dimension_ratings=form.dimension_ratings(),
                                    comment=form.cleaned_data["comment"],
                                    improvements=form.cleaned_data["improvements"], submit=submit)
            except DomainError as exc:
                if exc.status == 403:
                    raise Http404 from exc
                exc.errors = {(k.replace("dimension_ratings.", "dim_")): v for k, v in exc.errors.items()}
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Your review was submitted.") if submit else _("Your draft was saved."))
                target = "performance:review-list" if submit else "performance:review-edit"
                return HttpResponseRedirect(reverse(target, args=[] if submit else [review.pk]))
        return _invalid(request, "performance/reviews/review_form.html", context)
    return TemplateResponse(request, "performance/reviews/review_form.html", context)


# ---------------------------------------------------------------- calibration


@login_required
def calibration(request, pk: int):
    actor = request.actor
    cycle = sel.review_cycle_get(actor, pk)
    _require(cycle is not None and access.can_calibrate(actor, cycle))
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = get_or_404(visible_org_units(actor), pk=int(request.GET["unit"]))
    cal = sel.calibration(actor, cycle, org_unit=unit, closed=period_is_closed(cycle.period_key))
    context = {"cycle": cycle, "cal": cal, "unit": unit, "levels": PotentialLevel.choices,
               "bands": sel.PERFORMANCE_BANDS}
    return TemplateResponse(request, "performance/reviews/calibration.html", context)


@login_required
@require_POST
def calibration_set(request, pk: int, employee: int):
    actor = request.actor
    cycle = sel.review_cycle_get(actor, pk)
    _require(cycle is not None and access.can_calibrate(actor, cycle))
    person = get_or_404(access.managed_employees(actor).select_related("org_unit"), pk=employee)
    form = CalibrationForm(request.POST)
    if form.is_valid():
        try:
            decisions.calibration_record(actor=actor, cycle=cycle, employee=person,
                                         rating=form.cleaned_data["rating"], note=form.cleaned_data["note"],
                                         potential=form.cleaned_data["potential"])
        except DomainError as exc:
            form_errors_from(form, exc)
    if form.errors:
        for message in [m for errs in form.errors.values() for m in errs]:
            messages.error(request, f"{person.display_name}: {message}")
    else:
        messages.success(request, _("Saved for %(name)s.") % {"name": person.display_name})
    url = reverse("performance:calibration", args=[cycle.pk])
    if request.GET.get("unit", "").isdigit():
        url += f"?unit={request.GET['unit']}"
    return HttpResponseRedirect(f"{url}#person-{person.pk}")


# ---------------------------------------------------------------- final ratings and appeals


@login_required
def my_ratings(request):
    actor = request.actor
    _require(access.can_view_own_ratings(actor))
    return TemplateResponse(request, "performance/reviews/my_ratings.html", {"mine": sel.my_final_ratings(actor)})


@login_required
@require_POST
def rating_acknowledge(request, pk: int):
    actor = request.actor
    final = get_or_404(access.visible_final_ratings(actor).select_related("employee"), pk=pk)
    try:
        decisions.final_rating_acknowledge(actor=actor, final_rating=final)
    except DomainError as exc:
        raise Http404 from exc
    messages.success(request, _("You acknowledged your %(period)s rating.") % {"period": final.period_key})
    return HttpResponseRedirect(reverse("performance:final-rating-list"))


@login_required
@require_http_methods(["GET", "POST"])
def appeal_create(request, period: str):
    actor = request.actor
    _require(actor.employee is not None)
    try:
        P.parse(period)
    except ValueError as exc:
        raise Http404 from exc
    target = sel.appeal_target(actor, period)
    _require(target.rating is not None)
    form = AppealForm(request.POST or None)
    context = {"target": target, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                decisions.appeal_create(actor=actor, employee=actor.employee, period_key=period,
                                        reason=form.cleaned_data["reason"])
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Your appeal was sent. You will see the answer here."))
                return HttpResponseRedirect(reverse("performance:final-rating-list"))
        return _invalid(request, "performance/reviews/appeal_form.html", context)
    return TemplateResponse(request, "performance/reviews/appeal_form.html", context)


APPEALS_PER_PAGE = 25
APPEALS_PREVIEW = 10  # one's own appeals on the overview; "See all" pages them


@login_required
def appeal_list(request):
    """Appeals to answer (open first, then the newest; filtered by status, a page at a time) and one's own
    (the latest on the overview, all of them a page at a time under ``?box=mine``)."""
    actor = request.actor
    _require(actor.is_authenticated and (actor.employee is not None or actor.is_hr))
    if request.GET.get("box") == "mine" and actor.employee is not None:
        page_obj = paginate(request, sel.appeal_queryset(actor, box="mine"), per_page=APPEALS_PER_PAGE)
        context = {"box": "mine", "mine": page_obj.object_list, "page_obj": page_obj}
        return TemplateResponse(request, "performance/reviews/appeal_list.html", context)
    handles = actor.is_manager or actor.is_hr
    status = request.GET.get("status", "")
    if status not in Appeal.Status.values:
        status = ""
    page_obj = paginate(request, sel.appeal_queryset(actor, box="inbox", status=status),
                        per_page=APPEALS_PER_PAGE) if handles else None
    context = {"inbox": page_obj.object_list if page_obj else [], "page_obj": page_obj, "status": status,
               "statuses": Appeal.Status.choices,
               "mine": sel.appeal_list(actor, box="mine", limit=APPEALS_PREVIEW + 1)
               if actor.employee is not None else [],
               "preview": APPEALS_PREVIEW, "handles": handles}
    return TemplateResponse(request, "performance/reviews/appeal_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def appeal_detail(request, pk: int):
    actor = request.actor
    appeal = sel.appeal_get(actor, pk)
    _require(appeal is not None)
    can_answer = appeal.status == Appeal.Status.OPEN and access.can_answer_appeal(actor, appeal)
    form = AppealAnswerForm(request.POST or None) if can_answer else None
    context = {"appeal": appeal, "form": form, "can_answer": can_answer}
    if request.method == "POST":
        _require(form is not None)
        if form.is_valid():
            try:
                decisions.appeal_answer(actor=actor, appeal=appeal, outcome=form.cleaned_data["outcome"],
                                        answer=form.cleaned_data["answer"], rating=form.cleaned_data["rating"])
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Your answer was sent."))
                return HttpResponseRedirect(reverse("performance:appeal-list"))
        return _invalid(request, "performance/reviews/appeal_detail.html", context)
    return TemplateResponse(request, "performance/reviews/appeal_detail.html", context)
