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
# NUL characters are refused with a clear 422 everywhere (tested below); the document cannot say so,
# so data that fits the document holds none.
schema.config.generation.update(allow_x00=False)
# A deterministic, bounded run by default; TALENTLOOP_FUZZ_EXAMPLES=200 for a longer random hunt.
EXAMPLES = int(os.environ.get("TALENTLOOP_FUZZ_EXAMPLES", "0")) or 15
DERANDOMIZE = "TALENTLOOP_FUZZ_EXAMPLES" not in os.environ
APP = WSGIHandler()
# Answers that are files, not JSON.
FILE_ANSWERS = ("/employees/export", "/attachments/")


@schemathesis.check
def errors_are_json_and_explained(ctx, response, case):
    """Every error answer is the API's JSON body ``{"detail", "errors"}`` (never an HTML page), and a 422
    names the fields at fault: a bare 422 is as useless to an integrator as a 500."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith("application/json"), f"{response.status_code} answered as {content_type}"
    body = response.json()
    assert isinstance(body, dict) and set(body) >= {"detail", "errors"}, f"error body {body!r}"
    assert body["detail"], "an error without a detail"
    if response.status_code == 422:
        assert body["errors"], f"a 422 that names no field: {body!r}"
    return None


@schemathesis.check
def valid_reads_are_not_refused(ctx, response, case):
    """A read whose parameters fit the document is answered, not refused as invalid: a 422 there means
    the document promises more than the API accepts."""
    if case.method.upper() != "GET" or case.meta is None:
        return None
    if str(case.meta.generation.mode) != "positive":
        return None
    assert response.status_code != 422, f"GET {case.formatted_path} {case.query} refused: {response.text[:300]}"
    return None


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, errors_are_json_and_explained, valid_reads_are_not_refused]


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
