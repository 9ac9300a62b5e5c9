from django.urls import path

from talentloop.core import audit_views

app_name = "core"

urlpatterns = [
    path("", audit_views.audit_list, name="audit-list"),
]
