"""The inbox and the notification settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, invalid_form, render_partial, require, safe_next
from talentloop.notifications import access, selectors, services
from talentloop.notifications.forms import PreferencesForm

PER_PAGE = 20


@login_required
@require_GET
def inbox(request):
    actor = request.actor
    unread_only = request.GET.get("unread") == "1"
    paginator = Paginator(selectors.inbox_queryset(actor, unread_only=unread_only), PER_PAGE)
    page = _with_actions(actor, paginator.get_page(request.GET.get("page")))
    context = {"page": page, "unread_only": unread_only, "has_inbox": actor.employee is not None,
               "unread_total": selectors.unread_count(actor), "here": _inbox_here(request)}
    return render_partial(request, "notifications/inbox.html", context, partial="inbox-list")


def _with_actions(actor, page):
    """Each notification on the page carries the decisions it still offers (``n.offered``)."""
    page.object_list = list(page.object_list)
    offered = selectors.actions_for(actor, page.object_list)
    for n in page.object_list:
        n.offered = offered.get(n.pk, [])
    return page


def _inbox_here(request) -> str:
    """Where an action button comes back to: this page of the inbox, with its filter."""
    query = {k: request.GET[k] for k in ("unread", "page") if request.GET.get(k, "").isdigit()}
    return reverse("notifications:inbox") + (f"?{urlencode(query)}" if query else "")


def _safe_link(request, link: str) -> str:
    """Only a path in this product: anything else (another host, a scheme) opens the inbox."""
    return safe_next(request, link) or reverse("notifications:inbox")


@login_required
@require_POST
def open_notification(request, pk: int):
    """POST (a form button per notification, CSRF-protected): mark read, then go to its link."""
    actor = request.actor
    notification = selectors.notification_get(actor, pk)
    require(notification is not None)
    services.notification_mark_read(actor=actor, notification=notification)
    return HttpResponseRedirect(_safe_link(request, notification.link))


@login_required
@require_POST
def read_all(request):
    actor = request.actor
    require(access.can_have_preferences(actor))
    services.notifications_mark_all_read(actor=actor)
    if getattr(request, "htmx", False):
        response = inbox_after_read_all(request)
        response["HX-Trigger"] = "notifications-read"
        return response
    messages.success(request, _("All notifications are marked read."))
    return HttpResponseRedirect(reverse("notifications:inbox"))


def inbox_after_read_all(request):
    actor = request.actor
    page = _with_actions(actor, Paginator(selectors.inbox_queryset(actor), PER_PAGE).get_page(1))
    context = {"page": page, "unread_only": False, "has_inbox": True, "unread_total": 0,
               "here": reverse("notifications:inbox")}
    return TemplateResponse(request, "notifications/inbox.html#inbox-list", context)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    actor = request.actor
    require(access.can_have_preferences(actor))
    current = selectors.preferences_get(actor)
    channels = services.available_channels()
    quiet = current.quiet_hours
    initial = {"quiet_enabled": bool(quiet and quiet.enabled), "quiet_start": quiet.start if quiet else None,
               "quiet_end": quiet.end if quiet else None}
    form = PreferencesForm(request.POST or None, kinds=current.kinds, channels=channels, initial=initial)
    context = {"form": form, "channels": channels}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.preferences_save(actor=actor, kind_channels=form.kind_channels(),
                                          quiet_start=form.cleaned_data.get("quiet_start"),
                                          quiet_end=form.cleaned_data.get("quiet_end"),
                                          quiet_enabled=form.cleaned_data.get("quiet_enabled", False))
            except DomainError as exc:
                mapping = {"start": "quiet_start", "end": "quiet_end"}
                exc.errors = {mapping.get(k, k): v for k, v in exc.errors.items()}
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return HttpResponseRedirect(reverse("notifications:preferences"))
        return invalid_form(request, "notifications/preferences.html", context, partial="preferences-form")
    return TemplateResponse(request, "notifications/preferences.html", context)
