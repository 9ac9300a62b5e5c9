from talentloop.leave.views import balances, calendar, requests, types

app_name = "leave"

urlpatterns = [
    *types.urlpatterns,
    *balances.urlpatterns,
    *requests.urlpatterns,
    *calendar.urlpatterns,
]
