from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "talentloop.attendance"
    label = "attendance"

    def ready(self):
        # Imported here: these modules import models, which load only once the app registry is ready.
        # notification_kinds registers the kinds; the tasks modules register the periodic jobs.
        from talentloop.attendance.models import AttendancePolicy, CalendarDay, Shift, WorkSchedule, WorkSite
        from talentloop.core import cache

        # The configuration the calendar, the plans, the day's judgement and every punch (the sites) read.
        cache.register("attendance", AttendancePolicy, CalendarDay, Shift, WorkSchedule, WorkSite)
        from talentloop.attendance import (  # noqa: F401
            notification_kinds,
            tasks,
            tasks_summaries,
            tasks_vendors,
        )
