from django.urls import path

from talentloop.onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("me/", views.my_onboarding, name="my-onboarding"),
    path("team/", views.team_onboarding, name="team-onboarding"),
    path("checklists/", views.checklist_list, name="checklist-list"),
    path("checklists/new/", views.checklist_start, name="checklist-start"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist-detail"),
    path("steps/<int:pk>/tick/", views.step_tick, name="step-tick"),
    path("steps/<int:pk>/untick/", views.step_untick, name="step-untick"),
    path("templates/", views.template_list, name="template-list"),
    path("templates/new/", views.template_edit, name="template-create"),
    path("templates/<int:pk>/", views.template_edit, name="template-edit"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template-delete"),
]
