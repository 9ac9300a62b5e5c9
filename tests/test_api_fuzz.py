"""Schema fuzzing: schemathesis drives every operation of /api/v1/openapi.json against the
in-process WSGI application with a valid Bearer token of an HR user (who may do everything the
API offers) and checks that no answer is a server error and every answer matches the document.

Bounded: a few examples per operation, no deadline. Runs on SQLite and PostgreSQL alike: the
app runs in this thread on the test's database connection, inside the test's transaction.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from talentloop.config.api import api

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
# A deterministic, bounded run by default; TALENTLOOP_FUZZ_EXAMPLES=200 for a longer random hunt.
EXAMPLES = int(os.environ.get("TALENTLOOP_FUZZ_EXAMPLES", "0")) or 15
DERANDOMIZE = "TALENTLOOP_FUZZ_EXAMPLES" not in os.environ
APP = WSGIHandler()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


@pytest.fixture
def hr_token(world):
    """A write token for HR; the app shares the test's connection, as Django's test client does."""
    from talentloop.accounts.services import api_token_create
    from talentloop.core.access import actor_for

    # Django closes "old" connections around each request; inside the test's transaction that
    # would drop it, so (like django.test.Client) keep the connection for the test's duration.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield api_token_create(actor=actor_for(world.hr), user=world.hr, name="fuzz")
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_schema(case, hr_token):
    from talentloop.accounts.models import ApiToken

    token, secret = hr_token
    # A generated DELETE /auth/tokens/{id} may hit the fuzzer's own token; keep it usable.
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=None)
    case.call_and_validate(app=APP, headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)


def test_null_character_in_a_query_parameter_is_a_clear_422(db, client):
    r = client.get("/api/v1/employees", {"search": "a\x00b"})
    assert r.status_code == 422
    assert set(r.json()) == {"detail", "errors"} and "search" in r.json()["errors"]
