"""The unread count for the bell in the top bar."""

from __future__ import annotations

from talentloop.notifications.selectors import unread_count


def unread(request) -> dict:
    """One COUNT query for a signed-in person with an employee record; none for anyone else
    (``None`` hides the bell)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    actor = getattr(request, "actor", None)
    if actor is None or actor.employee is None:
        return {"unread_notifications": None}
    known = getattr(request, "unread_notifications", None)  # a page that already counted them
    if known is not None:
        return {"unread_notifications": known}
    return {"unread_notifications": unread_count(actor)}
