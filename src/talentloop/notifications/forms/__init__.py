"""The preferences form: one checkbox per kind and available channel, and quiet hours."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from talentloop.core.widgets import TimeInput


class PreferencesForm(forms.Form):
    """Fields ``<kind>__<channel>`` for every kind × available channel (the inbox is always on and
    has no field), then the quiet hours."""

    quiet_enabled = forms.BooleanField(label=_("Quiet hours on"), required=False)
    quiet_start = forms.TimeField(label=_("Quiet from"), required=False, widget=TimeInput(),
                                  input_formats=["%H:%M", "%H:%M:%S"])
    quiet_end = forms.TimeField(label=_("Quiet until"), required=False, widget=TimeInput(),
                                input_formats=["%H:%M", "%H:%M:%S"],
                                help_text=_("Times in the organisation's time zone. Urgent notifications "
                                            "(alerts, overdue escalations) still come at once."))

    def __init__(self, *args, kinds: list, channels: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        self.channels = channels
        self.rows = []
        for choice in kinds:
            cells = []
            for channel in channels:
                name = f"{choice.kind.key}__{channel.key}"
                self.fields[name] = forms.BooleanField(
                    required=False, initial=channel.key in choice.channels,
                    label=f"{choice.kind.label}: {channel.label}")
                cells.append(name)
            self.rows.append((choice, cells))

    def kind_rows(self):
        """(kind choice, [bound field per channel]) for the table."""
        return [(choice, [self[name] for name in cells]) for choice, cells in self.rows]

    def clean(self):
        data = super().clean()
        if data.get("quiet_enabled"):
            if not data.get("quiet_start"):
                self.add_error("quiet_start", _("This field is required."))
            if not data.get("quiet_end"):
                self.add_error("quiet_end", _("This field is required."))
        return data

    def kind_channels(self) -> dict[str, list[str]]:
        """Only the kinds whose boxes changed; a choice of a channel not offered now is kept."""
        offered = {ch.key for ch in self.channels}
        out = {}
        for choice in self.kinds:
            current = set(choice.channels)
            checked = {ch.key for ch in self.channels if self.cleaned_data.get(f"{choice.kind.key}__{ch.key}")}
            if checked != current & offered:
                out[choice.kind.key] = sorted((current - offered) | checked)
        return out
