"""Effectiveness (a mentor's inputs and composite, the ranking, programme results, HR's settings)
and the mentee surveys."""

from django.urls import path

from talentloop.mentoring.views import effectiveness as views
from talentloop.mentoring.views import surveys as survey_views

urlpatterns = [
    path("effectiveness/me/", views.my_effectiveness, name="my-effectiveness"),
    path("effectiveness/mentors/<int:pk>/", views.mentor_effectiveness, name="mentor-effectiveness"),
    path("effectiveness/ranking/", views.mentor_ranking, name="mentor-ranking"),
    path("effectiveness/programmes/", views.programme_results, name="programme-results"),
    path("effectiveness/settings/", views.effectiveness_settings, name="effectiveness-settings"),
    path("surveys/", survey_views.survey_list, name="survey-list"),
    path("surveys/<int:pk>/", survey_views.survey_answer, name="survey-answer"),
    path("surveys/results/", survey_views.survey_results, name="survey-results"),
    path("surveys/results/<int:mentor_pk>/", survey_views.survey_results, name="survey-results-mentor"),
]
