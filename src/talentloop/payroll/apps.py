from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    name = "talentloop.payroll"
    label = "payroll"
    verbose_name = _("Payroll")

    def ready(self):
        # Imported here: it imports models, which load only once the app registry is ready.
        from talentloop.payroll import notification_kinds  # noqa: F401
