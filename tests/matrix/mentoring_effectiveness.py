"""Mentoring effectiveness, surveys and matching.

Statuses in the order anonymous, employee, manager, mentor, hr, admin, outsider — by hand:

- ``mentor`` is an approved mentor (reporting to ``manager``) with one active plan for
  ``employee``. A mentor's effectiveness is seen by the mentor, their management chain (``manager``),
  HR and the admin (read only); the mentee and unrelated people get a 404.
- The ranking, programme results and matching runs are HR's; the admin reads them but changes
  nothing (web 404, API 403 on changes). The settings are HR's alone.
- The survey belongs to ``employee`` (the mentee): only they see it and answer it. Aggregates are
  the mentor's own and HR's (and the admin's, read only) — never the mentee's or the manager's.
- Suggestions for oneself are open to everyone with an employee record (here for a programme that
  lets mentees choose); suggestions for someone else are HR's.
"""

from __future__ import annotations

import datetime as dt

from talentloop.testing.matrix import Row

SETTINGS_FORM = {
    "w_growth_rating": "25", "w_growth_skill": "15", "w_mentees": "10", "w_hours": "10", "w_promoted": "10",
    "w_top_decile": "10", "w_survey_on_time": "7", "w_survey_fit": "7", "w_survey_solved": "6", "min_mentees": "3",
    "min_answers": "3", "growth_months": "6", "promotion_months": "12", "top_share_pct": "10",
    "survey_every_months": "3", "survey_open_days": "21", "w_match_needs": "50", "w_match_effectiveness": "30",
    "w_match_capacity": "20", "low_dimension_below": "80", "low_skill_below": "60", "strong_dimension_from": "100",
    "strong_skill_from": "80", "note": "matrix",
}
SURVEY_FORM = {"on_time": "yes", "content_fits": "yes", "problems_solved": "no", "comment": ""}

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("mentoring/effectiveness/me/", "GET", "/mentoring/effectiveness/me/", (302, 404, 404, 302, 404, 404, 404)),
    Row("mentoring/effectiveness/mentors/<int:pk>/", "GET", "/mentoring/effectiveness/mentors/{mt_mentor}/",
        (302, 404, 200, 200, 200, 200, 404)),
    Row("mentoring/effectiveness/ranking/", "GET", "/mentoring/effectiveness/ranking/",
        (302, 404, 404, 404, 200, 200, 404)),
    Row("mentoring/effectiveness/programmes/", "GET", "/mentoring/effectiveness/programmes/",
        (302, 404, 404, 404, 200, 200, 404)),
    Row("mentoring/effectiveness/settings/", "GET", "/mentoring/effectiveness/settings/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("mentoring/effectiveness/settings/", "POST", "/mentoring/effectiveness/settings/",
        (302, 404, 404, 404, 302, 404, 404), body=SETTINGS_FORM),
    # Everyone with an employee record has a (possibly empty) list of their own surveys.
    Row("mentoring/surveys/", "GET", "/mentoring/surveys/", (302, 200, 200, 200, 200, 404, 200)),
    Row("mentoring/surveys/<int:pk>/", "GET", "/mentoring/surveys/{mt_survey}/", (302, 200, 404, 404, 404, 404, 404)),
    Row("mentoring/surveys/<int:pk>/", "POST", "/mentoring/surveys/{mt_survey}/",
        (302, 302, 404, 404, 404, 404, 404), body=SURVEY_FORM),
    Row("mentoring/surveys/results/", "GET", "/mentoring/surveys/results/", (302, 404, 404, 200, 404, 404, 404)),
    Row("mentoring/surveys/results/<int:mentor_pk>/", "GET", "/mentoring/surveys/results/{mt_mentor}/",
        (302, 404, 404, 200, 200, 200, 404)),
    Row("mentoring/matching/", "GET", "/mentoring/matching/", (302, 200, 200, 200, 200, 404, 200)),
    Row("mentoring/matching/runs/", "GET", "/mentoring/matching/runs/", (302, 404, 404, 404, 200, 200, 404)),
    Row("mentoring/matching/runs/new/", "GET", "/mentoring/matching/runs/new/", (302, 404, 404, 404, 200, 404, 404)),
    Row("mentoring/matching/runs/new/", "POST", "/mentoring/matching/runs/new/", (302, 404, 404, 404, 302, 404, 404),
        body={"template": "{mt_run_template}", "starts_on": "2030-01-01", "numbers": "T-employee"}),
    Row("mentoring/matching/runs/<int:pk>/", "GET", "/mentoring/matching/runs/{mt_run}/",
        (302, 404, 404, 404, 200, 200, 404)),
    Row("mentoring/matching/runs/<int:pk>/publish/", "POST", "/mentoring/matching/runs/{mt_run}/publish/",
        (302, 404, 404, 404, 302, 404, 404), body={}),
    Row("mentoring/matching/runs/<int:pk>/discard/", "POST", "/mentoring/matching/runs/{mt_run}/discard/",
        (302, 404, 404, 404, 302, 404, 404), body={}),
    Row("mentoring/matching/runs/<int:pk>/proposals/<int:proposal_pk>/", "GET",
        "/mentoring/matching/runs/{mt_run}/proposals/{mt_proposal}/", (302, 404, 404, 404, 200, 404, 404)),
    Row("mentoring/matching/runs/<int:pk>/proposals/<int:proposal_pk>/", "POST",
        "/mentoring/matching/runs/{mt_run}/proposals/{mt_proposal}/", (302, 404, 404, 404, 302, 404, 404),
        body={"mentor": ""}),
]

