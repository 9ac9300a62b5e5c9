"""The webhook source page (HR and the administrator)."""

from django.urls import path

from talentloop.performance.views import webhooks

urlpatterns = [
    path("webhook-sources/", webhooks.webhook_source_list, name="webhook-source-list"),
    path("webhook-sources/<int:pk>/rotate/", webhooks.webhook_source_rotate, name="webhook-source-rotate"),
    path("webhook-sources/<int:pk>/deactivate/", webhooks.webhook_source_deactivate,
         name="webhook-source-deactivate"),
]
