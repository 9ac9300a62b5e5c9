from django import forms
from django.utils.translation import gettext_lazy as _

from talentloop.accounts.models import ApiToken, Role


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False,
                           help_text=_("What the token is for, e.g. 'payroll sync'."))
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=30)


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    org_unit = forms.ModelChoiceField(label=_("Org unit scope (HR)"), queryset=None, required=False,
                                      empty_label=_("Whole organisation"))

    def __init__(self, *args, org_units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = org_units


class AccountCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(label=_("Initial password"), strip=False, required=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("Leave empty and issue a reset code instead."))


class ResetWithCodeForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    code = forms.CharField(label=_("Reset code"), max_length=20)
    new_password = forms.CharField(label=_("New password"), strip=False,
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password_again = forms.CharField(label=_("New password again"), strip=False,
                                         widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two passwords differ."))
        return data
