"""Pages of the delivery channels; ``notifications/urls.py`` adds ``urlpatterns`` to the app's own."""

from django.urls import path

from talentloop.notifications import channel_views as views

urlpatterns = [
    path("channels/", views.channel_list, name="channel-list"),
    path("channels/<str:vendor>/", views.channel_credentials, name="channel-credentials"),
    path("group-bots/", views.group_bot_list, name="group-bot-list"),
    path("group-bots/new/", views.group_bot_create, name="group-bot-create"),
    path("group-bots/<int:pk>/", views.group_bot_edit, name="group-bot-edit"),
    path("group-bots/<int:pk>/test/", views.group_bot_test, name="group-bot-test"),
    path("group-bots/<int:pk>/delete/", views.group_bot_delete, name="group-bot-delete"),
    path("im-identities/", views.im_identity_list, name="im-identity-list"),
    path("im-identities/import/", views.im_identity_import, name="im-identity-import"),
    path("im-identities/<int:pk>/delete/", views.im_identity_delete, name="im-identity-delete"),
]
