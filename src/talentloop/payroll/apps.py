from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayrollConfig(AppConfig):
    name = "talentloop.payroll"
    label = "payroll"
    verbose_name = _("Payroll")

    def ready(self):
        # Imported here: it imports models, which load only once the app registry is ready.
        from talentloop.organisation import search
        from talentloop.organisation.signals import termination_recorded
        from talentloop.payroll import access, notification_kinds  # noqa: F401
        from talentloop.payroll.services.final_pay import final_pay_on_termination

        # The people pickers of the payroll pages suggest the people of the reader's pay groups.
        search.register_scope("payroll-subjects", access.payroll_subjects)

        # A termination recorded with its legal reason has its final pay recorded for payroll to review.
        termination_recorded.connect(final_pay_on_termination, dispatch_uid="payroll.final_pay")
