from talentloop.payroll.views import declarations, exports, payslips, runs, setup

app_name = "payroll"
urlpatterns = [
    *runs.urlpatterns,
    *payslips.urlpatterns,
    *exports.urlpatterns,
    *setup.urlpatterns,
    *declarations.urlpatterns,
]
