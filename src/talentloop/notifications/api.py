"""The notifications API under /api/v1/notifications: one's own inbox and settings."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Field, Query, Router, Schema

from talentloop.core.errors import PermissionDenied
from talentloop.core.paging import PAGED, ApiPage, LimitOffsetPagination, SelectorPage, paginated
from talentloop.core.schemas import ERRORS, Id, InSchema
from talentloop.notifications import access, selectors, services
from talentloop.notifications import kinds as K
from talentloop.notifications.api_channels import router as channels_router

router = Router(tags=["notifications"])


class NotificationActionOut(Schema):
    key: str = Field(description="e.g. 'approve', 'reject'")
    label: str = Field(description="the button's words in the reader's language")
    style: str = Field(description="primary, secondary or danger")
    method: str = Field(description="always POST")
    url: str = Field(description="the API endpoint that takes the decision (it checks access like any other "
                                 "call; a decision already taken answers 409)")


class NotificationOut(Schema):
    id: int
    kind: str
    kind_label: str
    text: str = Field(description="in the reader's language")
    link: str
    urgent: bool
    created_at: dt.datetime
    read_at: dt.datetime | None
    actions: list[NotificationActionOut] = Field(
        default_factory=list,
        description="Decisions the notification offers in one tap, only while the thing still waits for the "
                    "reader (empty once it is decided, cancelled or no longer theirs). Deciding marks the "
                    "decider's notifications about it read.")


class NotificationPage(ApiPage):
    """The API's page with the badge's number beside it."""

    unread: int = Field(description="All unread notifications, whatever the filter")


class NotificationPagination(LimitOffsetPagination):
    Output = NotificationPage


class NotificationQuery(InSchema):
    unread: bool = Field(False, description="Only the unread ones")


class ReadAllOut(Schema):
    marked: int


class ChannelOut(Schema):
    key: str
    label: str


class KindPreferenceOut(Schema):
    kind: str
    label: str
    urgent: bool
    channels: list[str] = Field(description="always includes 'inapp'")
    is_default: bool


class QuietHoursOut(Schema):
    enabled: bool
    start: dt.time | None
    end: dt.time | None


class PreferencesOut(Schema):
    channels: list[ChannelOut] = Field(description="channels the organisation offers now, besides the inbox")
    kinds: list[KindPreferenceOut]
    quiet_hours: QuietHoursOut


class QuietHoursIn(InSchema):
    enabled: bool
    start: dt.time | None = None
    end: dt.time | None = None


class PreferencesIn(InSchema):
    kinds: dict[str, list[str]] = Field(default_factory=dict,
                                        description="kind → channels; kinds left out keep theirs")
    quiet_hours: QuietHoursIn | None = None


def _out(n, actions: list[K.Action] = ()) -> dict:
    kind = K.find(n.kind)
    return {"id": n.pk, "kind": n.kind, "kind_label": str(kind.label) if kind else n.kind, "text": n.message,
            "link": n.link, "urgent": bool(kind and kind.urgent), "created_at": n.created_at, "read_at": n.read_at,
            "actions": [{"key": a.key, "label": str(a.label), "style": a.style, "method": "POST", "url": a.api_url}
                        for a in actions if a.api_url]}


def _preferences(actor) -> dict:
    prefs = selectors.preferences_get(actor)
    quiet = prefs.quiet_hours
    return {
        "channels": [{"key": ch.key, "label": str(ch.label)} for ch in services.available_channels()],
        "kinds": [{"kind": c.kind.key, "label": str(c.kind.label), "urgent": c.kind.urgent,
                   "channels": [K.INAPP, *c.channels], "is_default": c.is_default} for c in prefs.kinds],
        "quiet_hours": {"enabled": bool(quiet and quiet.enabled), "start": quiet.start if quiet else None,
                        "end": quiet.end if quiet else None},
    }


def _require_inbox(actor) -> None:
    if not access.can_have_preferences(actor):
        raise PermissionDenied("Only people with an employee record receive notifications.")


@router.get("", response={200: list[NotificationOut], **ERRORS}, summary="My notifications, unread first",
            description=PAGED + " `unread` counts all the unread notifications. A notification about something "
                                "waiting for my decision lists its `actions` (POST each `url`, no body needed).")
@paginated(default=20, max_limit=100, pagination=NotificationPagination)
def notification_list(request, query: Query[NotificationQuery]):
    actor = request.actor

    def read(limit: int, offset: int) -> tuple[list[dict], int, dict]:
        rows = selectors.notification_list(actor, unread_only=query.unread, limit=limit, offset=offset)
        offered = selectors.actions_for(actor, rows)
        total = selectors.notification_count(actor, unread_only=query.unread)
        return [_out(n, offered.get(n.pk, [])) for n in rows], total, {"unread": selectors.unread_count(actor)}

    return SelectorPage(read)


@router.post("/read-all", response={200: ReadAllOut, **ERRORS}, summary="Mark all my notifications read")
def notification_read_all(request):
    _require_inbox(request.actor)
    return {"marked": services.notifications_mark_all_read(actor=request.actor)}


@router.post("/{int:notification_id}/read", response={200: NotificationOut, **ERRORS},
             summary="Mark one of my notifications read")
def notification_read(request, notification_id: Id):
    notification = selectors.notification_get(request.actor, notification_id)
    if notification is None:
        raise Http404
    read = services.notification_mark_read(actor=request.actor, notification=notification)
    return _out(read, selectors.actions_for(request.actor, [read]).get(read.pk, []))


@router.get("/preferences", response={200: PreferencesOut, **ERRORS},
            summary="My channels per kind and quiet hours")
def preferences_get(request):
    _require_inbox(request.actor)
    return _preferences(request.actor)


@router.put("/preferences", response={200: PreferencesOut, **ERRORS},
            summary="Set my channels per kind and quiet hours (the inbox is always on)")
def preferences_put(request, data: PreferencesIn):
    actor = request.actor
    _require_inbox(actor)
    current = selectors.preferences_get(actor).quiet_hours
    quiet = data.quiet_hours
    services.preferences_save(
        actor=actor, kind_channels=data.kinds,
        quiet_start=quiet.start if quiet else (current.start if current else None),
        quiet_end=quiet.end if quiet else (current.end if current else None),
        quiet_enabled=quiet.enabled if quiet else bool(current and current.enabled))
    return _preferences(actor)


# The delivery channels' endpoints (push subscriptions, chat identities, group bots).
router.add_router("", channels_router)
