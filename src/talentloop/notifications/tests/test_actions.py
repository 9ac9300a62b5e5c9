"""Decisions offered on a notification, through the registry alone: a kind declares its actions, the
subject in its data and a ``still_open`` check; the inbox and the API offer the buttons only for such
kinds and only while the check says the subject still waits, with one check per kind and page.
(The real kinds — leave, overtime, corrections — are tested with their apps.)"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext_lazy

from talentloop.notifications import kinds as K
from talentloop.notifications.models import Notification
from talentloop.notifications.services import notifications_mark_read_about
from talentloop.notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

OPEN = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
CHECKS: list[set[int]] = []


def _actions(data: dict) -> list[K.Action]:
    pk = int(data["thing"])
    return [K.Action("approve", gettext_lazy("Approve"), f"/things/{pk}/approve/", f"/api/v1/things/{pk}/approve",
                     "primary"),
            K.Action("reject", gettext_lazy("Reject"), f"/things/{pk}/reject/", "", "danger")]


def _still_open(actor, ids: set[int]) -> set[int]:
    CHECKS.append(set(ids))
    # one query, as a real check makes
    list(Notification.objects.filter(pk__in=[]).values_list("pk", flat=True))
    return ids & OPEN


@pytest.fixture
def thing_kind():
    kind = K.register(K.Kind(key="test_thing_waiting", label="Thing waiting", render=lambda d: f"thing {d['thing']}",
                             actions=_actions, subject="thing", still_open=_still_open))
    CHECKS.clear()
    yield kind
    K._REGISTRY.pop(kind.key, None)


def test_a_kind_with_actions_needs_a_subject_and_a_check():
    with pytest.raises(TypeError):
        K.Kind(key="x", label="x", render=str, actions=_actions)
    with pytest.raises(TypeError):
        K.Kind(key="x", label="x", render=str, actions=_actions, subject="thing")
    with pytest.raises(ValueError):
        K.Action("go", "Go", "/go/", style="loud")


@pytest.mark.parametrize("data, expected", [({"thing": 3}, 3), ({"thing": "4"}, 4), ({}, None),
                                            ({"thing": "x"}, None), ({"thing": True}, None), (None, None)])
def test_subject_id_reads_the_data_defensively(thing_kind, data, expected):
    assert K.subject_id(thing_kind, data) == expected


def test_buttons_only_for_kinds_that_declare_them_and_only_while_open(world, client_for, thing_kind):
    emp = world.emp(world.lead)
    NotificationFactory(recipient=emp, kind="test_thing_waiting", data={"thing": 1}, text="thing 1",
                        dedupe_key="t1")
    NotificationFactory(recipient=emp, kind="test_thing_waiting", data={"thing": 99}, text="thing 99",
                        dedupe_key="t99")  # decided elsewhere: not in OPEN
    NotificationFactory(recipient=emp, kind="test_thing_waiting", data={}, text="no subject", dedupe_key="t0")
    NotificationFactory(recipient=emp)  # a kind without actions
    html = client_for("lead").get("/notifications/?page=1").content.decode()
    assert html.count('data-testid="notification-actions"') == 1
    assert 'action="/things/1/approve/"' in html and 'action="/things/1/reject/"' in html
    assert "/things/99/" not in html
    assert 'data-action="approve"' in html and 'class="secondary danger" data-testid="notification-action" ' \
        'data-action="reject"' in html
    # each button comes back to this page of the inbox
    assert 'name="next" value="/notifications/?page=1"' in html
    assert [{1, 99}] == CHECKS  # one check for the kind, with every subject on the page


def test_the_inbox_asks_each_kind_once_whatever_the_page_length(world, client_for, thing_kind):
    emp = world.emp(world.lead)
    client = client_for("lead")

    def count(n: int) -> int:
        Notification.objects.all().delete()
        for i in range(1, n + 1):
            NotificationFactory(recipient=emp, kind="test_thing_waiting", data={"thing": i}, text=f"thing {i}",
                                dedupe_key=f"t{i}")
        client.get("/notifications/")  # warm the session and caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/notifications/")
        assert response.content.decode().count('data-testid="notification-actions"') == n
        return len(ctx)

    assert count(3) == count(12)


def test_the_api_lists_the_actions_with_an_api_url_only(world, api_client_for, thing_kind):
    emp = world.emp(world.lead)
    open_one = NotificationFactory(recipient=emp, kind="test_thing_waiting", data={"thing": 2}, dedupe_key="t2")
    closed = NotificationFactory(recipient=emp, kind="test_thing_waiting", data={"thing": 50}, dedupe_key="t50")
    plain = NotificationFactory(recipient=emp)
    items = {i["id"]: i for i in api_client_for("lead").get("/api/v1/notifications").json()["items"]}
    # the reject action has no API endpoint here, so the API leaves it out
    assert items[open_one.pk]["actions"] == [{"key": "approve", "label": "Approve", "style": "primary",
                                              "method": "POST", "url": "/api/v1/things/2/approve"}]
    assert items[closed.pk]["actions"] == [] and items[plain.pk]["actions"] == []
    read = api_client_for("lead").post(f"/api/v1/notifications/{open_one.pk}/read").json()
    assert read["read_at"] is not None and read["actions"][0]["key"] == "approve"


def test_mark_read_about_one_subject_touches_only_the_actors_notices_about_it(world, thing_kind):
    from talentloop.core.access import actor_for

    lead, other = world.emp(world.lead), world.emp(world.manager)
    mine = NotificationFactory(recipient=lead, kind="test_thing_waiting", data={"thing": 5}, dedupe_key="a")
    mine_other_thing = NotificationFactory(recipient=lead, kind="test_thing_waiting", data={"thing": 6},
                                           dedupe_key="b")
    theirs = NotificationFactory(recipient=other, kind="test_thing_waiting", data={"thing": 5}, dedupe_key="c")
    assert notifications_mark_read_about(actor=actor_for(world.lead), kinds=["test_thing_waiting"], subject=5) == 1
    assert notifications_mark_read_about(actor=actor_for(world.lead), kinds=["no_such_kind"], subject=6) == 0
    assert notifications_mark_read_about(actor=actor_for(world.admin), kinds=["test_thing_waiting"], subject=5) == 0
    for n, read in ((mine, True), (mine_other_thing, False), (theirs, False)):
        n.refresh_from_db()
        assert (n.read_at is not None) is read
