from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "talentloop.organisation"
    label = "organisation"

    def ready(self):
        from talentloop.organisation import access, search
        from talentloop.organisation.models import EmploymentStatus

        # The people the actor may see (a unit's head, a filter) and the current ones among them
        # (a manager for a new hire or a transfer).
        search.register_scope("visible", access.visible_employees)
        search.register_scope(
            "current", lambda actor: access.visible_employees(actor).exclude(status=EmploymentStatus.TERMINATED))
