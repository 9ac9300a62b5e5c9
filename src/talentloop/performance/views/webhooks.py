"""HR's page for the webhook sources that send signed observations.

The signing secret is shown once, in the answer to the create or rotate request, and never again
(the page answering it is not cached and the secret is not put in a message or the session).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, get_or_404
from talentloop.core.http import invalid_form as _invalid
from talentloop.core.http import require as _require
from talentloop.performance import access
from talentloop.performance.forms_webhooks import WebhookSourceForm
from talentloop.performance.services import webhooks as services

TEMPLATE = "performance/webhooks/source_list.html"


def _context(request, form, **extra) -> dict:
    actor = request.actor
    return {"sources": list(access.visible_webhook_sources(actor)), "form": form,
            "show_config_tabs": access.can_manage_config(actor), **extra}


def _secret_page(request, form, source, secret):
    response = TemplateResponse(request, TEMPLATE, _context(request, form, new_secret=secret, secret_source=source))
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def webhook_source_list(request):
    actor = request.actor
    _require(access.can_manage_webhook_sources(actor))
    form = WebhookSourceForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                source, secret = services.webhook_source_create(actor=actor, key=form.cleaned_data["key"],
                                                                name=form.cleaned_data["name"], act_as=actor.user)
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                return _secret_page(request, WebhookSourceForm(), source, secret)
        return _invalid(request, TEMPLATE, _context(request, form))
    return TemplateResponse(request, TEMPLATE, _context(request, form))


@login_required
@require_POST
def webhook_source_rotate(request, pk: int):
    actor = request.actor
    _require(access.can_manage_webhook_sources(actor))
    source = get_or_404(access.visible_webhook_sources(actor), pk=pk)
    try:
        source, secret = services.webhook_source_rotate(actor=actor, source=source)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("performance:webhook-source-list")
    return _secret_page(request, WebhookSourceForm(), source, secret)


@login_required
@require_POST
def webhook_source_deactivate(request, pk: int):
    actor = request.actor
    _require(access.can_manage_webhook_sources(actor))
    source = get_or_404(access.visible_webhook_sources(actor), pk=pk)
    services.webhook_source_deactivate(actor=actor, source=source)
    messages.success(request, _("Webhook source “%(name)s” deactivated.") % {"name": source.name})
    return redirect("performance:webhook-source-list")


