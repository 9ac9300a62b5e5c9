"""Decline alerts, HR's alert rules and the target root-cause reviews."""

from django.urls import path

from talentloop.performance.views import alerts

urlpatterns = [
    path("alerts/", alerts.alert_list, name="alert-list"),
    path("alerts/<int:pk>/", alerts.alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/acknowledge/", alerts.alert_acknowledge, name="alert-acknowledge"),
    path("alerts/<int:pk>/resolve/", alerts.alert_resolve, name="alert-resolve"),
    path("notices/read/", alerts.notices_read, name="notice-read"),
    path("alert-rules/", alerts.alert_rule_list, name="alert-rule-list"),
    path("alert-rules/new/", alerts.alert_rule_edit, name="alert-rule-create"),
    path("alert-rules/<int:pk>/", alerts.alert_rule_edit, name="alert-rule-edit"),
    path("root-causes/", alerts.root_cause_list, name="root-cause-list"),
    path("root-causes/settings/", alerts.root_cause_settings, name="root-cause-settings"),
    path("root-causes/<int:pk>/", alerts.root_cause_detail, name="root-cause-detail"),
    path("root-causes/<int:pk>/decide/", alerts.root_cause_decide, name="root-cause-decide"),
]
