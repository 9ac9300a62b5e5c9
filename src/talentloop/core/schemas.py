"""Schemas shared by every app's API."""

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
