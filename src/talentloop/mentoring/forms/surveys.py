"""Form of the mentee survey page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class SurveyAnswerForm(forms.Form):
    on_time = forms.ChoiceField(label=gettext_lazy("Were our sessions held on time?"), choices=YES_NO,
                                widget=forms.RadioSelect)
    content_fits = forms.ChoiceField(label=gettext_lazy("Does the content fit my needs?"), choices=YES_NO,
                                     widget=forms.RadioSelect)
    problems_solved = forms.ChoiceField(label=gettext_lazy("Did my problems get solved?"), choices=YES_NO,
                                        widget=forms.RadioSelect)
    comment = forms.CharField(label=gettext_lazy("Anything else? (optional)"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {"on_time": d["on_time"] == "yes", "content_fits": d["content_fits"] == "yes",
                "problems_solved": d["problems_solved"] == "yes", "comment": d.get("comment", "")}
