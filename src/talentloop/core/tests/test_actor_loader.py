"""core builds no actor itself: organisation registers the loader (core may not import it)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from talentloop.core import access
from talentloop.core.access import Actor, actor_for
from talentloop.organisation.hooks import load_actor

SIGNED_IN = SimpleNamespace(is_authenticated=True, is_active=True, pk=7)


def test_the_registered_loader_builds_a_signed_in_users_actor(monkeypatch):
    built = Actor(user=SIGNED_IN, roles=frozenset({"hr"}), ip="10.0.0.1")
    monkeypatch.setattr(access, "_actor_loader", lambda user, ip: built if (user, ip) == (SIGNED_IN, "10.0.0.1")
                        else None)
    assert actor_for(SIGNED_IN, "10.0.0.1") is built


def test_nobody_and_inactive_accounts_are_anonymous_without_asking_the_loader(monkeypatch):
    monkeypatch.setattr(access, "_actor_loader", None)
    inactive = SimpleNamespace(is_authenticated=True, is_active=False)
    for user in (None, inactive):
        actor = actor_for(user, "10.0.0.2")
        assert not actor.is_authenticated and actor.ip == "10.0.0.2"


def test_a_signed_in_user_without_a_loader_is_a_configuration_error(monkeypatch):
    monkeypatch.setattr(access, "_actor_loader", None)
    with pytest.raises(ImproperlyConfigured):
        actor_for(SIGNED_IN)


def test_organisation_registers_its_loader():
    assert access._actor_loader is load_actor
