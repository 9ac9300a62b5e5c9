"""Matching: ranked suggestions for one mentee, and cohort runs HR reviews and publishes."""

from django.urls import path

from talentloop.mentoring.views import matching as views

urlpatterns = [
    path("matching/", views.match_suggestions, name="match-suggestions"),
    path("matching/runs/", views.match_run_list, name="match-run-list"),
    path("matching/runs/new/", views.match_run_create, name="match-run-create"),
    path("matching/runs/<int:pk>/", views.match_run_detail, name="match-run-detail"),
    path("matching/runs/<int:pk>/publish/", views.match_run_publish, name="match-run-publish"),
    path("matching/runs/<int:pk>/discard/", views.match_run_discard, name="match-run-discard"),
    path("matching/runs/<int:pk>/proposals/<int:proposal_pk>/", views.match_proposal_change,
         name="match-proposal-change"),
]
