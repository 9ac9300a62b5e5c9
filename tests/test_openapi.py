"""The OpenAPI document describes what the API really answers.

django-ninja names a component after its schema class, and of two classes with one name it keeps one:
every operation that uses the other is then documented with the wrong fields. So names are unique.
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from collections import defaultdict

import pydantic
import pytest

from talentloop.config.api import api


def _routers(router):
    yield router
    for item in getattr(router, "_routers", ()):
        yield from _routers(item[1])


def _operations():
    for _prefix, top in api._routers:
        for router in _routers(top):
            for path, view in router.path_operations.items():
                for operation in view.operations:
                    yield path, operation


def _schema_classes(annotation, found: dict[str, dict[str, str]], where: str) -> None:
    """Every named schema class reachable from an annotation (lists, unions and fields included)."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        # ninja's own per-operation wrappers (BodyParams, QueryParams, NinjaResponseSchema) are not
        # components; what they wrap is.
        wrapper = annotation.__module__ == "abc" or annotation.__name__ in ("NinjaResponseSchema",)
        if not wrapper:
            key = f"{annotation.__module__}.{annotation.__qualname__}"
            if key in found[annotation.__name__]:
                return
            found[annotation.__name__][key] = where
        for field in annotation.model_fields.values():
            _schema_classes(field.annotation, found, where)
        return
    for arg in typing.get_args(annotation):
        _schema_classes(arg, found, where)


def schema_classes_by_name() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for path, operation in _operations():
        for model in operation.models:
            _schema_classes(model, found, path)
        for model in operation.response_models.values():
            if model is not None:
                _schema_classes(model, found, path)
    return found


def test_every_schema_class_name_is_unique():
    found = schema_classes_by_name()
    assert len(found) > 50, "the walk found too few schema classes to be trusted"
    duplicates = {name: classes for name, classes in found.items() if len(classes) > 1}
    assert not duplicates, f"schema class names used by more than one class: {duplicates}"


def test_the_walk_sees_a_duplicate_name():
    """The check itself: two classes of one name, each reachable from an annotation, are both seen."""
    from ninja import Schema

    first = type("TemplateOut", (Schema,), {"__annotations__": {"a": int}, "__module__": "one"})
    second = type("TemplateOut", (Schema,), {"__annotations__": {"b": int}, "__module__": "two"})
    found: dict[str, dict[str, str]] = defaultdict(dict)
    _schema_classes(list[first], found, "/a")
    _schema_classes(first | second, found, "/b")
    assert set(found["TemplateOut"]) == {"one.TemplateOut", "two.TemplateOut"}


def test_each_component_documents_its_own_fields():
    """The components of two formerly clashing names carry their own app's fields."""
    components = api.get_openapi_schema()["components"]["schemas"]
    assert "OnboardingTemplateOut" in components and "MentoringTemplateOut" in components
    assert components["OnboardingTemplateOut"] != components["MentoringTemplateOut"]
    assert "EmploymentEventIn" in components and "LearningEventIn" in components


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_bulk_observation_items_are_documented_with_their_fields():
    """An integrator reads what one observation holds from the document, not from prose."""
    document = api.get_openapi_schema()
    body = document["paths"]["/api/v1/observations"]["post"]["requestBody"]["content"]["application/json"]
    items = _resolve(document, _resolve(document, body["schema"])["properties"]["items"])
    assert items["type"] == "array"
    item = _resolve(document, items["items"])
    assert item.get("type") == "object"
    assert {"metric", "value", "occurred_at", "source", "external_id", "employee_id", "employee_number",
            "org_unit_id"} <= set(item["properties"])
    assert {"metric", "value", "occurred_at", "source", "external_id"} <= set(item["required"])


# Ranked suggestions whose own ``limit`` says how many to suggest: a top few, not a list to page through.
NOT_PAGED = {
    "/api/v1/people/search": "the picker's best matches, at most 20",
    "/api/v1/learning/recommendations": "the reader's best items, at most 10",
}


def test_every_list_endpoint_answers_the_one_page_shape():
    """A list is paged one way everywhere: ``limit`` and ``offset`` in, ``{items, count}`` out."""
    document = api.get_openapi_schema()
    bare, unpaged = [], []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None or path in NOT_PAGED:
            continue
        content = (operation["responses"].get(200) or {}).get("content", {}).get("application/json", {})
        schema = _resolve(document, content.get("schema", {}))
        if schema.get("type") == "array":
            bare.append(path)
        elif set(schema.get("properties", {})) >= {"items", "count"}:
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            if not {"limit", "offset"} <= names:
                unpaged.append(path)
    assert not bare, f"lists answered as a bare array (page them with core.paging.paginated): {bare}"
    assert not unpaged, f"pages without limit and offset: {unpaged}"


