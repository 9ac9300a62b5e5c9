from django.apps import AppConfig

from talentloop.attendance.hooks import register_leave_reader
from talentloop.organisation import search


class LeaveConfig(AppConfig):
    name = "talentloop.leave"
    label = "leave"

    def ready(self):
        # Imported here: these modules import models, which load only once the app registry is ready.
        # notification_kinds registers the kinds, tasks the periodic jobs, receivers the signal handlers;
        # the leave reader gives attendance each person's approved leave by day.
        from talentloop.leave import notification_kinds, receivers, tasks  # noqa: F401
        from talentloop.leave.selectors.days import leave_days_reader

        register_leave_reader(leave_days_reader)

        # The people picker of the delegation form: whom an approver may name as delegate.
        from talentloop.leave import access

        search.register_scope("leave-delegates", access.delegate_candidates)
