"""What the receiving sides of the vendors share.

* Checking a delivery: a shared token or an HMAC-SHA256 signature of the raw body, both compared in
  constant time; the delivery's id from the first header of a vendor's list that carries one.
* Reading a payload into a typed model (pydantic, unknown fields ignored) with a reason a person can
  act on when it does not fit (shown on the connector's page and answered with the 422).
* The vendors' ways of writing a time: ISO 8601 (``2013-12-03T17:23:34Z``), GitLab's older
  ``2017-09-15 16:52:00 UTC`` and Jira's ``2018-09-04T18:52:39.131+0000``; a time without a zone is UTC.
* A revert: the delivery of a revert names the change it reverts (by that change's external id), not
  its author. ``revert_fact`` makes a fact without an account that names the reverted change; the
  receiving service gives it the account of the stored ``merged`` fact of that change, or drops it
  when the change was never received (its author cannot be told).

Header names are read in lower case: the receiving service hands them over that way.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import orjson
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BaseModel, BeforeValidator, ValidationError

from talentloop.integrations.connectors.base import AccountRef, ToolFact, UnknownShape, Unverified

MAX_DELIVERY_ID = 120  # InboundDelivery.delivery_id
REVERT_PREFIX = "revert:"

M = TypeVar("M", bound=BaseModel)


# ---------------------------------------------------------------- checking a delivery


def header(headers: Mapping[str, str], name: str) -> str:
    return (headers.get(name) or "").strip()


def token_matches(given: str, secret: str) -> bool:
    """A shared token sent as it is (GitLab), compared in constant time."""
    return bool(given) and hmac.compare_digest(given.encode(), secret.encode())


def signature_matches(given: str, secret: str, body: bytes) -> bool:
    """``sha256=<hex HMAC-SHA256(secret, body)>`` (GitHub's ``X-Hub-Signature-256``, Jira's
    ``X-Hub-Signature``), compared in constant time."""
    scheme, _sep, digest = given.partition("=")
    if scheme.strip().lower() != "sha256" or not digest:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(digest.strip().lower().encode(), expected.encode())


def delivery_id(headers: Mapping[str, str], *names: str) -> str:
    """The delivery's id from the first of ``names`` that is present (a replay is refused by it)."""
    for name in names:
        value = header(headers, name)
        if value:
            if len(value) > MAX_DELIVERY_ID:
                raise Unverified(_("The delivery id is longer than %(n)d characters.") % {"n": MAX_DELIVERY_ID})
            return value
    raise Unverified(_("The request has no delivery id (%(header)s).") % {"header": names[0]})


# ---------------------------------------------------------------- reading a payload


def _reason(exc: ValidationError) -> str:
    error = exc.errors(include_url=False, include_context=False, include_input=False)[0]
    kind, loc = error["type"], ".".join(str(p) for p in error["loc"])
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    if not loc:
        return _("The body is not a JSON object.")
    if kind == "missing":
        return _("The payload has no “%(field)s”.") % {"field": loc}
    return _("The payload's “%(field)s” is not valid.") % {"field": loc}


def load(model: type[M], body: bytes | Mapping[str, Any]) -> M:
    """The payload read into ``model`` (from the raw body, or from a dict already read)."""
    try:
        if isinstance(body, Mapping):
            return model.model_validate(body)
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise UnknownShape(_reason(exc)) from exc


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object, for an event nothing is read from (its shape is still checked)."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise UnknownShape(_("The body is not valid JSON.")) from exc
    if not isinstance(value, dict):
        raise UnknownShape(_("The body is not a JSON object."))
    return value


_OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d\d)(\d\d)$")


def _vendor_time(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(" UTC"):  # GitLab's older format
            text = text[:-4].strip().replace(" ", "T") + "+00:00"
        return _OFFSET_WITHOUT_COLON.sub(r"\1:\2", text)
    return value


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


VendorTime = Annotated[dt.datetime, BeforeValidator(_vendor_time), AfterValidator(_aware)]


def first_time(*values: dt.datetime | None) -> dt.datetime | None:
    return next((v for v in values if v is not None), None)


# ---------------------------------------------------------------- facts


def revert_fact(reverted_external_id: str, occurred_at: dt.datetime) -> ToolFact:
    """A revert of the change known as ``reverted_external_id``; whose it is is found by the service."""
    return ToolFact(event_kind="revert", external_id=f"{REVERT_PREFIX}{reverted_external_id}",
                    account=AccountRef(handle=""), occurred_at=occurred_at, value=Decimal(1))


def reverted_id(fact: ToolFact) -> str | None:
    """The external id of the change a revert fact still waiting for its account names."""
    if fact.event_kind == "revert" and not fact.account.handle and fact.external_id.startswith(REVERT_PREFIX):
        return fact.external_id[len(REVERT_PREFIX):]
    return None


def email_or_blank(value: str | None) -> str:
    """An e-mail a vendor gives, or "" (GitLab writes ``[REDACTED]`` when a person keeps theirs private)."""
    value = (value or "").strip()
    return value if "@" in value else ""
