from django.apps import AppConfig

from talentloop.core import cache
from talentloop.core.access import set_actor_loader
from talentloop.organisation import search


class OrganisationConfig(AppConfig):
    name = "talentloop.organisation"
    label = "organisation"

    def ready(self):
        # Imported here: these modules import models, which load only once the app registry is ready.
        from talentloop.accounts import access as accounts_access
        from talentloop.organisation import access, hooks  # models: see above
        from talentloop.organisation.models import Employee, EmploymentEvent, EmploymentStatus  # models: see above

        # A person's record and their employment history (level, moves): what is kept for them.
        cache.register_personal(Employee, lambda row: (row.pk,))
        cache.register_personal(EmploymentEvent, lambda row: (row.employee_id,))

        # The people the actor may see (a unit's head, a filter) and the current ones among them
        # (a manager for a new hire or a transfer).
        search.register_scope("visible", access.visible_employees)
        search.register_scope(
            "current", lambda actor: access.visible_employees(actor).exclude(status=EmploymentStatus.TERMINATED))

        # The slots core and accounts offer for what only organisation knows (see hooks.py).
        set_actor_loader(hooks.load_actor)
        accounts_access.register_organisation_scopes(staff_accounts=hooks.staff_accounts,
                                                     org_units=access.visible_org_units)
