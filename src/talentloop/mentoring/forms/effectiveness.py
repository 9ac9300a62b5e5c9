"""Form of the programme effectiveness settings page."""

from __future__ import annotations

from django import forms

from talentloop.mentoring.models import EffectivenessConfig
from talentloop.mentoring.services import effectiveness as services


class EffectivenessConfigForm(forms.ModelForm):
    class Meta:
        model = EffectivenessConfig
        fields = [*services.SETTING_FIELDS, "note"]

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "note"}
