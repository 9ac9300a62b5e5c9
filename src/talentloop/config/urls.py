from django.urls import include, path

from talentloop.accounts.views import language_set
from talentloop.config.api import api
from talentloop.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("sw.js", core_views.service_worker, name="service-worker"),
    path("manifest.webmanifest", core_views.manifest, name="manifest"),
    path("offline/", core_views.offline, name="offline"),
    path("robots.txt", core_views.robots, name="robots"),
    path("i18n/setlang/", language_set, name="set_language"),
    path("api/v1/", api.urls),
    path("accounts/", include("talentloop.accounts.urls")),
    path("audit/", include("talentloop.core.urls")),
    path("performance/", include("talentloop.performance.urls")),
    path("mentoring/", include("talentloop.mentoring.urls")),
    path("notifications/", include("talentloop.notifications.urls")),
    path("learning/", include("talentloop.learning.urls")),
    path("onboarding/", include("talentloop.onboarding.urls")),
    path("careers/", include("talentloop.careers.urls")),
    path("time/", include("talentloop.attendance.urls")),
    path("leave/", include("talentloop.leave.urls")),
    path("benefits/", include("talentloop.benefits.urls")),
    path("payroll/", include("talentloop.payroll.urls")),
    path("integrations/", include("talentloop.integrations.urls")),
    path("", include("talentloop.organisation.urls")),
    path("", include("talentloop.home.urls")),
]

# Errors: JSON under /api/, the product's pages in the reader's language elsewhere.
handler400 = "talentloop.config.errors.bad_request"
handler403 = "talentloop.config.errors.permission_denied"
handler404 = "talentloop.config.errors.not_found"
handler500 = "talentloop.config.errors.server_error"
