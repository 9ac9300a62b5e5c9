"""Persona x page / endpoint access matrix.

Every expected status below is written out by hand from the rules of issue 2 and the house plan;
none is derived from ``access.py``. The columns are always, in this order::

    anonymous, employee, manager, mentor, hr, admin, outsider

Who is who (``core/testing/personas.py``): ``employee`` reports to ``lead`` who reports to
``manager`` (head of R&D); ``mentor`` reports to ``manager`` but mentors nobody yet; ``hr`` is HR
for the whole organisation; ``admin`` is a technical account without an employee record;
``outsider`` is in sales, unrelated to the others.

Web pages: anonymous visitors are sent to the sign-in page (302); a record the persona may not see,
and a page the persona may not use, is a 404. The API answers 401 without credentials, 404 for
records out of scope, 403 when a visible record may not be changed.

``test_every_page_and_operation_is_in_the_matrix`` walks the URL resolver and the OpenAPI
document and fails when something new is not listed here (or explicitly excluded with a reason).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from talentloop.testing.personas import PASSWORD

PERSONAS = ("anonymous", "employee", "manager", "mentor", "hr", "admin", "outsider")
TODAY = dt.date.today().isoformat()


from talentloop.testing.matrix import Row, load_extra_rows  # noqa: E402

# ---------------------------------------------------------------- web pages
#                                                                     anon  empl  mgr  mentor  hr  admin  outs
WEB = [
    Row("", "GET", "/",                                              (302, 200, 200, 200, 200, 200, 200)),
    Row("more/", "GET", "/more/",                                    (302, 200, 200, 200, 200, 200, 200)),
    # "me" shows one's own profile; the admin has none.
    Row("me/", "GET", "/me/",                                        (302, 200, 200, 200, 200, 404, 200)),
    # The people directory is for managers, HR and admins.
    Row("people/", "GET", "/people/",                                (302, 404, 200, 404, 200, 200, 404)),
    Row("people/new/", "GET", "/people/new/",                        (302, 404, 404, 404, 200, 404, 404)),
    Row("people/new/", "POST", "/people/new/",                       (302, 404, 404, 404, 302, 404, 404),
        body={"employee_number": "M-1", "name": "新人", "hire_date": "2024-01-02", "org_unit": "{platform}",
              "job_family": "{engineering}", "level": "2", "manager": "T-lead"}),
    # HR imports; HR and admins export (only the people they may see, never sensitive values).
    Row("people/import/", "GET", "/people/import/",                  (302, 404, 404, 404, 200, 404, 404)),
    Row("people/import/", "POST", "/people/import/",                 (302, 404, 404, 404, 200, 404, 404),
        body={"file": "CSV", "mode": "all"}, label="dry run"),
    Row("people/export/", "GET", "/people/export/",                  (302, 404, 404, 404, 200, 200, 404)),
    # Profiles: self, everyone below in the reporting tree, HR and admins.
    Row("people/<int:pk>/", "GET", "/people/{employee}/",            (302, 200, 200, 404, 200, 200, 404),
        label="employee's record"),
    Row("people/<int:pk>/", "GET", "/people/{outsider}/",            (302, 404, 404, 404, 200, 200, 200),
        label="outsider's record"),
    Row("people/<int:pk>/", "GET", "/people/{manager}/",             (302, 404, 200, 404, 200, 200, 404),
        label="manager's record"),
    Row("people/<int:pk>/", "GET", "/people/987654/",                (302, 404, 404, 404, 404, 404, 404),
        label="no such record"),
    Row("people/<int:pk>/edit/", "GET", "/people/{employee}/edit/",  (302, 404, 404, 404, 200, 404, 404)),
    Row("people/<int:pk>/edit/", "POST", "/people/{employee}/edit/", (302, 404, 404, 404, 302, 404, 404),
        body={"name": "改名", "hire_date": "2019-05-06"}),
    Row("people/<int:pk>/events/new/", "GET", "/people/{employee}/events/new/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("people/<int:pk>/events/new/", "POST", "/people/{employee}/events/new/",
        (302, 404, 404, 404, 302, 404, 404), body={"kind": "promotion", "effective_date": TODAY, "level": "4"}),
    # Sensitive values: the person themselves and HR; never the manager, nor the technical admin.
    Row("people/<int:pk>/reveal/<str:field>/", "POST", "/people/{employee}/reveal/national_id/",
        (302, 200, 404, 404, 200, 404, 404), body={}, label="employee's national id"),
    Row("people/<int:pk>/reveal/<str:field>/", "POST", "/people/{outsider}/reveal/bank_account/",
        (302, 404, 404, 404, 200, 404, 200), body={}, label="outsider's bank account"),
    Row("people/<int:pk>/reveal/<str:field>/", "GET", "/people/{employee}/reveal/national_id/",
        (302, 405, 405, 405, 405, 405, 405)),
    Row("org/", "GET", "/org/",                                      (302, 200, 200, 200, 200, 200, 200)),
    Row("org/units/", "GET", "/org/units/",                          (302, 404, 404, 404, 200, 404, 404)),
    Row("org/units/new/", "GET", "/org/units/new/",                  (302, 404, 404, 404, 200, 404, 404)),
    Row("org/units/new/", "POST", "/org/units/new/",                 (302, 404, 404, 404, 302, 404, 404),
        body={"code": "ml", "name": "算法组", "parent": "{rnd}"}),
    Row("org/units/<int:pk>/", "GET", "/org/units/{platform}/",      (302, 404, 404, 404, 200, 404, 404)),
    Row("org/units/<int:pk>/", "POST", "/org/units/{platform}/",     (302, 404, 404, 404, 302, 404, 404),
        body={"code": "platform", "name": "平台", "parent": "{rnd}", "is_active": "on"}),
    Row("org/job-families/", "GET", "/org/job-families/",            (302, 404, 404, 404, 200, 404, 404)),
    Row("org/job-families/new/", "GET", "/org/job-families/new/",    (302, 404, 404, 404, 200, 404, 404)),
    Row("org/job-families/new/", "POST", "/org/job-families/new/",   (302, 404, 404, 404, 302, 404, 404),
        body={"code": "data", "name": "数据"}),
    Row("org/job-families/<int:pk>/", "GET", "/org/job-families/{engineering}/",
        (302, 404, 404, 404, 200, 404, 404)),
    Row("org/job-families/<int:pk>/", "POST", "/org/job-families/{engineering}/",
        (302, 404, 404, 404, 302, 404, 404), body={"code": "software-engineer", "name": "软件"}),
    Row("org/positions/new/", "GET", "/org/positions/new/",          (302, 404, 404, 404, 200, 404, 404)),
    Row("org/positions/new/", "POST", "/org/positions/new/",         (302, 404, 404, 404, 302, 404, 404),
        body={"code": "sse", "name": "高级工程师", "job_family": "{engineering}", "is_active": "on"}),
    Row("org/positions/<int:pk>/", "GET", "/org/positions/{position}/", (302, 404, 404, 404, 200, 404, 404)),
    Row("org/positions/<int:pk>/", "POST", "/org/positions/{position}/", (302, 404, 404, 404, 302, 404, 404),
        body={"code": "se", "name": "工程师", "job_family": "{engineering}", "is_active": "on"}),
    # The audit log: admins and HR for the whole organisation.
    Row("audit/", "GET", "/audit/",                                  (302, 404, 404, 404, 200, 200, 404)),
    # Accounts. Signed-in people are sent on from the sign-in page.
    Row("accounts/login/", "GET", "/accounts/login/",                (200, 302, 302, 302, 302, 302, 302)),
    Row("accounts/logout/", "POST", "/accounts/logout/",             (302, 302, 302, 302, 302, 302, 302),
        body={}),
    Row("accounts/logout/", "GET", "/accounts/logout/",              (405, 405, 405, 405, 405, 405, 405)),
    Row("accounts/tokens/", "GET", "/accounts/tokens/",              (302, 200, 200, 200, 200, 200, 200)),
    Row("accounts/tokens/", "POST", "/accounts/tokens/",             (302, 200, 200, 200, 200, 200, 200),
        body={"name": "cli", "scope": "read", "days": "7"}),
    # Revoking the employee's token: its owner and an admin.
    Row("accounts/tokens/<int:pk>/revoke/", "POST", "/accounts/tokens/{token}/revoke/",
        (302, 302, 404, 404, 404, 302, 404), body={}),
    Row("accounts/manage/", "GET", "/accounts/manage/",              (302, 404, 404, 404, 404, 200, 404)),
    Row("accounts/manage/", "POST", "/accounts/manage/",             (302, 404, 404, 404, 404, 302, 404),
        body={"username": "newcomer", "display_name": "Newcomer"}),
    # HR opens staff accounts (to issue reset codes) but only an admin grants roles.
    Row("accounts/manage/<int:pk>/", "GET", "/accounts/manage/{employee_user}/",
        (302, 404, 404, 404, 200, 200, 404)),
    Row("accounts/manage/<int:pk>/", "POST", "/accounts/manage/{employee_user}/",
        (302, 404, 404, 404, 404, 302, 404), body={"role": "mentor"}),
    Row("accounts/manage/<int:pk>/roles/<int:role_pk>/revoke/", "POST",
        "/accounts/manage/{mentor_user}/roles/{mentor_role}/revoke/", (302, 404, 404, 404, 404, 302, 404), body={}),
    Row("accounts/manage/<int:pk>/unlock/", "POST", "/accounts/manage/{employee_user}/unlock/",
        (302, 404, 404, 404, 404, 302, 404), body={}),
    Row("accounts/manage/<int:pk>/active/", "POST", "/accounts/manage/{employee_user}/active/",
        (302, 404, 404, 404, 404, 302, 404), body={"active": "1"}),
    Row("accounts/manage/<int:pk>/reset-code/", "POST", "/accounts/manage/{employee_user}/reset-code/",
        (302, 404, 404, 404, 302, 302, 404), body={}),
    Row("accounts/manage/<int:pk>/reset-code/", "POST", "/accounts/manage/{admin_user}/reset-code/",
        (302, 404, 404, 404, 404, 404, 404), body={}, label="for the admin"),
    Row("accounts/reset/code/", "GET", "/accounts/reset/code/",      (200, 200, 200, 200, 200, 200, 200)),
    Row("accounts/password/", "GET", "/accounts/password/",          (302, 200, 200, 200, 200, 200, 200)),
    # E-mail reset is offered only when outgoing mail is configured (it is not in the tests).
    Row("accounts/reset/", "GET", "/accounts/reset/",                (404, 404, 404, 404, 404, 404, 404)),
    Row("accounts/reset/sent/", "GET", "/accounts/reset/sent/",      (200, 200, 200, 200, 200, 200, 200)),
]

# ---------------------------------------------------------------- API operations
#                                                                     anon  empl  mgr  mentor  hr  admin  outs
API = [
    # Public: exchanges the employee's credentials for a token, whoever asks.
    Row("/api/v1/auth/token", "POST", "/api/v1/auth/token",          (200, 200, 200, 200, 200, 200, 200),
        body={"username": "employee", "password": PASSWORD}),
    Row("/api/v1/auth/tokens", "GET", "/api/v1/auth/tokens",         (401, 200, 200, 200, 200, 200, 200)),
    Row("/api/v1/auth/tokens/{token_id}", "DELETE", "/api/v1/auth/tokens/{token}",
        (401, 200, 404, 404, 404, 200, 404), label="employee's token"),
    Row("/api/v1/me", "GET", "/api/v1/me",                           (401, 200, 200, 200, 200, 200, 200)),
    Row("/api/v1/me", "PATCH", "/api/v1/me",                         (401, 200, 200, 200, 200, 200, 200),
        body={"language": "en"}),
    Row("/api/v1/employees", "GET", "/api/v1/employees",             (401, 200, 200, 200, 200, 200, 200)),
    Row("/api/v1/employees", "POST", "/api/v1/employees",            (401, 403, 403, 403, 201, 403, 403),
        body={"employee_number": "A-1", "name": "新人", "hire_date": "2024-01-02", "org_unit_id": "{platform}",
              "job_family_id": "{engineering}", "level": 2}),
    # HR imports (a dry run here); HR and admins export.
    Row("/api/v1/employees/import", "POST", "/api/v1/employees/import",
        (401, 403, 403, 403, 200, 403, 403), body={"file": "CSV"}),
    Row("/api/v1/employees/export", "GET", "/api/v1/employees/export",
        (401, 403, 403, 403, 200, 200, 403)),
    Row("/api/v1/employees/{employee_id}", "GET", "/api/v1/employees/{employee}",
        (401, 200, 200, 404, 200, 200, 404), label="employee's record"),
    Row("/api/v1/employees/{employee_id}", "GET", "/api/v1/employees/{outsider}",
        (401, 404, 404, 404, 200, 200, 200), label="outsider's record"),
    Row("/api/v1/employees/{employee_id}", "PATCH", "/api/v1/employees/{employee}",
        (401, 403, 403, 404, 200, 403, 404), body={"phone": "13800000000"}),
    Row("/api/v1/employees/{employee_id}/events", "GET", "/api/v1/employees/{employee}/events",
        (401, 200, 200, 404, 200, 200, 404)),
    Row("/api/v1/employees/{employee_id}/events", "POST", "/api/v1/employees/{employee}/events",
        (401, 403, 403, 404, 201, 403, 404), body={"kind": "promotion", "effective_date": TODAY, "level": 4}),
    Row("/api/v1/org-units", "GET", "/api/v1/org-units",             (401, 200, 200, 200, 200, 200, 200)),
    Row("/api/v1/org-units", "POST", "/api/v1/org-units",            (401, 403, 403, 403, 201, 403, 403),
        body={"code": "ml", "name": "算法组", "parent_id": "{rnd}"}),
    Row("/api/v1/job-families", "GET", "/api/v1/job-families",       (401, 200, 200, 200, 200, 200, 200)),
    Row("/api/v1/positions", "GET", "/api/v1/positions",             (401, 200, 200, 200, 200, 200, 200)),
    # Performance: integrations send observations with an HR or administrator token.
    Row("/api/v1/observations", "POST", "/api/v1/observations",      (401, 403, 403, 403, 200, 200, 403),
        body={"items": [], "partial": False}),
    # A score is seen by the person, their management chain and HR (admins see every record).
    # The mentor mentors employee in an active plan (tests/matrix/mentoring_core.py): scores read-only.
    Row("/api/v1/employees/{employee_id}/scores", "GET", "/api/v1/employees/{employee}/scores?period=2026-03",
        (401, 200, 200, 200, 200, 200, 404)),
    Row("/api/v1/metrics", "GET", "/api/v1/metrics",                 (401, 200, 200, 200, 200, 200, 200)),
    # Closing and reopening periods is for HR of the whole organisation.
    Row("/api/v1/periods/{key}/close", "POST", "/api/v1/periods/2026-03/close",
        (401, 403, 403, 403, 200, 403, 403)),
    Row("/api/v1/periods/{key}/reopen", "POST", "/api/v1/periods/2026-03/reopen",
        (401, 403, 403, 403, 200, 403, 403)),
    # The webhook authenticates by signature only: an unsigned request is refused for everyone.
    Row("/api/v1/webhooks/observations/{source_key}", "POST", "/api/v1/webhooks/observations/nosuch",
        (401, 401, 401, 401, 401, 401, 401), body={"items": []}),
]

# Rows of later areas live in tests/matrix/<area>.py.
_EXTRA_WEB, _EXTRA_API, _EXTRA_KEYS = load_extra_rows(Path(__file__).resolve().parent / "matrix")
WEB += _EXTRA_WEB
API += _EXTRA_API

# Routes left out of the matrix on purpose, each with its reason.
EXCLUDED_ROUTES = {
    "healthz": "infrastructure probe, public by design; tests/test_healthz.py",
    "sw.js": "service worker script, public static asset",
    "manifest.webmanifest": "web app manifest, public static asset",
    "offline/": "offline fallback page cached by the service worker, public",
    "robots.txt": "public static text",
    "i18n/setlang/": "the language switch, public (also remembered on a signed-in person's account)",
    "api/v1/openapi.json": "the API description, public documentation",
    "api/v1/docs": "interactive API documentation, public",
    "api/v1/": "django-ninja's catch-all root, answers 404",
    "accounts/reset/<uidb64>/<token>/": "needs a valid one-time e-mail token; Django's own view",
}


def _keys(world) -> dict[str, int]:
    from talentloop.accounts.models import RoleAssignment
    from talentloop.accounts.services import api_token_create
    from talentloop.core.access import actor_for

    token, _secret = api_token_create(actor=actor_for(world.employee), user=world.employee, name="matrix")
    return {
        "employee": world.emp(world.employee).pk, "outsider": world.emp(world.outsider).pk,
        "manager": world.emp(world.manager).pk, "platform": world.platform.pk, "rnd": world.rnd.pk,
        "engineering": world.engineering.pk, "position": world.engineer_position.pk,
        "employee_user": world.employee.pk, "mentor_user": world.mentor.pk, "admin_user": world.admin.pk,
        "mentor_role": RoleAssignment.objects.get(user=world.mentor, role="mentor").pk, "token": token.pk,
        **{k: v for func in _EXTRA_KEYS for k, v in func(world).items()},
    }


# A small employee file (the columns of the import) for the import rows; "CSV" in a body is replaced by it.
IMPORT_CSV = ("employee_number,name,hire_date,org_unit,job_family,level\n"
              "IMP-1,导入,2024-01-02,platform,software-engineer,2\n")


def _fill(value, keys):
    if value == "CSV":
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile("people.csv", IMPORT_CSV.encode(), content_type="text/csv")
    if isinstance(value, dict):
        return {k: _fill(v, keys) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, keys) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in keys:
        return keys[value[1:-1]]
    if isinstance(value, str):
        return value.format(**keys)
    return value


def _web_client(world, persona: str) -> Client:
    c = Client()
    if persona != "anonymous":
        c.force_login(getattr(world, persona))
    return c


def _api_client(world, persona: str) -> Client:
    if persona == "anonymous":
        return Client()
    from talentloop.accounts.services import api_token_create
    from talentloop.core.access import actor_for

    user = getattr(world, persona)
    _token, secret = api_token_create(actor=actor_for(user), user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _request(client: Client, row: Row, keys, api: bool):
    url = _fill(row.url, keys)
    method = getattr(client, row.method.lower())
    if row.body is None:
        return method(url)
    body = _fill(row.body, keys)
    if any(hasattr(v, "read") for v in body.values()):
        return method(url, body)  # multipart
    if api:
        return method(url, body, content_type="application/json")
    if row.method == "POST":
        return method(url, body)
    return method(url, body, content_type="application/x-www-form-urlencoded")


def _datum_problems(row: Row, persona: str, response) -> list[str]:
    """A row about a derived view may say, per persona, whether a datum must be in the answer
    (True), must not be (False) or is not checked (None): ``extra={"shows": marker, "shown": (...)}``
    where the marker is a string looked for in the body or a function of the response. A 200 alone
    does not prove that a page keeps a datum to itself."""
    if "shows" not in row.extra:
        return []
    wanted = row.extra["shown"][PERSONAS.index(persona)]
    if wanted is None:
        return []
    marker = row.extra["shows"]
    found = marker(response) if callable(marker) else marker in response.content.decode()
    if found == wanted:
        return []
    what = row.extra.get("datum", "the datum")
    return [f"{persona}: {what} {'missing' if wanted else 'shown'}"]


def _run_row(world, row: Row, api: bool) -> None:
    keys = _keys(world)
    got = {}
    problems = []
    for persona, expected in zip(PERSONAS, row.expected, strict=True):
        # Each persona starts from the same state: writes made by the previous one are rolled back.
        with transaction.atomic():
            client = _api_client(world, persona) if api else _web_client(world, persona)
            response = _request(client, row, keys, api)
            transaction.set_rollback(True)
        got[persona] = response.status_code
        if response.status_code != expected:
            problems.append(f"{persona}: expected {expected}, got {response.status_code}")
        elif not api and persona == "anonymous" and expected == 302:
            if not response["Location"].startswith("/accounts/login/"):
                problems.append(f"anonymous redirected to {response['Location']}, not to the sign-in page")
        elif api and expected >= 400:
            body = response.json()
            if set(body) - {"code"} != {"detail", "errors"}:
                problems.append(f"{persona}: error body {body}")
        problems += _datum_problems(row, persona, response)
    assert not problems, f"{row.id}: " + "; ".join(problems) + f" (all: {got})"


@pytest.mark.django_db
@pytest.mark.parametrize("row", WEB, ids=lambda r: r.id)
def test_web_page_access(world, row):
    _run_row(world, row, api=False)


@pytest.mark.django_db
@pytest.mark.parametrize("row", API, ids=lambda r: r.id)
def test_api_operation_access(world, row):
    _run_row(world, row, api=True)


# ---------------------------------------------------------------- completeness


def _routes(resolver=None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_page_and_operation_is_in_the_matrix():
    from talentloop.config.api import api

    operations = {(method.upper(), path) for path, ops in api.get_openapi_schema()["paths"].items()
                  for method in ops}
    api_rows = {(row.method, row.route) for row in API}
    web_routes = {row.route for row in WEB}
    missing = []
    for route in sorted(set(_routes())):
        if route in EXCLUDED_ROUTES:
            continue
        if route.startswith("api/v1/"):
            # API routes are checked through their OpenAPI operations below.
            if not any(path == _openapi_path(route) for _method, path in operations):
                missing.append(f"API route {route} is not described in the OpenAPI document")
            continue
        if route not in web_routes:
            missing.append(f"web page {route!r}")
    for method, path in sorted(operations - api_rows):
        missing.append(f"API operation {method} {path}")
    assert not missing, "Add these to the access matrix (or exclude them with a reason):\n" + "\n".join(missing)


def test_matrix_has_no_stale_rows():
    from talentloop.config.api import api

    routes = set(_routes())
    stale = [row.id for row in WEB if row.route not in routes]
    paths = {(m.upper(), p) for p, ops in api.get_openapi_schema()["paths"].items() for m in ops}
    stale += [row.id for row in API if (row.method, row.route) not in paths]
    stale += [route for route in EXCLUDED_ROUTES if route not in routes]
    assert not stale, stale
