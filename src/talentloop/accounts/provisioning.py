"""Inviting a new account's owner to set their password: a password-set link made with Django's
token generator (the same link and page as an e-mail reset), sent after the transaction commits."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from talentloop.accounts.models import User

log = logging.getLogger(__name__)


def invite_link(user: User) -> str:
    """The address where ``user`` sets a password; it stops working once a password is set."""
    path = reverse(
        "accounts:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.TALENTLOOP_SITE_URL}{path}"


def _send(user_pk: int) -> None:
    user = User.objects.filter(pk=user_pk, is_active=True).first()
    if user is None or not user.email:
        return
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = render_to_string("accounts/invite_email.txt", {"user": user, "link": invite_link(user)})
        subject = _("Your Talentloop account")
    try:
        send_mail(subject, body, None, [user.email])
    except OSError:  # the mail server is down: HR can send the invitation again from the person's page
        log.warning("account invitation for user %s could not be sent", user_pk)


def account_invite_send(*, user: User) -> None:
    """E-mail ``user`` a password-set link once the surrounding transaction commits."""
    user_pk = user.pk
    transaction.on_commit(lambda: _send(user_pk))
