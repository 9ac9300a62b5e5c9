"""HR's pages of connectors: the list (beside performance's signed webhook sources), creating and
changing one, its secret (shown once), its page with health and mappings, and its tool accounts.

A connector's secret is shown once, in the answer to the request that made it (create or rotate),
never again: that answer is not cached, and the secret is put in no message, session or address.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, get_or_404
from talentloop.core.http import invalid_form as _invalid
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate
from talentloop.integrations import access
from talentloop.integrations import selectors_connectors as selectors
from talentloop.integrations.forms_connectors import PULL_FIELDS, AccountMatchForm, ConnectorForm, MappingsForm
from talentloop.integrations.models import ConnectorKind
from talentloop.integrations.services import connectors as services
from talentloop.integrations.services.connector_events import tool_account_match
from talentloop.organisation.access import visible_employees
from talentloop.performance import access as performance_access

PAGE_SIZE = 25
# The headers each vendor signs or token-checks its deliveries with (shown with the secret).
VENDOR_HEADERS = {
    ConnectorKind.GITLAB: gettext_lazy("In GitLab (Settings → Webhooks), paste the secret as the “Secret token”: "
                                       "it arrives in the X-Gitlab-Token header of each delivery."),
    ConnectorKind.GITHUB: gettext_lazy("In GitHub (Settings → Webhooks), paste the secret as the “Secret” with the "
                                       "content type application/json: each delivery is signed in the "
                                       "X-Hub-Signature-256 header."),
    ConnectorKind.JIRA: gettext_lazy("In Jira (System → WebHooks), paste the secret as the “Secret”: each "
                                     "delivery is signed in the X-Hub-Signature header."),
    ConnectorKind.PULL: gettext_lazy("A scheduled pull reads its file at the connector's address by itself; no "
                                     "webhook needs to be set up."),
}


def _connector(request, pk: int):
    _require(access.can_manage_connectors(request.actor))
    return get_or_404(access.visible_connectors(request.actor).select_related("act_as"), pk=pk)


def _inbound_url(request, connector) -> str:
    return request.build_absolute_uri(f"/api/v1/connectors/{connector.key}/events")


def _secret_page(request, connector, secret: str):
    response = TemplateResponse(request, "integrations/connector_secret.html", {
        "connector": connector, "secret": secret, "inbound_url": _inbound_url(request, connector),
        "vendor_header": VENDOR_HEADERS.get(connector.kind, "")})
    add_never_cache_headers(response)
    return response


def _place_errors(form, exc: DomainError) -> None:
    """Settings' errors come as ``config.<name>``: shown next to the matching field of the form."""
    renamed: dict[str, list[str]] = {}
    for name, problems in exc.errors.items():
        if name.startswith("config."):
            short = name.removeprefix("config.")
            if short.startswith("fields.") and f"field_{short.removeprefix('fields.')}" in form.fields:
                short = f"field_{short.removeprefix('fields.')}"
            short = {"email": "jira_email"}.get(short, short)
            name = short if short in form.fields else "__all__"
        renamed.setdefault(name, []).extend(problems)
    exc.errors = renamed
    form_errors_from(form, exc)


@login_required
@require_GET
def connector_list(request):
    """Connectors with their health, and beside them performance's signed webhook sources."""
    actor = request.actor
    _require(access.can_manage_connectors(actor))
    page = paginate(request, selectors.connector_queryset(actor), per_page=PAGE_SIZE)
    sources = (list(performance_access.visible_webhook_sources(actor))
               if performance_access.can_manage_webhook_sources(actor) else [])
    return TemplateResponse(request, "integrations/connector_list.html", {
        "page_obj": page, "connectors": selectors.with_health(page.object_list), "sources": sources})


def _form_context(request, form, connector=None) -> dict:
    return {"form": form, "connector": connector, "kinds": ConnectorKind.choices, "kind": form.kind_value,
            "settings_fields": form.settings_fields()}


@login_required
@require_http_methods(["GET", "POST"])
def connector_create(request):
    actor = request.actor
    _require(access.can_manage_connectors(actor))
    choices = services.act_as_choices(actor)
    initial = {"act_as": str(actor.user_id), "kind": request.GET.get("kind", ConnectorKind.GITLAB)}
    form = ConnectorForm(request.POST or None, initial=initial, act_as_choices=choices)
    template = "integrations/connector_form.html"
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            act_as = next((u for u in choices if str(u.pk) == data["act_as"]), None)
            try:
                connector, secret = services.connector_create(
                    actor=actor, key=data["key"], name=data["name"], kind=data["kind"], base_url=data["base_url"],
                    config=form.config(), act_as=act_as, api_token=data["api_token"])
            except DomainError as exc:
                _place_errors(form, exc)
            else:
                return _secret_page(request, connector, secret)
        return _invalid(request, template, _form_context(request, form))
    return TemplateResponse(request, template, _form_context(request, form))


@login_required
@require_http_methods(["GET", "POST"])
def connector_edit(request, pk: int):
    actor = request.actor
    connector = _connector(request, pk)
    choices = services.act_as_choices(actor)
    if connector.act_as_id not in {u.pk for u in choices}:
        choices = [connector.act_as, *choices]
    form = ConnectorForm(request.POST or None, initial=ConnectorForm.initial_from(connector), act_as_choices=choices,
                         connector=connector)
    template = "integrations/connector_form.html"
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            changes = {"name": data["name"], "base_url": data["base_url"], "config": form.config(),
                       "act_as": next((u for u in choices if str(u.pk) == data["act_as"]), None)}
            if data.get("clear_api_token"):
                changes["api_token"] = ""
            elif data["api_token"]:
                changes["api_token"] = data["api_token"]
            try:
                services.connector_update(actor=actor, connector=connector, data=changes)
            except DomainError as exc:
                _place_errors(form, exc)
            else:
                messages.success(request, _("Connector saved."))
                return redirect("integrations:connector-detail", pk=connector.pk)
        return _invalid(request, template, _form_context(request, form, connector))
    return TemplateResponse(request, template, _form_context(request, form, connector))


