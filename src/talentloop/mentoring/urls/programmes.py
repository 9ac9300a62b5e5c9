"""Programme templates, plans, schedule items and the personal mentoring pages."""

from django.urls import path

from talentloop.mentoring.views import programmes as views

urlpatterns = [
    path("templates/", views.template_list, name="template-list"),
    path("templates/new/", views.template_edit, name="template-create"),
    path("templates/<int:pk>/", views.template_edit, name="template-edit"),
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/new/", views.plan_create, name="plan-create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/submit/", views.plan_submit, name="plan-submit"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan-approve"),
    path("plans/<int:pk>/return/", views.plan_return, name="plan-return"),
    path("plans/<int:pk>/cancel/", views.plan_cancel, name="plan-cancel"),
    path("items/<int:pk>/complete/", views.item_complete, name="item-complete"),
    path("me/", views.my_mentoring, name="my-mentoring"),
    path("mentees/", views.my_mentees, name="my-mentees"),
    path("overdue/", views.overdue_list, name="overdue-list"),
]
