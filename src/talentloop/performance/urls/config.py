"""HR's configuration pages and the observation upload."""

from django.urls import path

from talentloop.performance.views import config, observations

urlpatterns = [
    path("metrics/", config.metric_list, name="metric-list"),
    path("metrics/new/", config.metric_edit, name="metric-create"),
    path("metrics/<int:pk>/", config.metric_edit, name="metric-edit"),
    path("scorecards/", config.scorecard_list, name="scorecard-list"),
    path("scorecards/new/", config.scorecard_edit, name="scorecard-create"),
    path("scorecards/<int:pk>/", config.scorecard_detail, name="scorecard-detail"),
    path("scorecards/<int:pk>/versions/new/", config.scorecard_edit, name="scorecard-version-create"),
    path("periods/", config.period_list, name="period-list"),
    path("periods/close/", config.period_close, name="period-close"),
    path("periods/reopen/", config.period_reopen, name="period-reopen"),
    path("periods/rebuild/", config.period_recompute, name="period-recompute"),
    path("observations/upload/", observations.observation_upload, name="observation-upload"),
    path("observations/upload/jobs/<int:pk>/", observations.observation_upload_job, name="observation-upload-job"),
]
