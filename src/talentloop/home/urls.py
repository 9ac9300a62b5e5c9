from django.urls import path

from talentloop.home import views

app_name = "home"

urlpatterns = [
    path("", views.index, name="index"),
    path("more/", views.more, name="more"),
    path("home/sections/<slug:key>/", views.section, name="section"),
    path("home/items/<int:pk>/record/", views.item_record, name="item-record"),
]
