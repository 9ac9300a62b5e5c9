"""Integrations: Talentloop's own events sent out as signed webhooks, and personal calendar feeds.

Connectors that bring work-tool events in (GitLab, GitHub, Jira, scheduled pulls) each get a package of
their own under ``integrations/connectors/<vendor>/``.
"""
