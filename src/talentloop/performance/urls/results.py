"""Work results: submit, my results, the manager's queue, a result, HR's settings."""

from django.urls import path

from talentloop.performance.views import results

urlpatterns = [
    path("results/", results.result_list, name="result-list"),
    path("results/new/", results.result_submit, name="result-submit"),
    path("results/confirm/", results.result_queue, name="result-queue"),
    path("results/settings/", results.result_settings, name="result-settings"),
    path("results/person/<int:pk>/", results.result_person, name="result-person"),
    path("results/<int:pk>/", results.result_detail, name="result-detail"),
    path("results/<int:pk>/confirm/", results.result_confirm, name="result-confirm"),
    path("results/<int:pk>/reject/", results.result_reject, name="result-reject"),
    path("results/<int:pk>/withdraw/", results.result_withdraw, name="result-withdraw"),
    path("results/<int:pk>/attachments/<int:aid>/", results.result_attachment, name="result-attachment"),
]
