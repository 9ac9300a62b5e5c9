from django import forms
from django.utils.translation import gettext_lazy as _

from talentloop.core.widgets import DateInput

DEFAULT_MINUTES = 60


class QuickSessionForm(forms.Form):
    """A 1:1 recorded from the home page: the date (today unless changed), how long, an optional note."""

    held_on = forms.DateField(label=_("Held on"), widget=DateInput)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=600,
                                          initial=DEFAULT_MINUTES)
    notes = forms.CharField(label=_("Note (optional)"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {"held_on": d["held_on"], "duration_minutes": d["duration_minutes"], "notes": d["notes"]}
