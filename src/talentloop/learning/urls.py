from django.urls import path

from talentloop.learning import views

app_name = "learning"

urlpatterns = [
    path("", views.content_list, name="content-list"),
    path("content/new/", views.content_edit, name="content-create"),
    path("content/<int:pk>/", views.content_detail, name="content-detail"),
    path("content/<int:pk>/edit/", views.content_edit, name="content-edit"),
    path("content/<int:pk>/complete/", views.content_complete, name="content-complete"),
    path("content/<int:pk>/dismiss/", views.recommendation_dismiss, name="recommendation-dismiss"),
    path("content/<int:pk>/sessions/new/", views.session_create, name="session-create"),
    path("my/", views.my_learning, name="my"),
    path("recommended/", views.recommendation_list, name="recommendation-list"),
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<int:pk>/signup/", views.session_signup, name="session-signup"),
    path("sessions/<int:pk>/cancel-signup/", views.session_cancel_signup, name="session-cancel-signup"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session-attendance"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
]
