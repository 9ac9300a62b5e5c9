from talentloop.benefits.views import urlpatterns as urlpatterns

app_name = "benefits"
