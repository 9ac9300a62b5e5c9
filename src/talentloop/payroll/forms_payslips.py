"""Forms of the payslip pages: a question on a line, and payroll's answer."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from talentloop.payroll.services.payslip_questions import ANSWER_MAX, QUESTION_MAX


class QuestionForm(forms.Form):
    line_code = forms.CharField(label=_("Line"), max_length=60, required=False, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Payroll answers here and tells you when they have."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), max_length=ANSWER_MAX, widget=forms.Textarea(attrs={"rows": 5}))
