"""The OpenAPI document describes what the API really answers.

django-ninja names a component after its schema class, and of two classes with one name it keeps one:
every operation that uses the other is then documented with the wrong fields. So names are unique.
"""

from __future__ import annotations

import typing
from collections import defaultdict

import pydantic

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
