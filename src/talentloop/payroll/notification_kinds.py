"""Payroll: notification kinds. A payslip is personal: the message says only that it is out, never an
amount; the person opens it after signing in again."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from talentloop.notifications.kinds import Kind, pick, register
from talentloop.notifications.services import Item, notify_each
from talentloop.payroll.models import Payslip


def _payslip_out(data: dict) -> str:
    return gettext("Your payslip for %(month)s is ready.") % {"month": data.get("month", "")}


BATCH = 2000
PAYSLIP_OUT = register(Kind(key="payslip_out", label=_("Payslip ready"), render=_payslip_out))


def payslips_published(run_id: int) -> int:
    """Tell each person of a locked run that their payslip is out (once per payslip), in batches."""
    count = 0
    batch: list[Item] = []
    rows = Payslip.objects.filter(run_id=run_id, published_at__isnull=False).values_list("pk", "employee_id", "month")
    for pk, employee_id, month in rows.iterator(chunk_size=BATCH):
        data = {"month": month.strftime("%Y-%m"), "payslip_id": pk}
        batch.append(Item(employee_id, data, reverse("payroll:payslip-detail", args=[pk]), f"payslip:{pk}"))
        if len(batch) == BATCH:
            count += notify_each(kind=PAYSLIP_OUT.key, items=batch)
            batch = []
    if batch:
        count += notify_each(kind=PAYSLIP_OUT.key, items=batch)
    return count


# ------------------------------------------------------------------------------------------------ payslip questions
# A question's text and the answer stay on the payslip page (behind re-authentication); the message
# names only the month, and for payroll the person who asks.


def _question_asked(data: dict) -> str:
    return gettext("%(person)s asked a question on their payslip for %(month)s.") % {
        "person": pick(data, "person"),
        "month": data.get("month", ""),
    }


def _question_answered(data: dict) -> str:
    return gettext("Payroll answered your question on your payslip for %(month)s.") % {"month": data.get("month", "")}


PAYSLIP_QUESTION_ASKED = register(
    Kind(key="payslip_question_asked", label=_("Question on a payslip"), render=_question_asked)
)

PAYSLIP_QUESTION_ANSWERED = register(
    Kind(key="payslip_question_answered", label=_("Answer to a payslip question"), render=_question_answered)
)
