"""Inbound connectors, one package per vendor (``connectors/gitlab/``, ``connectors/jira/``, …), each with
its typed payloads, its signature check and its mapping to observations. None is built yet."""