def _mappings_form(request, connector, data=None) -> MappingsForm:
    current = {m.event_kind: m.metric_key for m in selectors.mapping_list(connector)}
    free = connector.kind == ConnectorKind.PULL
    kinds = services.event_kind_choices(connector)
    if free:
        seen = selectors.seen_event_kinds(connector)
        fixed = ((connector.config or {}).get("fields") or {}).get("kind_value")
        if fixed:
            seen = [str(fixed), *seen]
        current = {**current, **{k: current.get(k, "") for k in seen}}
    return MappingsForm(data, kinds=kinds, metrics=services.mappable_metrics(request.actor), current=current,
                        free=free, prefix="map")


def _detail(request, connector, mappings_form, status: int = 200):
    return TemplateResponse(request, "integrations/connector_detail.html", {
        "connector": connector, "health": connector.health, "mappings_form": mappings_form,
        "rejected": selectors.rejected_deliveries(connector), "inbound_url": _inbound_url(request, connector),
        "unmatched": selectors.unmatched_accounts(request.actor, connector, limit=5, suggest=False),
        "pull_fields": PULL_FIELDS,
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def connector_detail(request, pk: int):
    """The connector's health, settings and mappings (POST saves the mappings)."""
    actor = request.actor
    _connector(request, pk)
    connector = selectors.connector_get(actor, pk)
    _require(connector is not None)
    if request.method == "POST":
        form = _mappings_form(request, connector, request.POST)
        if form.is_valid():
            try:
                services.connector_mappings_set(actor=actor, connector=connector, mappings=form.mappings())
            except DomainError as exc:
                for problem in (p for problems in exc.errors.values() for p in problems):
                    form.add_error(None, problem)
            else:
                messages.success(request, _("Mappings saved: waiting facts of the mapped kinds are being "
                                            "recorded."))
                return redirect("integrations:connector-detail", pk=connector.pk)
        return _detail(request, connector, form, status=422 if getattr(request, "htmx", False) else 200)
    return _detail(request, connector, _mappings_form(request, connector))


@login_required
@require_GET
def connector_setup(request, pk: int):
    """Where the tool sends its events and which header carries the secret; the secret itself was
    shown once, and rotating gives a new one."""
    connector = _connector(request, pk)
    return TemplateResponse(request, "integrations/connector_setup.html", {
        "connector": connector, "inbound_url": _inbound_url(request, connector),
        "vendor_header": VENDOR_HEADERS.get(connector.kind, "")})


@login_required
@require_POST
def connector_rotate(request, pk: int):
    connector, secret = services.connector_rotate(actor=request.actor, connector=_connector(request, pk))
    return _secret_page(request, connector, secret)


@login_required
@require_POST
def connector_toggle(request, pk: int):
    connector = _connector(request, pk)
    if connector.is_active:
        services.connector_deactivate(actor=request.actor, connector=connector)
        messages.success(request, _("Connector “%(name)s” deactivated: its deliveries are refused.")
                         % {"name": connector.name})
    else:
        services.connector_activate(actor=request.actor, connector=connector)
        messages.success(request, _("Connector “%(name)s” activated.") % {"name": connector.name})
    return redirect("integrations:connector-detail", pk=connector.pk)


@login_required
@require_POST
def connector_delete(request, pk: int):
    connector = _connector(request, pk)
    services.connector_delete(actor=request.actor, connector=connector)
    messages.success(request, _("Connector “%(name)s” deleted; the observations it recorded are kept.")
                     % {"name": connector.name})
    return redirect("integrations:connector-list")


@login_required
@require_http_methods(["GET", "POST"])
def connector_accounts(request, pk: int):
    """The connector's tool accounts, unmatched first with their waiting facts and suggested people;
    POST matches one (``account``, the picker's ``a<account>-employee``) or undoes a match (``unmatch``)."""
    actor = request.actor
    connector = _connector(request, pk)
    people = visible_employees(actor)
    failed: dict[int, AccountMatchForm] = {}
    if request.method == "POST":
        account = selectors.account_get(actor, connector, _int(request.POST.get("account")))
        _require(account is not None)
        if request.POST.get("unmatch"):
            tool_account_match(actor=actor, account=account, employee=None)
            messages.success(request, _("“%(account)s” is no longer matched.") % {"account": account})
            return redirect("integrations:connector-accounts", pk=connector.pk)
        form = AccountMatchForm(request.POST, people=people, prefix=f"a{account.pk}")
        if form.is_valid():
            try:
                tool_account_match(actor=actor, account=account, employee=form.cleaned_data["employee"])
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("“%(account)s” is matched to %(person)s; its waiting facts are "
                                            "being recorded.")
                                 % {"account": account, "person": form.cleaned_data["employee"].display_name})
                return redirect("integrations:connector-accounts", pk=connector.pk)
        failed[account.pk] = form
    page = paginate(request, selectors.account_queryset(actor, connector), per_page=PAGE_SIZE)
    accounts = list(page.object_list)
    for account in accounts:
        account.match_form = failed.get(account.pk) or AccountMatchForm(people=people, prefix=f"a{account.pk}")
        account.suggestions = (selectors.account_suggestions(actor, account)
                               if account.employee_id is None else [])
    context = {"connector": connector, "page_obj": page, "accounts": accounts}
    if failed:
        return _invalid(request, "integrations/connector_accounts.html", context)
    return TemplateResponse(request, "integrations/connector_accounts.html", context)


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
