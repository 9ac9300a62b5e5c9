"""The pages of outbound webhooks (HR's and administrators') and of one's calendar feed.

A subscription's secret and a feed's address are shown once, in the answer to the request that made
them, and never again (that answer is not cached; neither is put in a message or the session).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.access import actor_for
from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, get_or_404
from talentloop.core.http import invalid_form as _invalid
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate
from talentloop.integrations import access, events, selectors, selectors_calendar
from talentloop.integrations.forms import SubscriptionForm
from talentloop.integrations.models import DeliveryStatus
from talentloop.integrations.services import calendar as calendar_services
from talentloop.integrations.services import webhooks as services

PAGE_SIZE = 25


def _secret_page(request, subscription, secret: str):
    response = TemplateResponse(request, "integrations/subscription_secret.html",
                                {"subscription": subscription, "secret": secret})
    add_never_cache_headers(response)
    return response


def _subscription(request, pk: int):
    _require(access.can_use_webhooks(request.actor))
    return get_or_404(access.visible_subscriptions(request.actor).select_related("owner"), pk=pk)


@login_required
@require_GET
def subscription_list(request):
    actor = request.actor
    _require(access.can_use_webhooks(actor))
    mine = request.GET.get("show") == "mine" or not actor.is_hr
    page = paginate(request, selectors.subscription_queryset(actor, mine=mine), per_page=PAGE_SIZE)
    return TemplateResponse(request, "integrations/subscription_list.html",
                            {"page_obj": page, "subscriptions": page.object_list, "mine": mine,
                             "is_hr": actor.is_hr})


@login_required
@require_http_methods(["GET", "POST"])
def subscription_create(request):
    actor = request.actor
    _require(access.can_create_subscription(actor))
    form = SubscriptionForm(request.POST or None, may_trust=access.can_set_trusted(actor))
    if request.method == "POST":
        if form.is_valid():
            try:
                subscription, secret = services.subscription_create(
                    actor=actor, name=form.cleaned_data["name"], url=form.cleaned_data["url"],
                    event_types=form.cleaned_data["event_types"], trusted=form.cleaned_data.get("trusted", False))
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                return _secret_page(request, subscription, secret)
        return _invalid(request, "integrations/subscription_form.html", {"form": form, "subscription": None})
    return TemplateResponse(request, "integrations/subscription_form.html", {"form": form, "subscription": None})


@login_required
@require_GET
def subscription_detail(request, pk: int):
    actor = request.actor
    subscription = _subscription(request, pk)
    status = request.GET.get("status", "")
    if status not in DeliveryStatus.values:
        status = ""
    page = paginate(request, selectors.delivery_queryset(actor, subscription, status=status), per_page=PAGE_SIZE)
    labels = {t.key: t.label for t in events.all_types()}
    return TemplateResponse(request, "integrations/subscription_detail.html", {
        "subscription": subscription, "page_obj": page, "deliveries": page.object_list, "status": status,
        "statuses": DeliveryStatus.choices, "may_manage": access.can_manage_subscription(actor, subscription),
        "event_labels": [labels.get(key, key) for key in subscription.event_types],
    })


@login_required
@require_http_methods(["GET", "POST"])
def subscription_edit(request, pk: int):
    actor = request.actor
    subscription = _subscription(request, pk)
    _require(access.can_manage_subscription(actor, subscription))
    initial = {"name": subscription.name, "url": subscription.url, "event_types": subscription.event_types,
               "trusted": subscription.trusted}
    form = SubscriptionForm(request.POST or None, initial=initial, may_trust=access.can_set_trusted(actor))
    context = {"form": form, "subscription": subscription}
    if request.method == "POST":
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in ("name", "url", "event_types")}
            if "trusted" in form.fields:
                data["trusted"] = form.cleaned_data["trusted"]
            try:
                services.subscription_update(actor=actor, subscription=subscription, data=data)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Subscription saved."))
                return redirect("integrations:subscription-detail", pk=subscription.pk)
        return _invalid(request, "integrations/subscription_form.html", context)
    return TemplateResponse(request, "integrations/subscription_form.html", context)


@login_required
@require_POST
def subscription_rotate(request, pk: int):
    subscription = _subscription(request, pk)
    _require(access.can_manage_subscription(request.actor, subscription))
    subscription, secret = services.subscription_rotate(actor=request.actor, subscription=subscription)
    return _secret_page(request, subscription, secret)


@login_required
@require_POST
def subscription_disable(request, pk: int):
    subscription = _subscription(request, pk)
    _require(access.can_manage_subscription(request.actor, subscription))
    services.subscription_disable(actor=request.actor, subscription=subscription)
    messages.success(request, _("Endpoint “%(name)s” disabled.") % {"name": subscription.name})
    return redirect("integrations:subscription-detail", pk=subscription.pk)


@login_required
@require_POST
def subscription_enable(request, pk: int):
    subscription = _subscription(request, pk)
    _require(access.can_manage_subscription(request.actor, subscription))
    try:
        services.subscription_enable(actor=request.actor, subscription=subscription)
    except DomainError as exc:
        messages.error(request, " ".join([exc.detail, *[m for ms in exc.errors.values() for m in ms]]))
    else:
        messages.success(request, _("Endpoint “%(name)s” enabled.") % {"name": subscription.name})
    return redirect("integrations:subscription-detail", pk=subscription.pk)


@login_required
@require_POST
def subscription_delete(request, pk: int):
    subscription = _subscription(request, pk)
    _require(access.can_manage_subscription(request.actor, subscription))
    services.subscription_delete(actor=request.actor, subscription=subscription)
    messages.success(request, _("Subscription “%(name)s” deleted.") % {"name": subscription.name})
    return redirect("integrations:subscription-list")


@login_required
@require_POST
def delivery_replay(request, pk: int):
    _require(access.can_use_webhooks(request.actor))
    delivery = get_or_404(access.visible_deliveries(request.actor).select_related("subscription"), pk=pk)
    try:
        services.delivery_replay(actor=request.actor, delivery=delivery)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The event will be sent again."))
    return redirect("integrations:subscription-detail", pk=delivery.subscription_id)


# ---------------------------------------------------------------- calendar feed


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed(request):
    """One's calendar feed: its state, and a new address on POST (shown once; the old one stops)."""
    actor = request.actor
    _require(access.can_have_calendar_feed(actor))
    context = {"feed": selectors_calendar.calendar_feed_of(actor), "feed_url": ""}
    if request.method == "POST":
        feed, token = calendar_services.calendar_feed_renew(actor=actor)
        context = {"feed": feed,
                   "feed_url": request.build_absolute_uri(reverse("integrations:calendar-feed", args=[token]))}
        response = TemplateResponse(request, "integrations/calendar.html", context)
        add_never_cache_headers(response)
        return response
    return TemplateResponse(request, "integrations/calendar.html", context)


@login_required
@require_POST
def calendar_feed_revoke(request):
    _require(access.can_have_calendar_feed(request.actor))
    if calendar_services.calendar_feed_revoke(actor=request.actor):
        messages.success(request, _("Your calendar feed is revoked: its address no longer answers."))
    return redirect("integrations:calendar")


@require_GET
def calendar_feed_ics(request, token: str):
    """The feed itself, read by calendar apps without a session: the token in the address is the
    credential. An unknown or revoked token, or a person whose account is closed, is a 404."""
    if len(token) > 100:
        raise Http404
    feed = selectors_calendar.calendar_feed_for_token(calendar_services.token_hash(token))
    if feed is None:
        raise Http404
    actor = actor_for(feed.employee.user)
    if not access.can_have_calendar_feed(actor) or actor.employee is None or actor.employee.pk != feed.employee_id:
        raise Http404
    body = selectors_calendar.calendar_ics(actor)
    calendar_services.calendar_feed_read(feed=feed)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="talentloop.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
