"""The forms of the connector pages: parsing only; the rules live in services.connectors (and each
kind's ``config_problems``).

A connector's settings (``Connector.config``) differ per kind; the form shows the fields of every kind
and keeps those of the chosen one:

- GitLab: ``projects`` (paths to backfill, e.g. ``platform/api``); GitHub: ``repositories``
  (``owner/name``);
- Jira: ``done_statuses`` (the statuses that count as done), ``story_points_field`` (the custom field
  holding story points, e.g. ``customfield_10016``), ``email`` (the API token's account, for Jira
  Cloud) and ``jql`` (which issues to backfill);
- a scheduled pull: its file's address is the connector's address; ``format`` (csv or json),
  ``fields`` (which column holds the account, e-mail, kind, value, moment and external id, or
  ``kind_value``: one kind for every row) and
  ``every_minutes``.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.integrations.models import Connector, ConnectorKind
from talentloop.organisation.forms import EmployeeRefField

PULL_FIELDS = (
    ("account", _("Account column")),
    ("email", _("E-mail column")),
    ("kind", _("Event kind column")),
    ("value", _("Value column")),
    ("occurred_at", _("Moment column")),
    ("external_id", _("External id column")),
)
PULL_DEFAULTS = {"account": "account", "email": "email", "kind": "kind", "value": "value",
                 "occurred_at": "occurred_at", "external_id": "id"}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


class ConnectorForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ConnectorKind.choices, widget=forms.RadioSelect)
    key = forms.CharField(label=_("Key"), max_length=60,
                          help_text=_("Lower-case letters, digits, “-” and “_”: it is part of the address the "
                                      "tool sends its events to."))
    name = forms.CharField(label=_("Name"), max_length=120)
    base_url = forms.CharField(label=_("Address"), max_length=500, required=False,
                               help_text=_("The tool's address (e.g. https://gitlab.example.com), or for a "
                                           "scheduled pull the address of the file."))
    api_token = forms.CharField(label=_("API token"), max_length=2000, required=False,
                                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                                help_text=_("For backfills and pulls. Stored encrypted and never shown again."))
    clear_api_token = forms.BooleanField(label=_("Remove the API token"), required=False)
    act_as = forms.ChoiceField(label=_("Records observations as"),
                               help_text=_("An HR or administrator account; the connector writes only about "
                                           "people this account may see."))
    # GitLab, GitHub
    projects = forms.CharField(label=_("Projects to backfill"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("One path a line, e.g. platform/api."))
    repositories = forms.CharField(label=_("Repositories to backfill"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text=_("One owner/name a line, e.g. acme/api."))
    # Jira
    done_statuses = forms.CharField(label=_("Statuses that count as done"), required=False, initial="Done",
                                    help_text=_("Separated by commas, e.g. Done, Closed."))
    story_points_field = forms.CharField(label=_("Story points field"), required=False, max_length=100,
                                         initial="customfield_10016")
    jira_email = forms.CharField(label=_("E-mail of the API token's account"), required=False, max_length=254,
                                 help_text=_("Jira Cloud signs API requests in with this e-mail and the API token."))
    jql = forms.CharField(label=_("Issues to backfill (JQL)"), required=False, max_length=1000,
                          help_text=_("Optional, e.g. project = PLAT."))
    # Scheduled pull
    format = forms.ChoiceField(label=pgettext_lazy("file format", "Format"), required=False,
                               choices=(("csv", "CSV"), ("json", "JSON")), initial="csv")
    every_minutes = forms.IntegerField(label=_("Pull every (minutes)"), required=False, min_value=5,
                                       max_value=7 * 24 * 60, initial=60)

    def __init__(self, *args, act_as_choices=(), connector: Connector | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in PULL_FIELDS:
            self.fields[f"field_{name}"] = forms.CharField(label=label, required=False, max_length=100,
                                                           initial=PULL_DEFAULTS[name])
        self.fields["field_kind_value"] = forms.CharField(
            label=_("Or one kind for every row"), required=False, max_length=60,
            help_text=_("When the file holds one kind of fact, e.g. deal_won."))
        self.fields["act_as"].choices = [(str(u.pk), u.get_username()) for u in act_as_choices]
        self.connector = connector
        if connector is not None:
            del self.fields["kind"], self.fields["key"]
            self.fields["api_token"].help_text = _("Leave empty to keep the current one. Stored encrypted and "
                                                   "never shown again.")
        else:
            del self.fields["clear_api_token"]

    @property
    def kind_value(self) -> str:
        if self.connector is not None:
            return self.connector.kind
        return (self.data.get("kind") if self.is_bound else self.initial.get("kind")) or ConnectorKind.GITLAB

    def settings_fields(self) -> dict[str, list]:
        """The settings' fields per kind, for the template."""
        pull = [self["format"], *[self[f"field_{n}"] for n, _label in PULL_FIELDS], self["field_kind_value"],
                self["every_minutes"]]
        return {"gitlab": [self["projects"]], "github": [self["repositories"]],
                "jira": [self["done_statuses"], self["story_points_field"], self["jira_email"], self["jql"]],
                "pull": pull}

    def config(self) -> dict:
        data, kind = self.cleaned_data, self.kind_value
        if kind == ConnectorKind.GITLAB:
            return {"projects": _lines(data.get("projects", ""))}
        if kind == ConnectorKind.GITHUB:
            return {"repositories": _lines(data.get("repositories", ""))}
        if kind == ConnectorKind.JIRA:
            config = {"done_statuses": _lines(data.get("done_statuses", "")),
                      "story_points_field": (data.get("story_points_field") or "").strip()}
            for key, name in (("email", "jira_email"), ("jql", "jql")):
                if (data.get(name) or "").strip():
                    config[key] = data[name].strip()
            return config
        names = [*(n for n, _label in PULL_FIELDS), "kind_value"]
        return {"format": data.get("format") or "csv",
                "fields": {n: (data.get(f"field_{n}") or "").strip() for n in names
                           if (data.get(f"field_{n}") or "").strip()},
                "every_minutes": data.get("every_minutes") or 60}

    @staticmethod
    def initial_from(connector: Connector) -> dict:
        config = connector.config or {}
        initial = {"name": connector.name, "base_url": connector.base_url, "act_as": str(connector.act_as_id),
                   "projects": "\n".join(config.get("projects", [])),
                   "repositories": "\n".join(config.get("repositories", [])),
                   "done_statuses": ", ".join(config.get("done_statuses", [])),
                   "story_points_field": config.get("story_points_field", ""),
                   "jira_email": config.get("email", ""), "jql": config.get("jql", ""),
                   "format": config.get("format", "csv"), "every_minutes": config.get("every_minutes", 60)}
        for name in [*(n for n, _label in PULL_FIELDS), "kind_value"]:
            initial[f"field_{name}"] = (config.get("fields") or {}).get(name, "")
        return initial


