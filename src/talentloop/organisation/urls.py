from django.urls import path

from talentloop.organisation import views, views_contracts, views_io

app_name = "organisation"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("people/", views.employee_list, name="employee-list"),
    path("people/new/", views.employee_create, name="employee-create"),
    path("people/search/", views.people_search, name="people-search"),
    path("people/import/", views_io.employee_import, name="employee-import"),
    path("people/export/", views_io.employee_export, name="employee-export"),
    path("people/<int:pk>/", views.employee_detail, name="employee-detail"),
    path("people/<int:pk>/edit/", views.employee_edit, name="employee-edit"),
    path("people/<int:pk>/account/", views.employee_account, name="employee-account"),
    path("people/<int:pk>/account/invite/", views.employee_account_invite, name="employee-account-invite"),
    path("people/<int:pk>/events/new/", views.employee_event_create, name="employee-event-create"),
    path("people/<int:pk>/contract/new/", views_contracts.contract_create, name="contract-create"),
    path("people/<int:pk>/reveal/<str:field>/", views.employee_sensitive, name="employee-sensitive"),
    path("org/", views.org_chart, name="org-chart"),
    path("org/units/", views.unit_list, name="unit-list"),
    path("org/units/new/", views.unit_edit, name="unit-create"),
    path("org/units/<int:pk>/", views.unit_edit, name="unit-edit"),
    path("org/job-families/", views.job_family_list, name="job-family-list"),
    path("org/job-families/new/", views.job_family_edit, name="job-family-create"),
    path("org/job-families/<int:pk>/", views.job_family_edit, name="job-family-edit"),
    path("org/positions/new/", views.position_edit, name="position-create"),
    path("org/positions/<int:pk>/", views.position_edit, name="position-edit"),
]
