from django.urls import path

from talentloop.notifications import views
from talentloop.notifications.channel_urls import urlpatterns as channel_urlpatterns

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("read-all/", views.read_all, name="read-all"),
    path("preferences/", views.preferences, name="preferences"),
    # The delivery channels' pages (push, chat apps, group bots).
    *channel_urlpatterns,
]
