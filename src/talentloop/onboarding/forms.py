"""Forms of the onboarding pages. The steps editor is one text area, a step per line:
``due day | owner | title | English title`` — quick on a phone and readable in a diff."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.access import Actor
from talentloop.core.widgets import DateInput
from talentloop.onboarding import access
from talentloop.onboarding.models import ChecklistTemplate, StepOwner
from talentloop.organisation.forms import EmployeeRefField
from talentloop.organisation.models import Employee, JobFamily, OrgUnit


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120, required=False)
    org_unit = forms.ModelChoiceField(label=_("Org unit"), queryset=OrgUnit.objects.filter(is_active=True),
                                      required=False, help_text=_("Empty: the whole organisation. Sub-units inherit."))
    job_family = forms.ModelChoiceField(label=_("Job family"), queryset=JobFamily.objects.all(), required=False,
                                        help_text=_("Empty: every job family."))
    steps = forms.CharField(
        label=_("Steps"), widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One step per line: due day | owner | title | English title (optional). The due day "
                    "counts from the start date (-2 = two days before day one). Owners: hr, it, manager, "
                    "mentor, new_hire."))
    active = forms.BooleanField(label=pgettext_lazy("switched on", "Active"), required=False, initial=True)

    @classmethod
    def initial_from(cls, template: ChecklistTemplate | None) -> dict:
        if template is None:
            return {"active": True}
        lines = []
        for s in template.steps.all():
            parts = [str(s.due_day), s.owner, s.title] + ([s.title_en] if s.title_en else [])
            lines.append(" | ".join(parts))
        return {"name": template.name, "name_en": template.name_en, "org_unit": template.org_unit_id,
                "job_family": template.job_family_id, "active": template.active, "steps": "\n".join(lines)}

    def clean_steps(self) -> list[dict]:
        steps, problems = [], []
        for n, line in enumerate([x for x in self.cleaned_data["steps"].splitlines() if x.strip()], start=1):
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 3:
                problems.append(_("Line %(n)d: write “due day | owner | title”.") % {"n": n})
                continue
            try:
                due_day = int(parts[0])
            except ValueError:
                problems.append(_("Line %(n)d: the due day must be a whole number.") % {"n": n})
                continue
            owner = parts[1].lower().replace("-", "_").replace(" ", "_")
            if owner not in StepOwner.values:
                problems.append(_("Line %(n)d: unknown owner “%(owner)s”.") % {"n": n, "owner": parts[1]})
                continue
            steps.append({"due_day": due_day, "owner": owner, "title": parts[2],
                          "title_en": parts[3] if len(parts) > 3 else ""})
        if problems:
            raise forms.ValidationError(problems)
        return steps

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {"name": d["name"], "name_en": d["name_en"], "org_unit": d.get("org_unit"),
                "job_family": d.get("job_family"), "active": d["active"], "steps": d["steps"]}


class StartForm(forms.Form):
    employee = EmployeeRefField(label=_("New hire"), queryset=Employee.objects.none(), scope="new-hires")
    template = forms.ModelChoiceField(label=_("Template"), queryset=ChecklistTemplate.objects.filter(active=True),
                                      required=False, help_text=_("Empty: the template that applies to the person."))
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["employee"].queryset = access.start_subjects(actor).select_related("org_unit", "manager")


class TickForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