def test_no_request_body_is_a_free_object():
    """Every body field that holds objects names their fields (a free ``dict`` documents nothing)."""
    document = api.get_openapi_schema()
    free = []
    for name, component in document["components"]["schemas"].items():
        if not name.endswith("In"):
            continue
        for field, prop in component.get("properties", {}).items():
            inner = prop.get("items", prop)
            if inner.get("type") == "object" and "properties" not in inner and "$ref" not in inner \
                    and not isinstance(inner.get("additionalProperties"), dict):
                free.append(f"{name}.{field}")
    assert not free, f"request bodies with free objects: {free}"


# ---------------------------------------------------------------- real answers against the document

# The demo company at its smallest, on a fixed day (no answer depends on today's date).
REFERENCE_DAY = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
PERSONAS = ("hr", "admin", "manager", "mentor", "employee", "newgrad")
MONTH = "2026-10"

# A path parameter is an id taken from the list at the path before it (``/reviews/{review_id}`` takes
# the first review of ``/reviews``); these name another list, or a fixed value, where that is not so.
PARAMETER_SOURCES = {
    ("/api/v1/careers/path/{employee_id}", "employee_id"): "/api/v1/employees",
    ("/api/v1/mentoring/matches", "template_id"): "/api/v1/mentoring/templates",
}
FIXED_PARAMETERS = {"period": MONTH, "year": REFERENCE_DAY.year, "month": MONTH}
# Optional query parameters an operation needs to answer anything (a search needs words).
QUERIES = {"/api/v1/people/search": {"q": "li"}}

# Lists that are empty for every persona, and why that is right. Keep it short.
EMPTY_ALLOWED = {
    "/api/v1/mentoring/qualified": "no one in the smallest demo company meets every criterion of the demo policy",
    "/api/v1/payroll/export-layouts": "the demo exports with the default layouts; payroll saves its own on demand",
}
# Operations answering a file made from an object named by a query parameter: their answers are
# checked by their own tests (payroll/tests/test_exports_web.py), not against a JSON schema here.
DOWNLOADS = {"/api/v1/payroll/exports/{kind}"}


def _client(user):
    from django.test import Client

    from talentloop.accounts import reauth

    client = Client(raise_request_exception=False)
    client.force_login(user)
    # A fresh re-authentication, as a person opening their payslips has just given.
    session = client.session
    session[reauth.SESSION_KEY] = {"user": user.pk, "at": NOW.timestamp()}
    session.save()
    return client


