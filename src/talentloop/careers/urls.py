from django.urls import path

from talentloop.careers import views

app_name = "careers"

urlpatterns = [
    path("me/", views.my_path, name="my-path"),
    path("people/<int:pk>/", views.person_path, name="person-path"),
    path("ladders/", views.ladder_list, name="ladder-list"),
    path("ladders/new/", views.ladder_edit, name="ladder-create"),
    path("ladders/<int:pk>/", views.ladder_edit, name="ladder-edit"),
    path("ladders/<int:ladder_pk>/levels/new/", views.level_edit, name="level-create"),
    path("levels/<int:pk>/", views.level_edit, name="level-edit"),
    path("levels/<int:pk>/delete/", views.level_delete, name="level-delete"),
]
