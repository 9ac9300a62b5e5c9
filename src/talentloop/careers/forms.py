"""Forms of the ladder editor."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from talentloop.careers.models import CareerLadder, LadderLevel
from talentloop.careers.selectors import course_choices
from talentloop.organisation.models import JobFamily


class LadderForm(forms.Form):
    job_family = forms.ModelChoiceField(label=_("Job family"), queryset=JobFamily.objects.all())
    name = forms.CharField(label=_("Name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120, required=False)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def initial_from(cls, ladder: CareerLadder | None) -> dict:
        if ladder is None:
            return {}
        return {"job_family": ladder.job_family_id, "name": ladder.name, "name_en": ladder.name_en,
                "description": ladder.description}


class LevelForm(forms.Form):
    level = forms.IntegerField(label=_("Level"), min_value=1, max_value=20)
    title = forms.CharField(label=_("Title"), max_length=120)
    title_en = forms.CharField(label=_("English title"), max_length=120, required=False)
    description = forms.CharField(label=_("What the level asks, in words"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    min_rating = forms.DecimalField(label=_("Minimum rating last year (1–5)"), required=False, max_digits=3,
                                    decimal_places=1)
    min_months_in_level = forms.IntegerField(label=_("Months in the level below"), required=False, min_value=0,
                                             max_value=240)
    required_skills = forms.CharField(
        label=_("Required skills (JSON)"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('For example [{"skill": "python", "min_score": 80}]; scores from 0 to 100.'))
    required_courses = forms.ModelMultipleChoiceField(label=_("Required courses"), queryset=None, required=False,
                                                      widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["required_courses"].queryset = course_choices()
        self.fields["required_courses"].label_from_instance = lambda c: c.title

    @classmethod
    def initial_from(cls, level: LadderLevel | None) -> dict:
        if level is None:
            return {}
        return {"level": level.level, "title": level.title, "title_en": level.title_en,
                "description": level.description, "min_rating": level.min_rating,
                "min_months_in_level": level.min_months_in_level,
                "required_skills": json.dumps(level.required_skills, ensure_ascii=False) if level.required_skills
                else "", "required_courses": [c.pk for c in level.required_courses.all()]}

    def clean_required_skills(self):
        text = (self.cleaned_data.get("required_skills") or "").strip()
        if not text:
            return []
        try:
            return json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("This is not valid JSON.")) from exc

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {"level": d["level"], "title": d["title"], "title_en": d["title_en"], "description": d["description"],
                "min_rating": d.get("min_rating"), "min_months_in_level": d.get("min_months_in_level"),
                "required_skills": d["required_skills"],
                "required_course_ids": [c.pk for c in d.get("required_courses") or []]}
