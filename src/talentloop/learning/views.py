"""Learning pages: the library, an item (which records an "open"), the HR/mentor form, my learning,
recommendations, sessions with sign-up (htmx) and attendance marking."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, render_partial
from talentloop.core.http import invalid_form as _invalid
from talentloop.core.http import require as _require
from talentloop.learning import access, selectors, services
from talentloop.learning.forms import AttendanceForm, ContentForm, SessionForm
from talentloop.learning.models import ContentKind, ContentStatus, SignupStatus

PAGE_SIZE = 20


def _int(value, default: int = 1) -> int:
    try:
        return max(1, min(int(value), 10_000))
    except (TypeError, ValueError):
        return default


def _tabs(actor) -> list[tuple[str, str]]:
    tabs = [("", _("All")), (ContentKind.COURSE, _("Courses")), (ContentKind.ARTICLE, _("Articles"))]
    if access.is_mentor(actor) or actor.is_hr or actor.is_admin:
        tabs.append((ContentKind.RESOURCE, _("Mentor resources")))
    return tabs


@login_required
@require_GET
def content_list(request):
    actor = request.actor
    tabs = _tabs(actor)
    kind = request.GET.get("kind", "")
    if kind not in {k for k, _label in tabs}:
        kind = ""
    q = request.GET.get("q", "")[:100]
    tag = request.GET.get("tag", "")[:40]
    drafts = request.GET.get("status") == ContentStatus.DRAFT and access.can_create_content(actor)
    page = _int(request.GET.get("page"))
    items, count = selectors.content_list(actor, q=q, tag=tag, kind=kind, limit=PAGE_SIZE,
                                          offset=(page - 1) * PAGE_SIZE,
                                          status=ContentStatus.DRAFT if drafts else "")
    return render_partial(request, "learning/content_list.html", {
        "items": items, "count": count, "page": page, "pages": max(1, math.ceil(count / PAGE_SIZE)),
        "q": q, "tag": tag, "kind": kind, "tabs": tabs, "drafts": drafts,
        "tags": selectors.popular_tags(actor, kind=kind), "can_create": access.can_create_content(actor)},
        partial="results")


@login_required
@require_GET
def content_detail(request, pk: int):
    actor = request.actor
    item = selectors.content_get(actor, pk)
    _require(item is not None)
    services.content_open(actor=actor, content=item)
    return TemplateResponse(request, "learning/content_detail.html", selectors.content_detail(actor, item))


@login_required
@require_http_methods(["GET", "POST"])
def content_edit(request, pk: int | None = None):
    actor = request.actor
    item = selectors.content_get(actor, pk) if pk else None
    _require(access.can_create_content(actor) if pk is None else (item is not None
                                                                   and access.can_edit_content(actor, item)))
    form = ContentForm(request.POST or None, actor=actor, initial=ContentForm.initial_from(item))
    if request.method == "POST" and form.is_valid():
        d = form.service_data()
        publish = d.pop("publish")
        try:
            if item is None:
                item = services.content_create(actor=actor, publish=publish, **d)
            else:
                item = services.content_update(actor=actor, content=item, **d)
                if publish and item.status != ContentStatus.PUBLISHED:
                    item = services.content_publish(actor=actor, content=item)
                elif not publish and item.status == ContentStatus.PUBLISHED:
                    item = services.content_archive(actor=actor, content=item)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("“%(title)s” saved.") % {"title": item.label})
            return redirect("learning:content-detail", pk=item.pk)
    context = {"form": form, "item": item}
    if request.method == "POST":
        return _invalid(request, "learning/content_form.html", context, partial="form")
    return TemplateResponse(request, "learning/content_form.html", context)


@login_required
@require_POST
def content_complete(request, pk: int):
    actor = request.actor
    item = selectors.content_get(actor, pk)
    _require(item is not None and access.can_learn(actor))
    try:
        services.content_complete(actor=actor, content=item)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Marked as completed."))
    return redirect("learning:content-detail", pk=item.pk)


@login_required
@require_POST
def recommendation_dismiss(request, pk: int):
    """htmx: answers nothing, so the card is swapped away; without htmx, back to where it was."""
    actor = request.actor
    item = selectors.content_get(actor, pk)
    _require(item is not None and access.can_learn(actor))
    services.recommendation_dismiss(actor=actor, content=item)
    if getattr(request, "htmx", False):
        return HttpResponse("")
    messages.success(request, _("We will not suggest “%(title)s” again.") % {"title": item.label})
    back = request.POST.get("next") or request.headers.get("referer", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return redirect(back)
    return redirect("learning:my")


@login_required
@require_GET
def my_learning(request):
    actor = request.actor
    _require(access.can_learn(actor))
    return TemplateResponse(request, "learning/my_learning.html", selectors.my_learning(actor))


@login_required
@require_GET
def recommendation_list(request):
    actor = request.actor
    _require(access.can_learn(actor))
    return TemplateResponse(request, "learning/recommendations.html", {
        "recommendations": selectors.recommendation_list(actor, actor.employee, limit=10)})


# ---------------------------------------------------------------- sessions


@login_required
@require_GET
def session_list(request):
    actor = request.actor
    past = request.GET.get("when") == "past"
    page = _int(request.GET.get("page"))
    sessions, count = selectors.session_list(actor, upcoming=not past, limit=PAGE_SIZE,
                                             offset=(page - 1) * PAGE_SIZE)
    return TemplateResponse(request, "learning/session_list.html", {
        "sessions": sessions, "count": count, "past": past, "page": page,
        "pages": max(1, math.ceil(count / PAGE_SIZE)), "can_learn": access.can_learn(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request, pk: int):
    actor = request.actor
    item = selectors.content_get(actor, pk)
    _require(item is not None and access.can_manage_sessions(actor))
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=actor, content=item, organiser=actor.employee,
                                              **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Session scheduled."))
            return redirect("learning:session-detail", pk=session.pk)
    context = {"form": form, "item": item}
    if request.method == "POST":
        return _invalid(request, "learning/session_form.html", context, partial="form")
    return TemplateResponse(request, "learning/session_form.html", context)


def _session_context(actor, session) -> dict:
    signups = selectors.session_signups(actor, session)
    return {"session": session, "signup": selectors.session_signup_of(actor, session), "signups": signups,
            "can_learn": access.can_learn(actor), "can_mark": (access.can_mark_attendance(actor, session)
                         and session.starts_at <= timezone.now()),
            "can_cancel": access.can_manage_sessions(actor) and session.status == "scheduled",
            "attendance_form": AttendanceForm(signups=[s for s in signups if s.status != SignupStatus.CANCELLED],
                                              initial={"attended": [s.employee_id for s in signups
                                                                    if s.status == SignupStatus.ATTENDED]})}


@login_required
@require_GET
def session_detail(request, pk: int):
    actor = request.actor
    session = selectors.session_get(actor, pk)
    _require(session is not None)
    return TemplateResponse(request, "learning/session_detail.html", _session_context(actor, session))


def _signup_action(request, pk: int, service):
    actor = request.actor
    session = selectors.session_get(actor, pk)
    _require(session is not None and access.can_learn(actor))
    error = ""
    try:
        service(actor=actor, session=session)
    except DomainError as exc:
        error = exc.detail
    session = selectors.session_get(actor, pk)
    if getattr(request, "htmx", False):
        return TemplateResponse(request, "learning/_session_signup.html", {"session": session, "error": error,
                                                                           "can_learn": True},
                                status=409 if error else 200)
    if error:
        messages.error(request, error)
    target = request.POST.get("next", "")
    if target.startswith("/learning/") and not target.startswith("//"):
        return redirect(target)
    return redirect("learning:session-detail", pk=pk)


@login_required
@require_POST
def session_signup(request, pk: int):
    return _signup_action(request, pk, services.session_signup)


@login_required
@require_POST
def session_cancel_signup(request, pk: int):
    return _signup_action(request, pk, services.session_cancel_signup)


@login_required
@require_POST
def session_attendance(request, pk: int):
    actor = request.actor
    session = selectors.session_get(actor, pk)
    _require(session is not None and access.can_mark_attendance(actor, session))
    signups = [s for s in selectors.session_signups(actor, session) if s.status != SignupStatus.CANCELLED]
    form = AttendanceForm(request.POST, signups=signups)
    if form.is_valid():
        present = set(form.cleaned_data["attended"])
        try:
            result = services.session_mark_attendance(
                actor=actor, session=session, attended=present,
                no_show=[s.employee_id for s in signups if s.employee_id not in present])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Attendance saved: %(n)d present.") % {"n": result["attended"]})
            return redirect("learning:session-detail", pk=session.pk)
    context = {**_session_context(actor, session), "attendance_form": form}
    return _invalid(request, "learning/session_detail.html", context)


@login_required
@require_POST
def session_cancel(request, pk: int):
    actor = request.actor
    session = selectors.session_get(actor, pk)
    _require(session is not None and access.can_manage_sessions(actor))
    try:
        services.session_cancel(actor=actor, session=session)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Session cancelled."))
    return redirect("learning:session-detail", pk=session.pk)
