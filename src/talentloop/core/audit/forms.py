from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.audit.models import AuditEntry
from talentloop.core.widgets import DateInput

ENTITY_TYPES = [
    ("", _("Any record")),
    ("organisation.employee", _("Employee")),
    ("organisation.employmentevent", _("Employment event")),
    ("organisation.orgunit", _("Org unit")),
    ("organisation.jobfamily", _("Job family")),
    ("organisation.position", _("Position")),
    ("accounts.user", _("Account")),
    ("accounts.roleassignment", _("Role")),
    ("accounts.apitoken", _("API token")),
    ("organisation.import", _("Import")),
]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", _("Any action")), *AuditEntry.Action.choices])
    entity_type = forms.ChoiceField(label=pgettext_lazy("audit log: the record that changed", "Record"), required=False,
                                    choices=ENTITY_TYPES)
    entity_id = forms.CharField(label=_("Record id"), required=False, max_length=40)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