class MappingsForm(forms.Form):
    """Rows of (event kind, metric); a row with no metric maps nothing. The rows are named
    ``kind-<n>`` and ``metric-<n>``; a pull's rows take any kind name, the others' are fixed."""

    def __init__(self, *args, kinds: dict[str, str], metrics: dict, current: dict[str, str], free: bool, **kwargs):
        super().__init__(*args, **kwargs)
        metric_choices = [("", _("— not counted —"))] + [(k, f"{m.label} ({k})") for k, m in metrics.items()]
        rows = list(kinds) if not free else [*current, "", ""]
        self.rows = []
        for n, kind in enumerate(rows):
            kind_field = forms.CharField(label=_("Event kind"), required=False, max_length=60, initial=kind)
            if not free:
                kind_field.widget = forms.HiddenInput()
            self.fields[f"kind-{n}"] = kind_field
            self.fields[f"metric-{n}"] = forms.ChoiceField(
                label=kinds.get(kind, kind) if not free else _("Metric"), required=False, choices=metric_choices,
                initial=current.get(kind, ""))
            self.rows.append((kind, kinds.get(kind, ""), self[f"kind-{n}"], self[f"metric-{n}"]))

    def mappings(self) -> list[dict[str, str]]:
        out = []
        n = 0
        while f"kind-{n}" in self.fields:
            kind = (self.cleaned_data.get(f"kind-{n}") or "").strip()
            metric = self.cleaned_data.get(f"metric-{n}") or ""
            if kind and metric:
                out.append({"event_kind": kind, "metric_key": metric})
            n += 1
        return out


class AccountMatchForm(forms.Form):
    """Whose a tool account is, chosen with the people picker (by name, pinyin or number)."""

    employee = EmployeeRefField(label=_("Person"), queryset=None, required=True)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = people
