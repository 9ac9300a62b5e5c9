"""E-mail through Django's mail backend (SMTP in production, set with the TALENTLOOP_EMAIL_* variables).

Available when a real backend is configured: the SMTP backend with a host, or any other backend
that actually keeps or sends mail (the test settings' ``locmem``). The console and dummy backends,
the development default, mean "no e-mail here" and the channel is not offered.
"""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from talentloop.notifications.channels.base import Message, Result
from talentloop.organisation.models import Employee

NOT_DELIVERING = ("django.core.mail.backends.console.EmailBackend", "django.core.mail.backends.dummy.EmailBackend")
SMTP = "django.core.mail.backends.smtp.EmailBackend"


class EmailChannel:
    key = "email"
    label = _("E-mail")

    def available(self) -> bool:
        backend = getattr(settings, "EMAIL_BACKEND", "")
        if backend in NOT_DELIVERING or not backend:
            return False
        if backend == SMTP:
            return bool(getattr(settings, "EMAIL_HOST", ""))
        return True

    def addresses(self, employee_ids: list[int]) -> dict[int, str]:
        """The employee's own e-mail, else their sign-in account's (one query for the set)."""
        out: dict[int, str] = {}
        ids = list(employee_ids)
        for start in range(0, len(ids), 900):
            for pk, own, account in Employee.objects.filter(pk__in=ids[start:start + 900]).values_list(
                    "pk", "email", "user__email"):
                address = (own or account or "").strip()
                if address:
                    out[pk] = address
        return out

    def send(self, message: Message) -> Result:
        context = {"message": message, "lines": [line for line in message.text.splitlines() if line.strip()]}
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
        message_id = make_msgid(domain=DNS_NAME.get_fqdn())
        mail = EmailMultiAlternatives(subject=message.subject.replace("\n", " ")[:200], body=text,
                                      from_email=settings.DEFAULT_FROM_EMAIL, to=[message.address],
                                      headers={"Message-ID": message_id})
        mail.attach_alternative(html, "text/html")
        try:
            sent = mail.send(fail_silently=False)
        except OSError as exc:  # smtplib errors are OSErrors: refused, timed out, rejected recipient
            permanent = isinstance(exc, smtplib.SMTPRecipientsRefused)
            code = getattr(exc, "smtp_code", "")
            return Result(ok=False, error=f"{type(exc).__name__} {code}".strip()[:300], retry=not permanent)
        if not sent:
            return Result(ok=False, error="not sent")
        return Result(ok=True, external_id=message_id)


CHANNEL = EmailChannel()
