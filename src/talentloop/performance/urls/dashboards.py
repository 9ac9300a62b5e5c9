"""Scores that explain themselves and the live dashboards."""

from django.urls import path

from talentloop.performance.views import dashboards, scores

urlpatterns = [
    path("", dashboards.dashboard, name="dashboard"),
    path("team/", dashboards.team_dashboard, name="team-dashboard"),
    path("organisation/", dashboards.org_dashboard, name="org-dashboard"),
    path("scores/me/", scores.my_score, name="my-score"),
    path("scores/<int:pk>/", scores.score_detail, name="score-detail"),
    path("scores/<int:pk>/observations/", scores.score_observations, name="score-observations"),
]
