"""Select boxes written by the form renderer are the markup Django's own templates write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy, override

from talentloop.core.form_renderer import FormRenderer
from talentloop.organisation.models import OrgUnit

CHOICES = [
    ("", "---------"),
    ("a", 'Quotes " and <tags> & ampersands'),
    (2, gettext_lazy("Talentloop")),
    (Decimal("1234.5"), Decimal("1234.5")),
    ("Group", [("g1", "第一"), ("g2", mark_safe("<b>safe</b>"))]),  # noqa: S308 - a test of safe labels
    (dt.date(2026, 12, 7), dt.date(2026, 12, 7)),
]


class Every(forms.Form):
    plain = forms.ChoiceField(choices=CHOICES, required=False)
    required = forms.ChoiceField(choices=CHOICES)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    maybe = forms.NullBooleanField(required=False)
    attrs = forms.ChoiceField(choices=CHOICES, widget=forms.Select(attrs={
        "data-autosubmit": True, "disabled": False, "class": 'a"b', "aria-label": "<x>"}))
    typed = forms.TypedChoiceField(choices=[(1, "one"), (2, "two")], coerce=int)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("data", [None, {"plain": "a", "required": "g2", "many": ["a", "g1", "2"], "maybe": "true",
                                         "attrs": "2", "typed": "2"}])
def test_every_kind_of_select_box_matches_the_templates(language, data):
    fast, slow = FormRenderer(), DjangoTemplates()
    with override(language):
        for name in Every.base_fields:
            ours = str(Every(data=data, renderer=fast)[name])
            theirs = str(Every(data=data, renderer=slow)[name])
            assert ours == theirs, name
            assert "<select" in ours


@pytest.mark.django_db
def test_a_model_choice_field_matches_the_templates():
    OrgUnit.objects.create(code="x", name="研发 <中心>", path="/x/", depth=0)

    class Units(forms.Form):
        unit = forms.ModelChoiceField(queryset=OrgUnit.objects.all(), required=False)
        units = forms.ModelMultipleChoiceField(queryset=OrgUnit.objects.all(), required=False)

    assert str(Units(renderer=FormRenderer())["unit"]) == str(Units(renderer=DjangoTemplates())["unit"])
    assert str(Units(renderer=FormRenderer())["units"]) == str(Units(renderer=DjangoTemplates())["units"])


def test_other_widgets_still_use_their_templates():
    class Other(forms.Form):
        radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)
        boxes = forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple)
        text = forms.CharField()

    for name in Other.base_fields:
        assert str(Other(renderer=FormRenderer())[name]) == str(Other(renderer=DjangoTemplates())[name])
