"""The audit log: append-only, sensitive reads recorded, browsable by HR and admins."""

from __future__ import annotations

import pytest

from talentloop.core.audit.models import AuditEntry
from talentloop.core.audit.services import audit_record

pytestmark = pytest.mark.django_db

NATIONAL_ID = "110101199001011234"  # the world's value for everyone


def _reveal(client, world, persona: str = "employee", field: str = "national_id"):
    return client.post(f"/people/{world.emp(getattr(world, persona)).pk}/reveal/{field}/")


def test_entries_cannot_be_changed_or_deleted(world, actor_of):
    entry = audit_record(actor=actor_of("hr"), action="execute", obj=world.emp(world.employee), summary="x")
    entry.summary = "rewritten"
    with pytest.raises(RuntimeError, match="append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="append-only"):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "x"


def test_audit_record_notes_who_when_and_where(world, actor_of):
    from talentloop.core.access import actor_for

    entry = audit_record(actor=actor_for(world.hr, "192.0.2.7"), action="update", obj=world.platform,
                         changes={"name": {"before": "a", "after": "b"}})
    assert (entry.actor, entry.actor_label, entry.ip) == (world.hr, "hr", "192.0.2.7")
    assert (entry.entity_type, entry.entity_id) == ("organisation.orgunit", str(world.platform.pk))
    assert entry.at is not None
    assert entry.change_rows() == [("name", "a → b")]
    system = audit_record(actor=None, action="execute", entity_type="job", summary="nightly")
    assert system.actor_label == "system"


@pytest.mark.parametrize("persona, target", [("employee", "employee"), ("hr", "employee"), ("hr", "outsider")])
def test_reading_a_sensitive_value_is_allowed_and_audited(world, client_for, persona, target):
    r = _reveal(client_for(persona), world, target)
    assert r.status_code == 200
    assert NATIONAL_ID in r.content.decode()
    assert r["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action="read_sensitive")
    assert entry.actor == getattr(world, persona)
    assert entry.entity_id == str(world.emp(getattr(world, target)).pk)
    assert entry.summary == "national_id"
    assert NATIONAL_ID not in str(entry.changes) + entry.summary + entry.entity_label


@pytest.mark.parametrize("persona", ["manager", "lead", "mentor", "outsider", "admin"])
def test_others_get_404_and_nothing_is_recorded(world, client_for, persona):
    r = _reveal(client_for(persona), world, "employee")
    assert r.status_code == 404
    assert NATIONAL_ID not in r.content.decode()
    assert not AuditEntry.objects.filter(action="read_sensitive").exists()


def test_reveal_is_post_only_and_knows_its_fields(world, client_for):
    c = client_for("hr")
    pk = world.emp(world.employee).pk
    assert c.get(f"/people/{pk}/reveal/national_id/").status_code == 405
    assert c.post(f"/people/{pk}/reveal/name/").status_code == 404
    assert c.post(f"/people/{pk}/reveal/bank_account/").content.decode().count("6222020200112233445") == 1
    assert c.post("/people/987654/reveal/national_id/").status_code == 404


def test_profile_shows_masked_values_only(world, client_for):
    page = client_for("hr").get(f"/people/{world.emp(world.employee).pk}/").content.decode()
    assert "••••1234" in page and NATIONAL_ID not in page
    assert not AuditEntry.objects.filter(action="read_sensitive").exists()


def test_hr_browses_and_filters_the_log(world, client_for, actor_of):
    _reveal(client_for("employee"), world)
    audit_record(actor=actor_of("hr"), action="update", obj=world.platform, changes={"name": "x"})
    c = client_for("hr")
    r = c.get("/audit/")
    assert r.status_code == 200
    assert {e.action for e in r.context["entries"]} == {"read_sensitive", "update"}
    r = c.get("/audit/", {"action": "read_sensitive"})
    assert [e.actor_label for e in r.context["entries"]] == ["employee"]
    r = c.get("/audit/", {"entity_type": "organisation.orgunit", "actor": "h"})
    assert [e.entity_id for e in r.context["entries"]] == [str(world.platform.pk)]


def test_the_log_pages(world, client_for, actor_of):
    actor = actor_of("hr")
    for i in range(51):  # PAGE_SIZE is 50: page 1 has 50 and an "older" link, page 2 has the 51st
        audit_record(actor=actor, action="execute", entity_type="test", entity_id=str(i))
    c = client_for("admin")
    first = c.get("/audit/")
    assert len(first.context["entries"]) == 50 and first.context["has_next"] is True
    assert first.context["entries"][0].entity_id == "50"  # newest first
    second = c.get("/audit/", {"page": 2})
    assert [e.entity_id for e in second.context["entries"]] == ["0"] and second.context["has_next"] is False


@pytest.mark.parametrize("persona", ["employee", "manager", "mentor", "outsider"])
def test_only_hr_and_admins_see_the_log(world, client_for, persona):
    assert client_for(persona).get("/audit/").status_code == 404


def test_scoped_hr_does_not_see_the_whole_log(world, client_for):
    from talentloop.testing.factories import grant

    grant(world.outsider, "hr", org_unit=world.sales)
    assert client_for("outsider").get("/audit/").status_code == 404
