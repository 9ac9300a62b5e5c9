"""The form of the webhook source page: parsing only; the rules live in services.webhooks."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy


class WebhookSourceForm(forms.Form):
    key = forms.CharField(
        label=gettext_lazy("Source key"),
        max_length=60,
        validators=[RegexValidator(r"^[-a-zA-Z0-9_]+$", gettext_lazy("Letters, digits, “-” and “_” only."))],
        help_text=gettext_lazy("Part of the address the system posts to, e.g. helpdesk."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
