"""Forms of the learning pages; the rules live in the services, the forms only parse."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from talentloop.core.access import Actor
from talentloop.core.widgets import DateTimeInput
from talentloop.learning.models import Audience, ContentItem, ContentKind
from talentloop.organisation.access import visible_job_families, visible_org_units


class ContentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    title_en = forms.CharField(label=_("English title"), max_length=200, required=False)
    summary = forms.CharField(label=_("Summary"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    summary_en = forms.CharField(label=_("English summary"), max_length=2000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https",
                         help_text=_("A link or a text: one of the two is needed."))
    body = forms.CharField(label=_("Text"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 6}))
    tags = forms.CharField(label=_("Tags"), max_length=600, required=False,
                           help_text=_("Comma-separated, e.g. python, code-review, customer-satisfaction."))
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    org_units = forms.ModelMultipleChoiceField(label=_("Org units"), queryset=None, required=False,
                                               help_text=_("For the audience “org units”; sub-units included."))
    job_families = forms.ModelMultipleChoiceField(label=_("Job families"), queryset=None, required=False,
                                                  help_text=_("For the audience “job families”."))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=6000, required=False)
    publish = forms.BooleanField(label=_("Published"), required=False)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_units"].queryset = visible_org_units(actor).order_by("path")
        self.fields["job_families"].queryset = visible_job_families(actor).order_by("code")
        if not actor.is_hr:
            self.fields["kind"].choices = [c for c in ContentKind.choices if c[0] != ContentKind.COURSE]

    @staticmethod
    def initial_from(item: ContentItem | None) -> dict:
        if item is None:
            return {"audience": Audience.EVERYONE}
        return {"kind": item.kind, "title": item.title, "title_en": item.title_en, "summary": item.summary,
                "summary_en": item.summary_en, "url": item.url, "body": item.body, "tags": ", ".join(item.tags),
                "audience": item.audience, "org_units": list(item.org_units.all()),
                "job_families": list(item.job_families.all()), "duration_minutes": item.duration_minutes,
                "publish": item.status == "published"}

    def service_data(self) -> dict:
        d = dict(self.cleaned_data)
        d["org_units"] = list(d.get("org_units") or [])
        d["job_families"] = list(d.get("job_families") or [])
        return d


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts at"),
                                    widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ends at"),
                                  widget=DateTimeInput)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    online_url = forms.URLField(label=_("Online link"), max_length=500, required=False, assume_scheme="https")
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=10000, required=False,
                                  help_text=_("Leave empty for no limit."))

    def clean(self):
        d = super().clean()
        if d.get("starts_at") and d.get("ends_at") and d["ends_at"] <= d["starts_at"]:
            self.add_error("ends_at", _("The session must end after it starts."))
        if d.get("starts_at") and d["starts_at"] <= timezone.now():
            self.add_error("starts_at", _("Choose a time in the future."))
        return d


class AttendanceForm(forms.Form):
    attended = forms.TypedMultipleChoiceField(label=_("Present"), coerce=int, required=False,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, signups, **kwargs):
        super().__init__(*args, **kwargs)
        self.signups = signups
        self.fields["attended"].choices = [(s.employee_id, s.employee.display_name) for s in signups]
