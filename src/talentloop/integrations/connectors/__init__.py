"""Connector kinds, one folder each.

``WEBHOOKS`` maps a ``Connector.kind`` to its receiving side (``<vendor>/webhook.py``), ``CLIENTS`` to
its reading side (``<vendor>/client.py``); ``EVENT_KINDS`` names the facts each kind produces, which HR
maps to metrics (a scheduled pull's facts are named by its field mapping instead).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from talentloop.integrations.connectors.base import ApiClient, WebhookKind
from talentloop.integrations.connectors.github.client import CLIENT as GITHUB_CLIENT
from talentloop.integrations.connectors.github.webhook import KIND as GITHUB_WEBHOOK
from talentloop.integrations.connectors.gitlab.client import CLIENT as GITLAB_CLIENT
from talentloop.integrations.connectors.gitlab.webhook import KIND as GITLAB_WEBHOOK
from talentloop.integrations.connectors.jira.client import CLIENT as JIRA_CLIENT
from talentloop.integrations.connectors.jira.webhook import KIND as JIRA_WEBHOOK
from talentloop.integrations.connectors.pull.client import CLIENT as PULL_CLIENT

_CODE_REVIEW = {
    "merged": _("Merge or pull request merged"),
    "review": _("Review given"),
    "revert": _("Change reverted"),
    "issue_closed": _("Issue closed"),
}

EVENT_KINDS: dict[str, dict[str, str]] = {
    "gitlab": _CODE_REVIEW,
    "github": _CODE_REVIEW,
    "jira": {
        "issue_done": _("Issue done"),
        "story_points": _("Story points of issues done"),
        "issue_reopened": _("Issue reopened"),
    },
    "pull": {},
}

# The receiving side of each kind that receives events (a scheduled pull receives none).
WEBHOOKS: dict[str, WebhookKind] = {
    "gitlab": GITLAB_WEBHOOK,
    "github": GITHUB_WEBHOOK,
    "jira": JIRA_WEBHOOK,
}
CLIENTS: dict[str, ApiClient] = {
    "gitlab": GITLAB_CLIENT,
    "github": GITHUB_CLIENT,
    "jira": JIRA_CLIENT,
    "pull": PULL_CLIENT,
}
