from django.urls import path

from talentloop.integrations import views, views_connectors, views_sync

app_name = "integrations"

urlpatterns = [
    path("webhooks/", views.subscription_list, name="subscription-list"),
    path("webhooks/new/", views.subscription_create, name="subscription-create"),
    path("webhooks/<int:pk>/", views.subscription_detail, name="subscription-detail"),
    path("webhooks/<int:pk>/edit/", views.subscription_edit, name="subscription-edit"),
    path("webhooks/<int:pk>/rotate/", views.subscription_rotate, name="subscription-rotate"),
    path("webhooks/<int:pk>/disable/", views.subscription_disable, name="subscription-disable"),
    path("webhooks/<int:pk>/enable/", views.subscription_enable, name="subscription-enable"),
    path("webhooks/<int:pk>/delete/", views.subscription_delete, name="subscription-delete"),
    path("webhooks/deliveries/<int:pk>/replay/", views.delivery_replay, name="delivery-replay"),
    path("connectors/", views_connectors.connector_list, name="connector-list"),
    path("connectors/new/", views_connectors.connector_create, name="connector-create"),
    path("connectors/<int:pk>/", views_connectors.connector_detail, name="connector-detail"),
    path("connectors/<int:pk>/edit/", views_connectors.connector_edit, name="connector-edit"),
    path("connectors/<int:pk>/secret/", views_connectors.connector_setup, name="connector-secret"),
    path("connectors/<int:pk>/rotate/", views_connectors.connector_rotate, name="connector-rotate"),
    path("connectors/<int:pk>/toggle/", views_connectors.connector_toggle, name="connector-toggle"),
    path("connectors/<int:pk>/delete/", views_connectors.connector_delete, name="connector-delete"),
    path("connectors/<int:pk>/accounts/", views_connectors.connector_accounts, name="connector-accounts"),
    path("connectors/<int:pk>/test/", views_sync.connector_test, name="connector-test"),
    path("connectors/<int:pk>/backfill/", views_sync.connector_backfill, name="connector-backfill"),
    path("calendar/", views.calendar_feed, name="calendar"),
    path("calendar/revoke/", views.calendar_feed_revoke, name="calendar-revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed_ics, name="calendar-feed"),
]
