from talentloop.payroll.views import exports, payslips, runs

app_name = "payroll"
urlpatterns = [*runs.urlpatterns, *payslips.urlpatterns, *exports.urlpatterns]
