"""Reading connectors' tools: test the connection, backfill, the runs.

Statuses in the order anonymous, employee, manager, mentor, hr, admin, outsider — by hand: HR and the
administrator use them (the page's buttons redirect back to the connector, 302; the API answers the
test 200, the queued backfill 202, the runs 200); everyone else gets the pages' 404 and the API's 403.
The connector ``intg_sync_connector`` is a scheduled pull at an address nothing listens on, so a test
or a reading fails at once without leaving the machine.
"""

from __future__ import annotations

from talentloop.testing.matrix import Row

C = "/integrations/connectors"
CA = "/api/v1/connectors"

#                                                                     anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("integrations/connectors/<int:pk>/test/", "POST", f"{C}/{{intg_sync_connector}}/test/",
        (302, 404, 404, 404, 302, 302, 404), body={}),
    Row("integrations/connectors/<int:pk>/backfill/", "POST", f"{C}/{{intg_sync_connector}}/backfill/",
        (302, 404, 404, 404, 302, 302, 404), body={"since": ""}),
]

API = [
    Row(f"{CA}/{{connector_id}}/test", "POST", f"{CA}/{{intg_sync_connector}}/test",
        (401, 403, 403, 403, 200, 200, 403)),
    Row(f"{CA}/{{connector_id}}/backfill", "POST", f"{CA}/{{intg_sync_connector}}/backfill",
        (401, 403, 403, 403, 202, 202, 403), body={}),
    Row(f"{CA}/{{connector_id}}/runs", "GET", f"{CA}/{{intg_sync_connector}}/runs",
        (401, 403, 403, 403, 200, 200, 403)),
]


def keys(world) -> dict:
    from talentloop.integrations.models import Connector, ConnectorKind

    connector = Connector.objects.create(
        key="matrix-pull", name="矩阵拉取", kind=ConnectorKind.PULL, secret="s", act_as=world.hr,
        base_url="http://127.0.0.1:9/export.csv",
        config={"format": "csv", "every_minutes": 60,
                "fields": {"account": "user", "kind_value": "deal_won", "occurred_at": "when", "external_id": "id"}})
    return {"intg_sync_connector": connector.pk}
