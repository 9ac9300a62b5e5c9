"""Pages of the delivery channels: the administrator's "Channels" page (status, chat app credentials, the
VAPID public key), HR's group bots, and the chat identities of people (a form and a pasted-list import)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from
from talentloop.core.http import invalid_form as _invalid
from talentloop.core.http import require as _require
from talentloop.notifications import channel_access as access
from talentloop.notifications import channel_selectors as selectors
from talentloop.notifications import channel_services as services
from talentloop.notifications.forms.channels import CredentialsForm, GroupBotForm, ImIdentityForm, ImIdentityImportForm
from talentloop.notifications.groupbots import group_safe_kinds, post_test
from talentloop.notifications.models import Vendor

# ---------------------------------------------------------------- channels (administrators)


@login_required
@require_GET
def channel_list(request):
    actor = request.actor
    _require(access.can_manage_channel_credentials(actor))
    return TemplateResponse(request, "notifications/channel_list.html", {
        "push": selectors.push_status(actor), "apps": selectors.chat_app_status(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def channel_credentials(request, vendor: str):
    actor = request.actor
    _require(access.can_manage_channel_credentials(actor) and vendor in Vendor.values)
    current = selectors.chat_credentials_get(actor, vendor)
    initial = {"enabled": True}
    if current is not None:
        initial = {"client_id": current.client_id, "agent_id": current.agent_id, "api_base": current.api_base,
                   "receive_id_type": current.receive_id_type, "enabled": current.enabled}
    form = CredentialsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.im_credentials_set(actor=actor, vendor=vendor, client_id=d["client_id"], agent_id=d["agent_id"],
                                        secret=d["secret"] or None, enabled=d["enabled"], api_base=d["api_base"],
                                        receive_id_type=d["receive_id_type"] or "user_id")
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("%(vendor)s credentials saved.") % {"vendor": Vendor(vendor).label})
            return redirect("notifications:channel-list")
    context = {"form": form, "vendor": vendor, "vendor_label": Vendor(vendor).label,
               "has_secret": bool(current and current.secret)}
    if request.method == "POST":
        return _invalid(request, "notifications/channel_credentials.html", context)
    return TemplateResponse(request, "notifications/channel_credentials.html", context)


# ---------------------------------------------------------------- group bots (HR)


def _kind_choices():
    return [(k.key, k.label) for k in group_safe_kinds()]


@login_required
@require_GET
def group_bot_list(request):
    actor = request.actor
    _require(access.can_manage_group_bots(actor))
    labels = dict(_kind_choices())
    bots = selectors.group_bot_list(actor)
    return TemplateResponse(request, "notifications/channel_group_bot_list.html", {
        "bots": [(b, [labels.get(k, k) for k in b.kinds]) for b in bots]})


@login_required
@require_http_methods(["GET", "POST"])
def group_bot_create(request):
    _require(access.can_manage_group_bots(request.actor))
    return _group_bot_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def group_bot_edit(request, pk: int):
    bot = selectors.group_bot_get(request.actor, pk)
    _require(bot is not None)
    return _group_bot_form(request, bot)


def _group_bot_form(request, bot):
    """Add a group bot (``bot`` None) or change one; secrets are only ever written, never shown."""
    actor = request.actor
    initial = {"enabled": True} if bot is None else {"name": bot.name, "kinds": bot.kinds, "enabled": bot.enabled}
    form = GroupBotForm(request.POST or None, units=selectors.group_bot_units(actor), kind_choices=_kind_choices(),
                        editing=bot is not None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if bot is None:
                services.group_bot_create(actor=actor, org_unit=d["org_unit"], vendor=d["vendor"], name=d["name"],
                                          webhook_url=d["webhook_url"], signing_secret=d["signing_secret"],
                                          kinds=d["kinds"], enabled=d["enabled"])
            else:
                services.group_bot_update(actor=actor, bot=bot, name=d["name"], kinds=d["kinds"],
                                          enabled=d["enabled"], webhook_url=d["webhook_url"] or None,
                                          signing_secret=d["signing_secret"] or None,
                                          clear_signing_secret=d["clear_signing_secret"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Group bot added.") if bot is None else _("Group bot saved."))
            return redirect("notifications:group-bot-list")
    context = {"form": form, "bot": bot}
    if request.method == "POST":
        return _invalid(request, "notifications/channel_group_bot_form.html", context)
    return TemplateResponse(request, "notifications/channel_group_bot_form.html", context)


@login_required
@require_POST
def group_bot_test(request, pk: int):
    actor = request.actor
    bot = selectors.group_bot_get(actor, pk)
    _require(bot is not None and access.can_manage_group_bot_of(actor, bot.org_unit))
    ok, error = post_test(bot)
    if ok:
        messages.success(request, _("The test message was posted to the group."))
    else:
        messages.error(request, _("The group's robot did not accept the test message (%(error)s).") % {"error": error})
    return redirect("notifications:group-bot-edit", pk=bot.pk)


@login_required
@require_POST
def group_bot_delete(request, pk: int):
    actor = request.actor
    bot = selectors.group_bot_get(actor, pk)
    return _remove(request, bot, lambda: services.group_bot_delete(actor=actor, bot=bot), _("Group bot removed."),
                   "notifications:group-bot-list")


def _remove(request, found, remove, done: str, back: str):
    """Delete what was found (a 404 when nothing was), say how it went, and go back to the list."""
    _require(found is not None)
    try:
        remove()
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, done)
    return redirect(back)


# ---------------------------------------------------------------- chat identities (HR, administrators)


def _identity_context(actor, request, form=None, import_form=None, imported=None) -> dict:
    vendor = request.GET.get("vendor", "")
    vendor = vendor if vendor in Vendor.values else ""
    search = (request.GET.get("q") or "")[:60]
    return {"identities": selectors.im_identity_list(actor, vendor=vendor, search=search),
            "form": form or ImIdentityForm(actor=actor), "import_form": import_form or ImIdentityImportForm(),
            "vendor": vendor, "q": search, "vendors": Vendor.choices, "imported": imported}


@login_required
@require_http_methods(["GET", "POST"])
def im_identity_list(request):
    actor = request.actor
    _require(access.can_manage_im_identities(actor))
    form = ImIdentityForm(request.POST or None, actor=actor)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            employee = d["employee_number"]  # the field accepts only people in the actor's scope
            if employee is None:
                form.add_error("employee_number", _("No such person in your scope."))
            else:
                try:
                    services.im_identity_set(actor=actor, employee=employee, vendor=d["vendor"],
                                             external_id=d["external_id"])
                except DomainError as exc:
                    form_errors_from(form, exc)
                else:
                    messages.success(request, _("Chat identity saved."))
                    return redirect("notifications:im-identity-list")
        return _invalid(request, "notifications/channel_identities.html", _identity_context(actor, request, form))
    return TemplateResponse(request, "notifications/channel_identities.html", _identity_context(actor, request))


@login_required
@require_POST
def im_identity_import(request):
    actor = request.actor
    _require(access.can_manage_im_identities(actor))
    form = ImIdentityImportForm(request.POST)
    result = None
    if form.is_valid():
        try:
            result = services.im_identities_import(actor=actor, text=form.cleaned_data["text"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("%(n)s chat identities saved.") % {"n": result.saved})
            if not result.rejected:
                return redirect("notifications:im-identity-list")
    return _invalid(request, "notifications/channel_identities.html",
                    _identity_context(actor, request, import_form=form, imported=result))


@login_required
@require_POST
def im_identity_delete(request, pk: int):
    actor = request.actor
    identity = selectors.im_identity_get(actor, pk)
    return _remove(request, identity, lambda: services.im_identity_delete(actor=actor, identity=identity),
                   _("Chat identity removed."), "notifications:im-identity-list")
