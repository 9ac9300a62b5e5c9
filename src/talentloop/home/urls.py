from django.urls import path

from talentloop.home import views

app_name = "home"

urlpatterns = [
    path("", views.index, name="index"),
    path("more/", views.more, name="more"),
]
