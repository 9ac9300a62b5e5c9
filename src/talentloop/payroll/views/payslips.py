"""Payslip pages: my payslips and one payslip on the phone (every line with its explanation, the
totals and the year to date), its PDF, a question on a line, and payroll's queue of questions.

A payslip opens only within five minutes of a fresh re-authentication (``accounts.reauth``). The
person sees their own published payslips; payroll and administrators any of the pay groups they run
(audited); anyone else gets the 404 of a page that does not exist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.accounts.reauth import fresh_auth_required
from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, render_partial
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate
from talentloop.payroll import access, pdf
from talentloop.payroll import selectors_payslips as selectors
from talentloop.payroll.forms_payslips import AnswerForm, QuestionForm
from talentloop.payroll.models import QuestionState
from talentloop.payroll.services import payslip_questions as services

PER_PAGE = 24
QUESTIONS_PER_PAGE = 30


@fresh_auth_required
@require_GET
def payslip_list(request):
    _require(access.can_have_payslips(request.actor))
    page_obj = paginate(request, selectors.payslip_list(request.actor), per_page=PER_PAGE)
    return TemplateResponse(request, "payroll/payslip_list.html", {
        "rows": selectors.payslip_rows(list(page_obj.object_list)), "page_obj": page_obj})  # fmt: skip


def _detail(request, pk: int, form: QuestionForm | None = None, status: int = 200):
    view = selectors.payslip_get(request.actor, pk)
    _require(view is not None)
    return TemplateResponse(request, "payroll/payslip_detail.html", {
        "view": view, "form": form or QuestionForm(), "asked_line": form["line_code"].value() if form else ""},
        status=status)  # fmt: skip


@fresh_auth_required
@require_GET
def payslip_detail(request, pk: int):
    return _detail(request, pk)


@fresh_auth_required
@require_GET
def payslip_pdf(request, pk: int):
    """The payslip as a PDF in its owner's language (whoever downloads it)."""
    payslip = selectors.payslip_for(request.actor, pk)
    _require(payslip is not None)
    response = pdf.payslip_response(request.actor, payslip)
    _require(response is not None)
    return response


@fresh_auth_required
@require_POST
def payslip_ask(request, pk: int):
    """Ask about a line (the form under each line) or the payslip as a whole. From a line with htmx,
    the answer is the line again, with the question under it (or the form and its errors, 422)."""
    payslip = selectors.payslip_for(request.actor, pk)
    _require(payslip is not None)
    form = QuestionForm(request.POST)
    question = None
    if form.is_valid():
        try:
            question = services.payslip_question_ask(
                actor=request.actor, payslip=payslip, line_code=form.cleaned_data["line_code"],
                text=form.cleaned_data["text"],
            )  # fmt: skip
        except DomainError as exc:
            if exc.status == 403:
                _require(False)
            form_errors_from(form, exc)
    code = form["line_code"].value() or ""
    if request.htmx and code:
        return _line(request, pk, code, QuestionForm() if question is not None else form, ok=question is not None)
    if question is not None:
        messages.success(request, _("Your question went to payroll. You will be told when they answer."))
        return redirect(reverse("payroll:payslip-detail", args=[pk]) + f"#question-{question.pk}")
    return _detail(request, pk, form, status=422 if request.htmx else 200)


def _line(request, pk: int, code: str, form: QuestionForm, ok: bool):
    view = selectors.payslip_get(request.actor, pk)
    _require(view is not None)
    line = next((ln for s in view.sections for ln in s.lines if ln.code == code), None)
    _require(line is not None)
    context = {"view": view, "line": line, "form": form, "asked_line": code, "asked": ok}
    return render_partial(request, "payroll/payslip_detail.html", context, partial="line", status=200 if ok else 422)


@fresh_auth_required
@require_POST
def question_close(request, pk: int, question_pk: int):
    view = selectors.payslip_get(request.actor, pk)
    _require(view is not None)
    question = next((q for q in view.questions if q.pk == question_pk), None)
    _require(question is not None)
    try:
        services.payslip_question_close(actor=request.actor, question=question)
    except DomainError as exc:
        if exc.status == 403:
            _require(False)
        messages.error(request, exc.detail)
    return redirect(reverse("payroll:payslip-detail", args=[pk]) + f"#question-{question_pk}")


# ------------------------------------------------------------------------------------------------ payroll's queue


@login_required
@require_GET
def question_list(request):
    actor = request.actor
    _require(access.can_use_payroll_pages(actor))
    state = request.GET.get("state", QuestionState.OPEN)
    state = state if state in QuestionState.values or state == "all" else QuestionState.OPEN
    page_obj = paginate(request, selectors.question_list(actor, state="" if state == "all" else state),
                        per_page=QUESTIONS_PER_PAGE)  # fmt: skip
    questions = list(page_obj.object_list)
    labels = selectors.question_line_labels(questions)
    return TemplateResponse(request, "payroll/payslip_question_list.html", {
        "rows": [(q, labels[q.pk]) for q in questions], "page_obj": page_obj,
        "state": state, "states": [*QuestionState.choices, ("all", _("All"))]})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def question_detail(request, pk: int):
    actor = request.actor
    question = selectors.question_get(actor, pk)
    _require(question is not None)
    form = AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.payslip_question_answer(actor=actor, question=question, answer=form.cleaned_data["answer"])
            except DomainError as exc:
                if exc.status == 403:
                    _require(False)
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Answer sent. The person is told."))
                return redirect("payroll:question-list")
        status = 422 if request.htmx else 200
    return TemplateResponse(request, "payroll/payslip_question_detail.html", {
        "question": question, "label": selectors.question_line_labels([question])[question.pk], "form": form},
        status=status)  # fmt: skip


urlpatterns = [
    path("payslips/", payslip_list, name="payslip-list"),
    path("payslips/<int:pk>/", payslip_detail, name="payslip-detail"),
    path("payslips/<int:pk>.pdf", payslip_pdf, name="payslip-pdf"),
    path("payslips/<int:pk>/questions/", payslip_ask, name="payslip-ask"),
    path("payslips/<int:pk>/questions/<int:question_pk>/close/", question_close, name="payslip-question-close"),
    path("questions/", question_list, name="question-list"),
    path("questions/<int:pk>/", question_detail, name="question-detail"),
]
