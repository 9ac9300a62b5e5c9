"""Mentor qualification pages."""

from django.urls import path

from talentloop.mentoring.views import qualification as views

urlpatterns = [
    path("apply/", views.apply, name="apply"),
    path("apply/<int:pk>/", views.application_detail, name="application-detail"),
    path("apply/<int:pk>/withdraw/", views.application_withdraw, name="application-withdraw"),
    path("applications/", views.application_list, name="application-list"),
    path("applications/<int:pk>/approve/", views.application_approve, name="application-approve"),
    path("applications/<int:pk>/reject/", views.application_reject, name="application-reject"),
    path("policy/", views.policy_edit, name="policy-edit"),
    path("qualified/", views.qualified_list, name="qualified-list"),
    path("qualified/invite/", views.qualified_invite, name="qualified-invite"),
    path("mentors/", views.mentor_list, name="mentor-list"),
    path("mentors/<int:pk>/", views.mentor_detail, name="mentor-detail"),
]
