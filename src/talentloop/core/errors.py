"""Domain errors raised by services; views and the API turn them into 4xx answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise  # the stubs' type of a lazy translation


class DomainError(Exception):
    """Base error with a user-facing message and optional per-field messages."""

    status = 400

    def __init__(self, detail: str | _StrPromise, errors: dict[str, list[str]] | None = None, **extra):
        super().__init__(detail)
        self.detail = str(detail)
        self.errors = {k: [str(m) for m in v] for k, v in (errors or {}).items()}
        # Extra members of the error body, e.g. the per-item ``rejected`` list of a bulk request.
        self.extra = extra


class InvalidInput(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class PermissionDenied(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


def errors_from_validation(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}