def _response_schema(document: dict, operation: dict) -> dict | None:
    responses = operation["responses"]
    # ninja's document keys statuses by int until it is serialised to JSON
    content = (responses.get(200) or responses.get("200") or {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None
    return {**schema, "components": document["components"]}


def _items(body):
    """The rows of a list answer: a JSON array, or a page object's ``items``."""
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in ("items", "results", "rows"):
            if isinstance(body.get(key), list):
                return body[key]
    return None


def _populate():
    """The demo company (40 people, its history, mentoring, learning, careers, onboarding, results),
    plus what the demo leaves out: a webhook source, API tokens, notifications, an appeal…"""
    from talentloop.demo import stack as demo_stack
    from talentloop.mentoring import demo as mentoring_demo
    from talentloop.organisation import demo
    from talentloop.performance import demo as performance_demo

    plan = demo.plan_company(demo.MIN_EMPLOYEES, seed=demo.DEMO_SEED, reference_date=REFERENCE_DAY)
    demo.load_company(plan)
    performance_demo.load_history(seed=demo.DEMO_SEED, reference_date=REFERENCE_DAY, progress=lambda text: None)
    mentoring_demo.load_mentoring(seed=demo.DEMO_SEED, reference_date=REFERENCE_DAY)
    demo_stack.load_areas(seed=demo.DEMO_SEED, reference_date=REFERENCE_DAY, write=lambda text: None)


def _post(client, url: str, body: dict, problems: list[str]) -> dict | None:
    r = client.post(url, body, content_type="application/json")
    if r.status_code not in (200, 201):
        problems.append(f"populating: POST {url}: {r.status_code} {r.content[:300]!r}")
        return None
    return json.loads(r.content)


def _extras(clients: dict, problems: list[str]) -> None:
    """What the demo does not write, through the API as people would (and the services where the
    API has no operation: the alert and root-cause runs)."""
    from django.core.files.base import ContentFile

    from talentloop.accounts.models import User
    from talentloop.accounts.services import api_token_create
    from talentloop.core.access import actor_for
    from talentloop.notifications.channel_selectors import vapid_public_key
    from talentloop.notifications.channel_services import vapid_keys_generate
    from talentloop.organisation.models import Employee
    from talentloop.organisation.services_contracts import employment_contract_record
    from talentloop.performance.models import WorkResult, WorkResultAttachment
    from talentloop.performance.services.alerts import alerts_evaluate
    from talentloop.performance.services.rootcause import root_causes_evaluate
    from talentloop.performance.services.webhooks import webhook_source_create

    users = {name: User.objects.get(username=name) for name in PERSONAS}
    people = {name: Employee.objects.filter(user=user).first() for name, user in users.items()}
    # Employment contracts for everyone the demo left without one (open-ended from the hire date).
    for person in Employee.objects.filter(contracts__isnull=True).order_by("pk"):
        employment_contract_record(actor=actor_for(users["hr"]), employee=person, start_date=person.hire_date,
                                   term="open_ended")
    hr, manager, employee = clients["hr"], clients["manager"], clients["employee"]
    webhook_source_create(actor=actor_for(users["hr"]), key="helpdesk", name="Helpdesk", act_as=users["hr"])
    for user in users.values():
        api_token_create(actor=actor_for(user), user=user, name="openapi", scope="read")
    me = people["employee"]
    from talentloop.payroll.models import Payslip

    slip = Payslip.objects.filter(employee=me, published_at__isnull=False).order_by("-month").first()
    if slip is not None:
        _post(employee, f"/api/v1/payroll/payslips/{slip.pk}/questions",
              {"line_code": "iit", "text": "为什么这个月的个税比上月高？"}, problems)
    _post(manager, "/api/v1/feedback", {"recipient_id": me.pk, "text": "谢谢你的帮助"}, problems)
    _post(
        employee, "/api/v1/feedback-requests", {"responder_id": people["manager"].pk, "message": "请给我反馈"}, problems
    )
    _post(
        manager,
        "/api/v1/improvement-plans",
        {
            "employee_id": me.pk,
            "title": "提升交付",
            "reason": "连续两月未达标",
            "starts_on": "2026-11-20",
            "ends_on": "2027-01-20",
            "goals": [{"title": "按期交付", "measure": "每周"}],
        },
        problems,
    )
    _post(employee, "/api/v1/appeals", {"period": "2026", "reason": "我完成了更多工作"}, problems)
    metrics = json.loads(hr.get("/api/v1/metrics").content)["items"]
    metric = next(m["key"] for m in metrics if m["subject_kind"] == "employee")
    _post(
        hr,
        "/api/v1/alert-rules",
        {
            "name": "下降",
            "metric": metric,
            "window": "period",
            "period_kind": "month",
            "baseline": "previous",
            "threshold_kind": "relative",
            "threshold": "1",
        },
        problems,
    )
    alerts_evaluate(actor=None, as_of=REFERENCE_DAY)
    root_causes_evaluate(actor=None, as_of=REFERENCE_DAY)
    unit = me.org_unit_id
    _post(
        hr,
        "/api/v1/notifications/group-bots",
        {
            "org_unit_id": unit,
            "vendor": "wecom",
            "name": "平台群",
            "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
        },
        problems,
    )
    _post(
        hr,
        "/api/v1/notifications/im-identities",
        {"employee_id": me.pk, "vendor": "wecom", "external_id": "wx-1"},
        problems,
    )
    template = json.loads(hr.get("/api/v1/mentoring/templates").content)["items"][0]["id"]
    _post(
        hr,
        "/api/v1/mentoring/matches/runs",
        {"template_id": template, "starts_on": "2026-12-01", "mentee_ids": [people["newgrad"].pk]},
        problems,
    )
    for result in WorkResult.objects.all():
        attachment = WorkResultAttachment(result=result, name="report.txt", size=5, content_type="text/plain")
        attachment.file.save("report.txt", ContentFile(b"hello"), save=False)
        attachment.save()
    if not vapid_public_key():  # the demo may have made them
        vapid_keys_generate(actor=actor_for(users["admin"]), subject="mailto:it@example.com")
    _post(
        employee,
        "/api/v1/notifications/push/subscriptions",
        {
            "endpoint": "https://push.example.com/send/1",
            "keys": {
                "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
                "auth": "tBHItJI5svbpez7KI4CCXg",
            },
        },
        problems,
    )
    # An attendance machine's export imported by HR: one punch of the employee, one unknown number.
    punches = (f"工号,打卡时间,设备\n{me.employee_number},2026-11-19 08:59:12,大门-01\n"
               "NOPE,2026-11-19 09:00:00,大门-01\n")
    r = hr.post("/api/v1/time/clock-imports?dry_run=false",
                {"file": ContentFile(punches.encode(), name="punches.csv")})
    if r.status_code != 201:
        problems.append(f"populating: POST /api/v1/time/clock-imports: {r.status_code} {r.content[:300]!r}")
    # A team's minimum staffing (the demo sets none) and the employee's stated prior service for HR to review.
    shift = _items(json.loads(hr.get("/api/v1/time/shifts").content))[0]["id"]
    r = hr.put("/api/v1/time/rosters/requirements",
               {"org_unit_id": unit, "shift_id": shift, "weekdays": [0, 1, 2, 3, 4], "min_people": 2},
               content_type="application/json")
    if r.status_code != 200:
        problems.append(f"populating: PUT /api/v1/time/rosters/requirements: {r.status_code} {r.content[:300]!r}")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    r = employee.post("/api/v1/time/prior-services", {"employer": "乙公司", "start": "2010-03-01", "end": "2012-02-29",
                                                      "evidence": ContentFile(png, name="evidence.png")})
    if r.status_code != 201:
        problems.append(f"populating: POST /api/v1/time/prior-services: {r.status_code} {r.content[:300]!r}")


def _fill(path: str, operation: dict, get) -> tuple[str, dict] | None:
    """The URL and query of one call with real ids, or None when a parameter has no value."""
    query = dict(QUERIES.get(path, {}))
    url = path
    for parameter in operation.get("parameters", []):
        name, where = parameter["name"], parameter["in"]
        if where == "query" and not parameter.get("required"):
            continue
        if name in FIXED_PARAMETERS:
            value = FIXED_PARAMETERS[name]
        else:
            source = PARAMETER_SOURCES.get((path, name))
            if source is None:
                source = url.split("/{" + name + "}")[0]
            status, body = get(source, {})
            rows = _items(body) if status == 200 else None
            if status != 200:
                # No list operation there: the parent's answer holds the rows (``/work-results/{id}``'s
                # ``attachments`` for ``/work-results/{id}/attachments/{attachment_id}``).
                parent, field = source.rsplit("/", 1)
                status, body = get(parent, {})
                rows = body.get(field) if status == 200 and isinstance(body, dict) else None
            if not rows:
                return None
            value = rows[0]["id"]
        if where == "path":
            url = url.replace("{" + name + "}", str(value))
        else:
            query[name] = value
    return url, query


@pytest.mark.django_db
def test_every_get_operation_answers_real_data_that_matches_the_document(django_capture_on_commit_callbacks):
    import jsonschema_rs
    import time_machine

    from talentloop.accounts.models import User

    problems: list[str] = []
    validated: set[str] = set()
    document = api.get_openapi_schema()
    with time_machine.travel(NOW, tick=False):
        _populate()
        clients = {name: _client(User.objects.get(username=name)) for name in PERSONAS}
        # Notifications and the rest of what these writes set off run as they would after commit.
        with django_capture_on_commit_callbacks(execute=True):
            _extras(clients, problems)
        for path, item in document["paths"].items():
            operation = item.get("get")
            if operation is None or path in DOWNLOADS:
                continue
            schema = _response_schema(document, operation)
            validator = jsonschema_rs.validator_for(schema) if schema else None
            if validator is None and not path.endswith(("/export", ".pdf")) and "/attachments/" not in path:
                problems.append(f"GET {path}: no JSON schema for its 200 answer")
            answered = rows_seen = False
            for persona, client in clients.items():

                def get(url, query, client=client):
                    r = client.get(url, query)
                    content = b"".join(r.streaming_content) if r.streaming else r.content
                    is_json = r["Content-Type"].startswith("application/json")
                    return r.status_code, (json.loads(content) if is_json else content)

                call = _fill(path, operation, get)
                if call is None:
                    continue
                url, query = call
                status, body = get(url, query)
                if status >= 500 or status == 422:
                    problems.append(f"GET {url} as {persona}: {status} {str(body)[:200]}")
                    continue
                if status != 200:
                    continue  # not this persona's to read (403/404), as the access matrix says
                answered = True
                if validator is not None:
                    validated.add(path)
                    for error in validator.iter_errors(body):
                        where = "/".join(str(p) for p in error.instance_path)
                        problems.append(f"GET {url} as {persona}: at {where or '(root)'}: {error.message}")
                        break
                rows = _items(body)
                rows_seen = rows_seen or rows is None or bool(rows)
            if not answered:
                problems.append(f"GET {path}: no persona got an answer (no data for its parameters?)")
            elif not rows_seen and path not in EMPTY_ALLOWED:
                problems.append(f"GET {path}: an empty list for every persona")
    assert not problems, "\n".join(problems)
    assert len(validated) >= 75, f"only {len(validated)} operations' answers were validated"


def test_the_validation_sees_a_wrong_answer():
    """The check itself: an answer of the wrong shape does not pass."""
    import jsonschema_rs

    document = api.get_openapi_schema()
    schema = _response_schema(document, document["paths"]["/api/v1/employees"]["get"])
    validator = jsonschema_rs.validator_for(schema)
    assert list(validator.iter_errors([{"id": "not a number"}]))
    assert _items({"items": [1]}) == [1] and _items([]) == [] and _items({"a": 1}) is None
