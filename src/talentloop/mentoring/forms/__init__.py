"""Forms of the mentoring pages: they parse input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.access import Actor
from talentloop.core.widgets import DateInput
from talentloop.mentoring import access, selectors
from talentloop.mentoring.models import (
    CRITERION_DEFAULTS,
    CriterionKey,
    ItemKind,
    MenteeType,
    Mentor,
    MentorPolicy,
    PlanTopic,
    ProgrammeTemplate,
)
from talentloop.organisation.forms import EmployeeRefField
from talentloop.organisation.models import Employee, JobFamily


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# ---------------------------------------------------------------- qualification


class ApplyForm(forms.Form):
    motivation = forms.CharField(label=_("Why I want to mentor"), required=False, max_length=2000,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    expertise = forms.CharField(label=_("Areas of expertise"), required=False, max_length=500,
                                help_text=_("Separate areas with commas, e.g. Python, code review, onboarding."))


class PolicyForm(forms.Form):
    """A new policy version: each criterion switched on or off, with its parameters."""

    annual_rating_min_on = forms.BooleanField(label=CriterionKey.ANNUAL_RATING_MIN.label, required=False)
    annual_rating_min_min = forms.DecimalField(label=_("Minimum annual rating (1–5)"), min_value=Decimal(1),
                                               max_value=Decimal(5), decimal_places=1, required=False)
    annual_rating_min_years = forms.IntegerField(label=_("In each of the last … complete calendar years"),
                                                 min_value=1, max_value=10, required=False)
    mentoring_experience_years_on = forms.BooleanField(label=CriterionKey.MENTORING_EXPERIENCE_YEARS.label,
                                                       required=False)
    mentoring_experience_years_years = forms.DecimalField(label=_("At least … years of mentoring"),
                                                          min_value=Decimal(0), max_value=Decimal(40),
                                                          decimal_places=1, required=False)
    successful_mentees_on = forms.BooleanField(label=CriterionKey.SUCCESSFUL_MENTEES.label, required=False)
    successful_mentees_count = forms.IntegerField(label=_("At least … past mentees"), min_value=1, max_value=50,
                                                  required=False)
    successful_mentees_growth_min_pct = forms.DecimalField(label=_("whose performance rose by at least … %"),
                                                           min_value=Decimal(-100), max_value=Decimal(1000),
                                                           decimal_places=1, required=False)
    certification_on = forms.BooleanField(label=CriterionKey.CERTIFICATION.label, required=False)
    certification_course = forms.SlugField(label=_("Course"), max_length=60, required=False)
    certification_min_score = forms.DecimalField(label=_("Passing score (0–100)"), min_value=Decimal(0),
                                                 max_value=Decimal(100), decimal_places=2, required=False)
    tenure_years_on = forms.BooleanField(label=CriterionKey.TENURE_YEARS.label, required=False)
    tenure_years_years = forms.DecimalField(label=_("At least … years with the company"), min_value=Decimal(0),
                                            max_value=Decimal(50), decimal_places=1, required=False)
    level_min_on = forms.BooleanField(label=CriterionKey.LEVEL_MIN.label, required=False)
    level_min_level = forms.IntegerField(label=_("Level at least"), min_value=1, max_value=20, required=False)
    allow_management_chain = forms.BooleanField(
        label=_("A mentor may be in the mentee's management chain"), required=False)
    default_capacity = forms.IntegerField(label=_("Default capacity (mentees at once)"), min_value=1, max_value=50)
    reminder_days = forms.IntegerField(label=_("Remind this many days before an item is due"), min_value=0,
                                       max_value=60)
    escalate_after_days = forms.IntegerField(label=_("Alert the mentor's manager this many days after the due date"),
                                             min_value=1, max_value=60)
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    PARAMS = {
        CriterionKey.ANNUAL_RATING_MIN: ("min", "years"),
        CriterionKey.MENTORING_EXPERIENCE_YEARS: ("years",),
        CriterionKey.SUCCESSFUL_MENTEES: ("count", "growth_min_pct"),
        CriterionKey.CERTIFICATION: ("course", "min_score"),
        CriterionKey.TENURE_YEARS: ("years",),
        CriterionKey.LEVEL_MIN: ("level",),
    }

    @classmethod
    def initial_from(cls, policy: MentorPolicy | None) -> dict:
        initial: dict = {"default_capacity": 3, "reminder_days": 5, "escalate_after_days": 1}
        for key, names in cls.PARAMS.items():
            for name in names:
                initial[f"{key}_{name}"] = CRITERION_DEFAULTS[key][name]
        if policy is None:
            return initial
        initial.update(allow_management_chain=policy.allow_management_chain,
                       default_capacity=policy.default_capacity, reminder_days=policy.reminder_days,
                       escalate_after_days=policy.escalate_after_days)
        for c in policy.criteria:
            initial[f"{c['key']}_on"] = True
            for name, value in (c.get("params") or {}).items():
                initial[f"{c['key']}_{name}"] = value
        return initial

    def groups(self):
        """(on-switch, parameter fields) per criterion, for the template."""
        return [(self[f"{key}_on"], [self[f"{key}_{n}"] for n in names]) for key, names in self.PARAMS.items()]

    def criteria(self) -> list[dict]:
        out = []
        for key, names in self.PARAMS.items():
            if self.cleaned_data.get(f"{key}_on"):
                params = {n: self.cleaned_data.get(f"{key}_{n}") for n in names
                          if self.cleaned_data.get(f"{key}_{n}") not in (None, "")}
                out.append({"key": str(key), "params": params})
        return out


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class InviteForm(forms.Form):
    employees = forms.TypedMultipleChoiceField(label=_("People"), coerce=int, choices=[])
    message = forms.CharField(label=_("Message"), required=False, max_length=500)

    def __init__(self, *args, ids: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employees"].choices = [(i, i) for i in ids or []]


class MentorForm(forms.Form):
    profile = forms.CharField(label=_("Profile"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))
    expertise = forms.CharField(label=_("Areas of expertise"), required=False, max_length=500,
                                help_text=_("Separate areas with commas."))
    capacity = forms.IntegerField(label=_("Capacity (mentees at once)"), min_value=1, max_value=50, required=False)
    active = forms.BooleanField(label=pgettext_lazy("switched on", "Active"), required=False)

    def __init__(self, *args, actor: Actor, mentor: Mentor, **kwargs):
        kwargs.setdefault("initial", {"profile": mentor.profile, "expertise": ", ".join(mentor.expertise),
                                      "capacity": mentor.capacity, "active": mentor.active})
        super().__init__(*args, **kwargs)
        if not access.can_edit_mentor_capacity(actor, mentor):
            del self.fields["capacity"]
            del self.fields["active"]

    def service_data(self) -> dict:
        data = {"profile": self.cleaned_data["profile"], "expertise": self.cleaned_data["expertise"]}
        if "capacity" in self.fields:
            data.update(capacity=self.cleaned_data.get("capacity"), active=self.cleaned_data.get("active"))
        return data


# ---------------------------------------------------------------- templates


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120, required=False)
    mentee_type = forms.ChoiceField(label=_("Mentee type"), choices=MenteeType.choices)
    job_family = forms.ModelChoiceField(label=_("Job family"), queryset=JobFamily.objects.all(), required=False,
                                        help_text=_("Only for a job-family programme."))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    goals = forms.CharField(label=_("Goals"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("One goal per line."))
    topics = forms.CharField(label=_("Topics"), widget=forms.Textarea(attrs={"rows": 6}),
                             help_text=_("One topic per line, in order. Start a line with * to make the topic "
                                         "core: every plan must cover it."))
    duration_months = forms.IntegerField(label=_("Duration (months)"), min_value=1, max_value=36, initial=6)
    one_to_one_every = forms.IntegerField(label=_("1:1 every … months"), min_value=1, max_value=24, required=False)
    skill_assessment_every = forms.IntegerField(label=_("Skill assessment every … months"), min_value=1,
                                                max_value=24, required=False)
    results_report_every = forms.IntegerField(label=_("Results report every … months"), min_value=1, max_value=24,
                                              required=False)
    allow_mentee_choice = forms.BooleanField(label=_("Mentees may choose their mentor"), required=False)
    is_active = forms.BooleanField(label=_("Offered"), required=False, initial=True)

    @classmethod
    def initial_from(cls, template: ProgrammeTemplate | None) -> dict:
        if template is None:
            return {"duration_months": 6, "one_to_one_every": 1, "skill_assessment_every": 3,
                    "results_report_every": 6, "is_active": True}
        cadence = {c.kind: c.every_months for c in template.cadence.all()}
        return {
            "name": template.name, "name_en": template.name_en, "mentee_type": template.mentee_type,
            "job_family": template.job_family_id, "description": template.description,
            "goals": "\n".join(template.goals),
            "topics": "\n".join(("* " if t.core else "") + t.title for t in template.topics.all()),
            "duration_months": template.duration_months, "allow_mentee_choice": template.allow_mentee_choice,
            "is_active": template.is_active, "one_to_one_every": cadence.get(ItemKind.ONE_TO_ONE),
            "skill_assessment_every": cadence.get(ItemKind.SKILL_ASSESSMENT),
            "results_report_every": cadence.get(ItemKind.RESULTS_REPORT),
        }

    def service_data(self) -> dict:
        d = self.cleaned_data
        topics = []
        for line in _lines(d["topics"]):
            core = line.startswith("*")
            topics.append({"title": line.lstrip("*").strip(), "core": core})
        cadence = [{"kind": kind, "every_months": d.get(f"{kind}_every")} for kind in ItemKind.values
                   if d.get(f"{kind}_every")]
        return {"name": d["name"], "name_en": d["name_en"], "mentee_type": d["mentee_type"],
                "job_family": d.get("job_family"), "description": d["description"], "goals": _lines(d["goals"]),
                "duration_months": d["duration_months"], "allow_mentee_choice": d["allow_mentee_choice"],
                "is_active": d["is_active"], "topics": topics, "cadence": cadence}


# ---------------------------------------------------------------- plans


class PlanCreateForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Programme"), queryset=ProgrammeTemplate.objects.none())
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=Mentor.objects.none())
    mentee = EmployeeRefField(label=_("Mentee"), queryset=Employee.objects.none(), scope="mentees")
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)

    def __init__(self, *args, actor: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["template"].queryset = access.visible_templates(actor).filter(is_active=True)
        self.fields["mentor"].queryset = selectors.plan_mentors(actor)
        self.fields["mentor"].label_from_instance = lambda m: m.employee.display_name
        self.fields["mentee"].queryset = selectors.plan_mentee_candidates(actor).select_related("org_unit",
                                                                                                "job_family")
        if not actor.is_hr:
            mentor = selectors.mentor_of(actor)
            if mentor is not None:
                self.fields["mentor"].initial = mentor.pk
                self.fields["mentor"].widget = forms.HiddenInput()


class PlanEditForm(forms.Form):
    goals = forms.CharField(label=_("Goals"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("One goal per line."))
    topics = forms.CharField(label=_("Topics"), widget=forms.Textarea(attrs={"rows": 8}),
                             help_text=_("One topic per line, in the order you will cover them. Add and reorder "
                                         "freely; core topics must stay."))
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    duration_months = forms.IntegerField(label=_("Duration (months)"), min_value=1, max_value=36)

    @staticmethod
    def initial_from(plan, topics: list[PlanTopic]) -> dict:
        months = (plan.ends_on.year - plan.starts_on.year) * 12 + plan.ends_on.month - plan.starts_on.month
        return {"goals": "\n".join(plan.goals), "topics": "\n".join(t.title for t in topics),
                "starts_on": plan.starts_on, "duration_months": months}


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=600, initial=60)
    topics = forms.ModelMultipleChoiceField(label=_("Topics covered"), queryset=PlanTopic.objects.none(),
                                            required=False, widget=forms.CheckboxSelectMultiple)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 4}))
    agreed_actions = forms.CharField(label=_("Agreed actions"), required=False, max_length=2000,
                                     widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = plan.topics.all()

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {"held_on": d["held_on"], "duration_minutes": d["duration_minutes"],
                "topics": [t.pk for t in d["topics"]], "notes": d["notes"], "agreed_actions": d["agreed_actions"]}


class AssessmentForm(forms.Form):
    score = forms.DecimalField(label=_("Score (0–100)"), min_value=Decimal(0), max_value=Decimal(100),
                               decimal_places=2)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class ReportForm(forms.Form):
    text = forms.CharField(label=_("Report"), max_length=10000, widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict:
        return {"text": self.cleaned_data["text"]}


ITEM_FORMS = {ItemKind.ONE_TO_ONE: SessionForm, ItemKind.SKILL_ASSESSMENT: AssessmentForm,
              ItemKind.RESULTS_REPORT: ReportForm}
