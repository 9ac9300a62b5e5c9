"""Forms of the channel pages. Secret fields are write-only: never rendered back, empty keeps the stored one."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from talentloop.notifications import channel_access as access
from talentloop.notifications.models import ImCredentials, Vendor
from talentloop.organisation.forms import EmployeeRefField
from talentloop.organisation.models import Employee


class CredentialsForm(forms.Form):
    client_id = forms.CharField(label=_("Corp ID / AppKey / App ID"), max_length=128)
    agent_id = forms.CharField(label=_("Agent ID"), max_length=32, required=False,
                               help_text=_("WeCom and DingTalk: the application's agent ID (a number)."))
    secret = forms.CharField(label=_("App secret"), required=False, max_length=500,
                             widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                             help_text=_("Write-only: leave empty to keep the stored secret."))
    api_base = forms.URLField(label=_("API address"), required=False, max_length=200, assume_scheme="https",
                              help_text=_("Leave empty for the vendor's documented address."))
    receive_id_type = forms.ChoiceField(label=_("Feishu ID type"), choices=ImCredentials.ReceiveIdType.choices,
                                        required=False)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)


class GroupBotForm(forms.Form):
    org_unit = forms.ModelChoiceField(label=_("Org unit"), queryset=None)
    vendor = forms.ChoiceField(label=_("Platform"), choices=Vendor.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    webhook_url = forms.CharField(label=_("Webhook address"), max_length=1000,
                                  widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    signing_secret = forms.CharField(label=_("Signing secret"), max_length=200, required=False,
                                     widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                                     help_text=_("DingTalk “加签” or Feishu signature verification; empty when "
                                                 "the robot has none."))
    clear_signing_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)
    kinds = forms.MultipleChoiceField(label=_("Team-level news to post"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args, units, kind_choices, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units
        self.fields["org_unit"].label_from_instance = lambda u: u.label
        self.fields["kinds"].choices = kind_choices
        if editing:
            for name in ("org_unit", "vendor"):
                del self.fields[name]
            self.fields["webhook_url"].required = False
            self.fields["webhook_url"].help_text = _("Write-only: leave empty to keep the stored address.")
            self.fields["signing_secret"].help_text = _("Write-only: leave empty to keep the stored secret.")
        else:
            del self.fields["clear_signing_secret"]


class ImIdentityForm(forms.Form):
    # The person, picked by name, pinyin or number among those whose identity the actor may set.
    employee_number = EmployeeRefField(label=_("Person"), queryset=Employee.objects.none(), scope="im-identities")
    vendor = forms.ChoiceField(label=_("Platform"), choices=Vendor.choices)
    external_id = forms.CharField(label=_("ID on the platform"), max_length=128)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee_number"].queryset = access.im_identity_employees(actor).select_related("org_unit")


class ImIdentityImportForm(forms.Form):
    text = forms.CharField(label=_("Lines: employee number, platform, ID"), max_length=500_000,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("One person per line, e.g. “E-1001, wecom, zhangsan”. Platforms: wecom, "
                                       "dingtalk, feishu."))