M = "/api/v1/mentoring"
#                                                                     anon  empl  mgr  mentor  hr  admin  outs
API = [
    Row(f"{M}/mentors/{{mentor_id}}/effectiveness", "GET", f"{M}/mentors/{{mt_mentor}}/effectiveness",
        (401, 404, 200, 200, 200, 200, 404)),
    Row(f"{M}/effectiveness/ranking", "GET", f"{M}/effectiveness/ranking", (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{M}/effectiveness/programmes", "GET", f"{M}/effectiveness/programmes", (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{M}/effectiveness/settings", "GET", f"{M}/effectiveness/settings", (401, 403, 403, 403, 200, 403, 403)),
    Row(f"{M}/effectiveness/settings", "PATCH", f"{M}/effectiveness/settings", (401, 403, 403, 403, 200, 403, 403),
        body={"min_mentees": 2}),
    # The admin has no employee record, so no surveys of their own: an empty list.
    Row(f"{M}/surveys", "GET", f"{M}/surveys", (401, 200, 200, 200, 200, 200, 200)),
    Row(f"{M}/surveys/{{survey_id}}/answer", "POST", f"{M}/surveys/{{mt_survey}}/answer",
        (401, 201, 404, 404, 404, 404, 404), body={"on_time": True, "content_fits": True, "problems_solved": False}),
    Row(f"{M}/surveys/aggregate", "GET", f"{M}/surveys/aggregate", (401, 404, 404, 200, 404, 404, 404),
        label="own"),
    Row(f"{M}/surveys/aggregate", "GET", f"{M}/surveys/aggregate?mentor_id={{mt_mentor}}",
        (401, 404, 404, 200, 200, 200, 404), label="the mentor's"),
    Row(f"{M}/matches", "GET", f"{M}/matches?template_id={{mt_choice_template}}", (401, 200, 200, 200, 200, 404, 200),
        label="for oneself"),
    Row(f"{M}/matches", "GET", f"{M}/matches?template_id={{mt_choice_template}}&mentee_id={{employee}}",
        (401, 200, 404, 404, 200, 404, 404), label="for the employee"),
    Row(f"{M}/matches/runs", "GET", f"{M}/matches/runs", (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{M}/matches/runs", "POST", f"{M}/matches/runs", (401, 403, 403, 403, 201, 403, 403),
        body={"template_id": "{mt_run_template}", "starts_on": "2030-01-01", "org_unit_id": "{platform}"}),
    Row(f"{M}/matches/runs/{{run_id}}", "GET", f"{M}/matches/runs/{{mt_run}}", (401, 404, 404, 404, 200, 200, 404)),
    Row(f"{M}/matches/runs/{{run_id}}/proposals/{{proposal_id}}", "PATCH",
        f"{M}/matches/runs/{{mt_run}}/proposals/{{mt_proposal}}", (401, 404, 404, 404, 200, 403, 404),
        body={"mentor_id": None}),
    Row(f"{M}/matches/runs/{{run_id}}/publish", "POST", f"{M}/matches/runs/{{mt_run}}/publish",
        (401, 404, 404, 404, 200, 403, 404)),
    Row(f"{M}/matches/runs/{{run_id}}/discard", "POST", f"{M}/matches/runs/{{mt_run}}/discard",
        (401, 404, 404, 404, 200, 403, 404)),
]


def keys(world) -> dict:
    from talentloop.core.access import actor_for
    from talentloop.mentoring.models import MenteeSurvey
    from talentloop.mentoring.services.matching import match_run_create
    from talentloop.mentoring.tests import effectiveness_fixtures as F

    today = dt.date.today()
    mentor = F.mentor_of(world.emp(world.mentor), capacity=10)  # other areas give this mentor plans too
    employee = world.emp(world.employee)
    tpl = F.template("矩阵·效果")
    plan = F.plan(mentor, employee, tpl, today - dt.timedelta(days=60))
    survey = MenteeSurvey.objects.create(plan=plan, occasion="during", sequence=1, scheduled_on=today,
                                         sent_on=today, closes_on=today + dt.timedelta(days=21))
    choice = F.template("矩阵·自选", allow_choice=True)
    run_template = F.template("矩阵·匹配", topics=("融入团队",))
    run = match_run_create(actor=actor_for(world.hr), template=run_template, mentees=[employee],
                           starts_on=today + dt.timedelta(days=30))
    return {"mt_mentor": mentor.pk, "mt_survey": survey.pk, "mt_choice_template": choice.pk,
            "mt_run_template": run_template.pk, "mt_run": run.pk, "mt_proposal": run.proposals.get().pk}
