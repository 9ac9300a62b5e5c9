from talentloop.attendance.views import calendar, clock, imports, requests, rosters, shifts, sites, summaries

app_name = "attendance"

urlpatterns = [
    *clock.urlpatterns,
    *sites.urlpatterns,
    *shifts.urlpatterns,
    *rosters.urlpatterns,
    *calendar.urlpatterns,
    *imports.urlpatterns,
    *requests.urlpatterns,
    *summaries.urlpatterns,
]
