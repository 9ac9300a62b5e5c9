from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "talentloop.organisation"
    label = "organisation"

    def ready(self):
        # Imported here: apps.py is loaded before the app registry (models, signals) is ready.
        from talentloop.accounts import access as accounts_access
        from talentloop.core.access import set_actor_loader
        from talentloop.organisation import access, hooks, search
        from talentloop.organisation.models import EmploymentStatus

        # The people the actor may see (a unit's head, a filter) and the current ones among them
        # (a manager for a new hire or a transfer).
        search.register_scope("visible", access.visible_employees)
        search.register_scope(
            "current", lambda actor: access.visible_employees(actor).exclude(status=EmploymentStatus.TERMINATED))

        # The slots core and accounts offer for what only organisation knows (see hooks.py).
        set_actor_loader(hooks.load_actor)
        accounts_access.register_organisation_scopes(staff_accounts=hooks.staff_accounts,
                                                     org_units=access.visible_org_units)
