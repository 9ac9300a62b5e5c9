"""Questions on a payslip line: the person asks from the line on their phone, the payroll users of the
run's pay group are told and answer, and the person is told of the answer. A question is a ticket:
open -> answered (or closed by its asker); its text never leaves the payslip pages (the notifications
name only the month)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from talentloop.core.access import Actor
from talentloop.core.audit.services import audit_record
from talentloop.core.errors import Conflict, InvalidInput, PermissionDenied
from talentloop.notifications.services import Item, notify_after_commit
from talentloop.organisation.models import Employee
from talentloop.payroll import access
from talentloop.payroll.models import (
    PayGroupAccess,
    PayrollLine,
    Payslip,
    PayslipQuestion,
    QuestionState,
)
from talentloop.payroll.notification_kinds import PAYSLIP_QUESTION_ANSWERED, PAYSLIP_QUESTION_ASKED

QUESTION_MAX = 2000
ANSWER_MAX = 4000


def _text_errors(value: str, field: str, limit: int) -> dict[str, list[str]]:
    if not value:
        return {field: [_("This field is required.")]}
    if len(value) > limit:
        return {field: [_("At most %(limit)d characters.") % {"limit": limit}]}
    return {}


def _payroll_recipients(payslip: Payslip) -> list[int]:
    """The people (employee ids) of the payroll users who run the payslip's pay group, but not the
    person asking: one query."""
    users = PayGroupAccess.objects.filter(pay_group_id=payslip.run.pay_group_id).values("user_id")
    return list(Employee.objects.filter(user_id__in=users).exclude(pk=payslip.employee_id).values_list("pk", flat=True))


@transaction.atomic
def payslip_question_ask(*, actor: Actor, payslip: Payslip, line_code: str, text: str) -> PayslipQuestion:
    """Ask about a line of one's own published payslip (``line_code`` blank: the payslip as a whole)."""
    if not access.can_ask_about_payslip(actor, payslip):
        raise PermissionDenied(_("You may ask only about your own payslips."))
    text = (text or "").strip()
    line_code = (line_code or "").strip()
    errors = _text_errors(text, "text", QUESTION_MAX)
    if line_code and not PayrollLine.objects.filter(payslip=payslip, code=line_code, shown_on_payslip=True).exists():
        errors["line_code"] = [_("This payslip has no such line.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    question = PayslipQuestion(payslip=payslip, line_code=line_code, text=text, asked_by=actor.user)
    question.full_clean()
    question.save()
    # Who asked about which payslip, never the text (it may quote amounts).
    audit_record(actor=actor, action="create", obj=question, changes={"line": line_code or "-"})
    employee = payslip.employee
    notify_after_commit(
        kind=PAYSLIP_QUESTION_ASKED.key,
        items=[
            Item(
                recipient,
                {
                    "month": payslip.month.strftime("%Y-%m"),
                    "question_id": question.pk,
                    "person": employee.name,
                    "person_en": employee.name_en,
                },
                reverse("payroll:question-detail", args=[question.pk]),
                f"payslip-question:{question.pk}",
            )
            for recipient in _payroll_recipients(payslip)
        ],
    )
    return question


def _locked(question: PayslipQuestion) -> PayslipQuestion:
    return PayslipQuestion.objects.select_for_update().select_related("payslip__run__pay_group").get(pk=question.pk)


@transaction.atomic
def payslip_question_answer(*, actor: Actor, question: PayslipQuestion, answer: str) -> PayslipQuestion:
    """Payroll of the run's pay group answers an open question; the person is told."""
    if not access.can_answer_payslip_question(actor, question):
        raise PermissionDenied(_("You may not answer this question."))
    answer = (answer or "").strip()
    errors = _text_errors(answer, "answer", ANSWER_MAX)
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors)
    question = _locked(question)
    if question.state != QuestionState.OPEN:
        raise Conflict(_("This question is no longer open."))
    question.answer, question.state = answer, QuestionState.ANSWERED
    question.answered_by, question.answered_at = actor.user, timezone.now()
    question.full_clean()
    question.save(update_fields=["answer", "state", "answered_by", "answered_at"])
    audit_record(actor=actor, action="update", obj=question, changes={"state": QuestionState.ANSWERED.value})
    payslip = question.payslip
    notify_after_commit(
        kind=PAYSLIP_QUESTION_ANSWERED.key,
        items=[
            Item(
                payslip.employee_id,
                {"month": payslip.month.strftime("%Y-%m"), "question_id": question.pk, "payslip_id": payslip.pk},
                reverse("payroll:payslip-detail", args=[payslip.pk]) + f"#question-{question.pk}",
                f"payslip-answer:{question.pk}",
            )
        ],
    )
    return question


@transaction.atomic
def payslip_question_close(*, actor: Actor, question: PayslipQuestion) -> PayslipQuestion:
    """The person who asked closes their question (settled, or no longer needed)."""
    if not access.is_own_payslip(actor, question.payslip):
        raise PermissionDenied(_("You may close only your own questions."))
    question = _locked(question)
    if question.state == QuestionState.CLOSED:
        return question
    question.state = QuestionState.CLOSED
    question.save(update_fields=["state"])
    audit_record(actor=actor, action="update", obj=question, changes={"state": QuestionState.CLOSED.value})
    return question
