"""Date and time inputs carry ISO values in every language (browsers discard ``2026/12/07`` in an
``<input type="date">``, so a Chinese form lost its dates), and forms read ISO values back."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import re

import pytest
from django import forms
from django.conf import settings
from django.test import Client
from django.urls import get_resolver
from django.utils import translation

import talentloop
from talentloop.core import widgets
from talentloop.testing.factories import EmployeeFactory

DAY = dt.date(2026, 12, 7)
MOMENT = dt.datetime(2026, 12, 7, 9, 30)


def _all_forms() -> list[type[forms.BaseForm]]:
    """Every form class of the project: the URLconf imports the views, and every ``forms*`` module
    and every module of a ``views`` package is imported too."""
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    for info in pkgutil.walk_packages(talentloop.__path__, "talentloop."):
        last = info.name.rsplit(".", 1)[-1]
        if ".tests" in info.name or ".migrations" in info.name or ".config" in info.name:
            continue
        if last.startswith(("forms", "views")) or ".views." in info.name:
            importlib.import_module(info.name)

    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return sorted(
        (f for f in found if f.__module__.startswith("talentloop.") and ".tests" not in f.__module__),
        key=lambda f: f"{f.__module__}.{f.__qualname__}",
    )


WIDGET_FOR = [
    (forms.DateTimeField, widgets.DateTimeInput, MOMENT, "2026-12-07T09:30"),
    (forms.DateField, widgets.DateInput, DAY, "2026-12-07"),
    (forms.TimeField, widgets.TimeInput, dt.time(9, 30), "09:30"),
]


def test_the_project_has_date_forms_to_check():
    names = {f.__qualname__ for f in _all_forms()}
    assert {"PlanCreateForm", "PlanEditForm", "SessionForm"} <= names


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_date_and_time_field_renders_an_iso_value(language):
    checked = 0
    for form in _all_forms():
        for name, field in form.base_fields.items():
            for field_class, widget_class, value, iso in WIDGET_FOR:
                if isinstance(field, field_class):
                    where = f"{form.__module__}.{form.__qualname__}.{name}"
                    assert isinstance(field.widget, widget_class), f"{where} uses {type(field.widget)}"
                    with translation.override(language):
                        html = field.widget.render(name, value)
                        assert f'value="{iso}"' in html, (where, html)
                        assert field.clean(iso) is not None, where
                    checked += 1
                    break
    assert checked >= 20


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_iso_values_are_read_in_every_language(language):
    with translation.override(language):
        assert forms.DateField(widget=widgets.DateInput).clean("2026-12-07") == DAY
        assert forms.TimeField(widget=widgets.TimeInput).clean("09:30") == dt.time(9, 30)
        moment = forms.DateTimeField(widget=widgets.DateTimeInput).clean("2026-12-07T09:30")
        assert moment.date() == DAY and (moment.hour, moment.minute) == (9, 30)
        with pytest.raises(forms.ValidationError):
            forms.DateField(widget=widgets.DateInput).clean("2026-13-07")


def test_the_widgets_are_the_browsers_input_types():
    assert 'type="date"' in widgets.DateInput().render("d", DAY)
    assert 'type="datetime-local"' in widgets.DateTimeInput().render("d", MOMENT)
    assert 'type="time"' in widgets.TimeInput().render("d", dt.time(9, 30))
    assert widgets.DateInput(format="%d.%m.%Y").format_value(DAY) == "07.12.2026"  # still overridable


# ---------------------------------------------------------------- the pages, in Chinese


def _chinese(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


@pytest.mark.django_db
def test_the_plan_editor_in_chinese_shows_and_saves_its_start_date(world, client_for):
    from talentloop.mentoring.services import programmes as S
    from talentloop.mentoring.tests import programme_fixtures as F

    F.policy([{"key": "level_min", "params": {"level": 3}}])
    mentor = F.mentor(world.emp(world.mentor), capacity=3)
    plan = S.mentoring_plan_create(
        actor=F.actor(world, "mentor"),
        mentor=mentor,
        mentee=world.emp(world.employee),
        template=F.template(),
        starts_on=dt.date(2026, 1, 15),
    )
    client = _chinese(client_for("mentor"))
    page = client.get(f"/mentoring/plans/{plan.pk}/edit/").content.decode()
    assert 'lang="zh-Hans"' in page
    assert 'type="date" name="starts_on" value="2026-01-15"' in page
    assert "2026/01/15" not in page

    response = client.post(
        f"/mentoring/plans/{plan.pk}/edit/",
        {"goals": "x", "topics": "公司价值观\n岗位实操技能", "starts_on": "2026-02-16", "duration_months": "6"},
    )
    assert response.status_code in (200, 302), response.content.decode()[:500]
    plan.refresh_from_db()
    assert plan.starts_on == dt.date(2026, 2, 16)
    assert 'value="2026-02-16"' in client.get(f"/mentoring/plans/{plan.pk}/edit/").content.decode()


@pytest.mark.django_db
def test_a_new_plan_in_chinese_keeps_its_start_date(world, client_for):
    from talentloop.mentoring.models import MentoringPlan
    from talentloop.mentoring.tests import programme_fixtures as F

    F.policy([{"key": "level_min", "params": {"level": 3}}])
    mentor = F.mentor(world.emp(world.mentor), capacity=3)
    tpl = F.template()
    mentee = EmployeeFactory(org_unit=world.emp(world.employee).org_unit, manager=world.emp(world.lead))
    client = _chinese(client_for("mentor"))
    page = client.get("/mentoring/plans/new/").content.decode()
    assert 'type="date" name="starts_on"' in page
    response = client.post(
        "/mentoring/plans/new/",
        {"template": tpl.pk, "mentor": mentor.pk, "mentee": mentee.employee_number, "starts_on": "2026-12-07"},
    )
    assert response.status_code in (200, 302), response.content.decode()[:800]
    errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', response.content.decode())
    assert MentoringPlan.objects.filter(mentee=mentee).exists(), errors
    plan = MentoringPlan.objects.get(mentee=mentee)
    assert plan.starts_on == DAY
