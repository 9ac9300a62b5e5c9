"""Payroll API: payslips and the questions people ask on their lines.

Reading a payslip (one, or its PDF; the list shows net pay too) needs a fresh re-authentication: a
token client first calls ``POST /api/v1/auth/reauth`` and sends the answered token as the
``X-Reauth-Token`` header for five minutes; without it, or with a stale one, the answer is 403 with
a ``code`` (``reauth_required``, ``reauth_expired``, ``reauth_invalid``). The same selectors and
services as the pages; a payslip or question out of reach is a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from talentloop.accounts.reauth import require_fresh_api
from talentloop.core.paging import PAGED, SelectorPage, paginated
from talentloop.core.schemas import ERRORS, ErrorOut, InSchema
from talentloop.payroll import pdf
from talentloop.payroll import selectors_payslips as selectors
from talentloop.payroll.models import PayslipQuestion
from talentloop.payroll.services import payslip_questions as services

router = Router(tags=["payroll"])

FRESH = (
    " Needs a fresh re-authentication: send the token of `POST /api/v1/auth/reauth` as the `X-Reauth-Token` "
    "header (403 with `code` `reauth_required`, `reauth_expired` or `reauth_invalid` otherwise)."
)
RunKindLiteral = Literal["regular", "off_cycle", "final_pay", "reversal"]
QuestionStateLiteral = Literal["open", "answered", "closed"]


class ReauthErrorOut(ErrorOut):
    code: str = ""


READ_ERRORS = {**ERRORS, 403: ReauthErrorOut}


class PayslipRowOut(Schema):
    id: int
    month: dt.date
    net: Decimal
    run_kind: RunKindLiteral
    kind_label: str
    published_at: dt.datetime | None


class PayslipLineOut(Schema):
    code: str
    label: str
    kind: str
    amount: Decimal
    explanation: str


class PayslipSectionOut(Schema):
    key: str
    title: str
    lines: list[PayslipLineOut]
    total_label: str
    total: Decimal | None


class YearToDateOut(Schema):
    label: str
    value: str


class PayslipQuestionOut(Schema):
    id: int
    payslip: int
    month: dt.date
    employee: int
    person: str
    line_code: str
    line_label: str
    text: str
    state: QuestionStateLiteral
    asked_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None


class PayslipOut(Schema):
    id: int
    employee: int
    person: str
    month: dt.date
    run: int
    run_kind: RunKindLiteral
    kind_label: str
    pay_group: str
    published_at: dt.datetime | None
    gross: Decimal
    bonus: Decimal
    deductions: Decimal
    net: Decimal
    shortfall: Decimal
    sections: list[PayslipSectionOut]
    year_to_date: list[YearToDateOut]
    questions: list[PayslipQuestionOut]


class QuestionIn(InSchema):
    line_code: str = Field("", max_length=60, description="the line's `code`; empty: the payslip as a whole")
    text: str = Field(..., max_length=services.QUESTION_MAX)


class AnswerIn(InSchema):
    answer: str = Field(..., max_length=services.ANSWER_MAX)


class QuestionFilters(InSchema):
    state: QuestionStateLiteral | None = Field(None, description="default: every state, open ones first")


def _question_out(question: PayslipQuestion, label: str) -> dict[str, Any]:
    payslip = question.payslip
    return {
        "id": question.pk,
        "payslip": payslip.pk,
        "month": payslip.month,
        "employee": payslip.employee_id,
        "person": payslip.employee.display_name,
        "line_code": question.line_code,
        "line_label": label,
        "text": question.text,
        "state": question.state,
        "asked_at": question.asked_at,
        "answer": question.answer,
        "answered_at": question.answered_at,
    }


def _payslip_out(view: selectors.PayslipView) -> dict[str, Any]:
    payslip = view.payslip
    labels = {line.code: line.label for section in view.sections for line in section.lines}
    return {
        "id": payslip.pk,
        "employee": payslip.employee_id,
        "person": payslip.employee.display_name,
        "month": payslip.month,
        "run": view.run.pk,
        "run_kind": view.run.kind,
        "kind_label": view.kind_label,
        "pay_group": view.run.pay_group.label,
        "published_at": payslip.published_at,
        "gross": view.gross,
        "bonus": view.bonus,
        "deductions": view.deductions,
        "net": view.net,
        "shortfall": view.shortfall,
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "lines": [
                    {
                        "code": ln.code,
                        "label": ln.label,
                        "kind": ln.kind,
                        "amount": ln.amount,
                        "explanation": ln.explanation,
                    }
                    for ln in s.lines
                ],
                "total_label": s.total_label,
                "total": s.total,
            }
            for s in view.sections
        ],
        "year_to_date": [{"label": label, "value": value} for label, value in view.ytd],
        "questions": [_question_out(q, labels.get(q.line_code, q.line_code)) for q in view.questions],
    }


@router.get(
    "/payslips",
    response={200: list[PayslipRowOut], **READ_ERRORS},
    summary="My published payslips, newest first",
    description=PAGED + FRESH,
)
@paginated(default=24, max_limit=200)
def payslip_list(request: HttpRequest):
    require_fresh_api(request)
    rows = selectors.payslip_list(request.actor)  # type: ignore[attr-defined]

    def read(limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        count = rows.count()
        page = selectors.payslip_rows(list(rows[offset : offset + limit])) if count else []
        return [
            {
                "id": r["payslip"].pk,
                "month": r["month"],
                "net": r["net"],
                "run_kind": r["kind"],
                "kind_label": r["kind_label"],
                "published_at": r["payslip"].published_at,
            }
            for r in page
        ], count

    return SelectorPage(read)


@router.get(
    "/payslips/{int:payslip_id}.pdf",
    response={200: None, **READ_ERRORS},
    summary="A payslip as PDF, in its owner's language",
    description=FRESH.strip(),
    openapi_extra={"responses": {200: {"description": "the PDF", "content": {"application/pdf": {}}}}},
)
def payslip_pdf(request: HttpRequest, payslip_id: int):
    require_fresh_api(request)
    payslip = selectors.payslip_for(request.actor, payslip_id)  # type: ignore[attr-defined]
    if payslip is None:
        raise Http404
    response = pdf.payslip_response(request.actor, payslip)  # type: ignore[attr-defined]
    if response is None:
        raise Http404
    return response


@router.get(
    "/payslips/{int:payslip_id}",
    response={200: PayslipOut, **READ_ERRORS},
    summary="A payslip with every line, its explanation, the totals and the year to date",
    description=FRESH.strip(),
)
def payslip_detail(request: HttpRequest, payslip_id: int):
    require_fresh_api(request)
    view = selectors.payslip_get(request.actor, payslip_id)  # type: ignore[attr-defined]
    if view is None:
        raise Http404
    return _payslip_out(view)


@router.post(
    "/payslips/{int:payslip_id}/questions",
    response={201: PayslipQuestionOut, **ERRORS},
    summary="Ask payroll about a line of my payslip (or the payslip as a whole)",
)
def payslip_question_create(request: HttpRequest, payslip_id: int, data: QuestionIn):
    actor = request.actor  # type: ignore[attr-defined]
    payslip = selectors.payslip_for(actor, payslip_id)
    if payslip is None:
        raise Http404
    # Payroll may read a payslip of their groups but asks nothing on it: the service answers 403.
    question = services.payslip_question_ask(actor=actor, payslip=payslip, line_code=data.line_code, text=data.text)
    return Status(201, _question_out(question, selectors.question_line_labels([question])[question.pk]))


@router.get(
    "/questions",
    response={200: list[PayslipQuestionOut], **ERRORS},
    summary="Payslip questions of the pay groups I run (payroll), open ones first",
    description=PAGED,
)
@paginated(default=50, max_limit=200)
def question_list(request: HttpRequest, filters: Query[QuestionFilters]):
    rows = selectors.question_list(request.actor, state=filters.state or "")  # type: ignore[attr-defined]

    def read(limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        count = rows.count()
        questions = list(rows[offset : offset + limit]) if count else []
        labels = selectors.question_line_labels(questions)
        return [_question_out(q, labels[q.pk]) for q in questions], count

    return SelectorPage(read)


@router.post(
    "/questions/{int:question_id}/answer",
    response={200: PayslipQuestionOut, **ERRORS},
    summary="Answer a payslip question (payroll of the run's pay group); the person is told",
)
def question_answer(request: HttpRequest, question_id: int, data: AnswerIn):
    actor = request.actor  # type: ignore[attr-defined]
    question = selectors.question_get(actor, question_id)
    if question is None:
        raise Http404
    question = services.payslip_question_answer(actor=actor, question=question, answer=data.answer)
    question = selectors.question_get(actor, question.pk) or question
    return _question_out(question, selectors.question_line_labels([question])[question.pk])
