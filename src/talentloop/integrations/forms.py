"""The forms of the webhook pages: parsing only; the rules live in services.webhooks."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from talentloop.integrations import events


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    url = forms.CharField(label=gettext_lazy("Endpoint URL"), max_length=500,
                          help_text=gettext_lazy("The receiver's http:// or https:// address."))
    event_types = forms.MultipleChoiceField(label=gettext_lazy("Events"), widget=forms.CheckboxSelectMultiple)
    trusted = forms.BooleanField(label=gettext_lazy("Trusted: send personal results (scores, ratings)"),
                                 required=False)

    def __init__(self, *args, may_trust: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = [(t.key, f"{t.label} ({t.key})") for t in events.all_types()]
        if not may_trust:
            del self.fields["trusted"]
