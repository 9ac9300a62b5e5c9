from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from talentloop.accounts import access, selectors, services
from talentloop.accounts.forms import (
    AccountCreateForm,
    LoginForm,
    ResetWithCodeForm,
    RoleGrantForm,
    TokenCreateForm,
)
from talentloop.core.access import client_ip
from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, get_or_404
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate


@require_http_methods(["GET", "POST"])
def login_view(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST or None)
    status = 200
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(username=form.cleaned_data["username"],
                                          password=form.cleaned_data["password"], ip=client_ip(request),
                                          request=request)
        except services.Throttled as exc:
            form.add_error(None, exc.detail)
            status, retry_after = 429, exc.retry_after
        except DomainError as exc:
            form.add_error(None, exc.detail)
            status = 401 if request.htmx else 200
        else:
            login(request, user, backend="talentloop.accounts.backends.TalentloopBackend")
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
                target = reverse(settings.LOGIN_REDIRECT_URL)
            return HttpResponseRedirect(target)
    response = TemplateResponse(request, "accounts/login.html", {
        "form": form, "next": request.GET.get("next", ""), "demo": settings.DEMO_MODE,
        "email_reset": bool(settings.EMAIL_HOST)}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def logout_view(request):
    logout(request)
    response = redirect(settings.LOGOUT_REDIRECT_URL)
    # Ask the browser to drop cached pages and storage so nothing personal stays on a shared phone.
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    actor = request.actor
    form = TokenCreateForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = services.api_token_create(actor=actor, user=actor.user, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            form = TokenCreateForm()
    context = {"form": form, "tokens": selectors.token_list(actor), "new_secret": new_secret}
    response = TemplateResponse(request, "accounts/token_list.html", context,
                                status=422 if form.errors and request.htmx else 200)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_or_404(access.visible_tokens(request.actor), pk=pk)
    services.api_token_revoke(actor=request.actor, token=token)
    messages.success(request, _("The token was revoked."))
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return redirect("accounts:token-list")


ACCOUNTS_PER_PAGE = 50


@login_required
@require_http_methods(["GET", "POST"])
def account_list(request):
    actor = request.actor
    _require(access.can_manage_accounts(actor))
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.account_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Account %(name)s created.") % {"name": user.username})
            return redirect("accounts:account-detail", pk=user.pk)
    q = request.GET.get("q", "")[:100]
    page_obj = paginate(request, selectors.account_queryset(actor, search=q), per_page=ACCOUNTS_PER_PAGE)
    context = {"form": form, "accounts": page_obj.object_list, "page_obj": page_obj, "q": q}
    return TemplateResponse(request, "accounts/account_list.html", context,
                            status=422 if form.errors and request.htmx else 200)


@login_required
@require_http_methods(["GET", "POST"])
def account_detail(request, pk: int):
    actor = request.actor
    _require(access.can_manage_accounts(actor) or actor.is_hr)
    account = get_or_404(access.visible_accounts(actor), pk=pk)
    form = RoleGrantForm(request.POST or None, org_units=access.role_scope_units(actor))
    if request.method == "POST":
        _require(access.can_manage_accounts(actor))
        if form.is_valid():
            try:
                services.role_grant(actor=actor, user=account, role=form.cleaned_data["role"],
                                    org_unit=form.cleaned_data["org_unit"])
            except DomainError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, _("Role granted."))
                return redirect("accounts:account-detail", pk=account.pk)
    context = {
        "account": account, "form": form, "roles": selectors.role_list(account),
        "locked": account.username.lower() in services.locked_usernames(),
        "can_manage": access.can_manage_accounts(actor),
        "can_issue_code": access.can_issue_reset_code(actor, account),
        "code": request.session.pop("issued_reset_code", None),
        "tokens": selectors.tokens_of(actor, account) if access.can_manage_accounts(actor) else [],
    }
    return TemplateResponse(request, "accounts/account_detail.html", context)


@login_required
@require_POST
def role_revoke(request, pk: int, role_pk: int):
    actor = request.actor
    _require(access.can_manage_accounts(actor))
    account = get_or_404(access.visible_accounts(actor), pk=pk)
    assignment = get_or_404(selectors.role_queryset(account), pk=role_pk)
    try:
        services.role_revoke(actor=actor, assignment=assignment)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Role removed."))
    return redirect("accounts:account-detail", pk=account.pk)


@login_required
@require_POST
def account_unlock(request, pk: int):
    actor = request.actor
    _require(access.can_manage_accounts(actor))
    account = get_or_404(access.visible_accounts(actor), pk=pk)
    services.login_unlock(actor=actor, user=account)
    messages.success(request, _("Sign-in unlocked."))
    return redirect("accounts:account-detail", pk=account.pk)


@login_required
@require_POST
def account_activate(request, pk: int):
    actor = request.actor
    _require(access.can_manage_accounts(actor))
    account = get_or_404(access.visible_accounts(actor), pk=pk)
    try:
        services.account_set_active(actor=actor, user=account, active=request.POST.get("active") == "1")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("accounts:account-detail", pk=account.pk)


@login_required
@require_POST
def reset_code_issue(request, pk: int):
    actor = request.actor
    account = get_or_404(access.visible_accounts(actor), pk=pk)
    _require(access.can_issue_reset_code(actor, account))
    code = services.password_reset_code_issue(actor=actor, user=account)
    # Shown once on the next page; kept in the session, never in a URL.
    request.session["issued_reset_code"] = code
    return redirect("accounts:account-detail", pk=account.pk)


@require_http_methods(["GET", "POST"])
def reset_with_code(request):
    form = ResetWithCodeForm(request.POST or None)
    status = 200
    retry_after = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_reset_with_code(
                username=form.cleaned_data["username"], code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password"], request=request)
        except services.Throttled as exc:
            form.add_error(None, exc.detail)
            status, retry_after = 429, exc.retry_after
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Your password was changed. Please sign in."))
            _tell_tokens_revoked(request, user.tokens_revoked)
            return redirect("accounts:login")
    response = TemplateResponse(request, "accounts/reset_with_code.html", {"form": form}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """E-mail reset: offered only when outgoing mail is configured."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def dispatch(self, request, *args, **kwargs):
        if not settings.EMAIL_HOST and not getattr(settings, "TALENTLOOP_EMAIL_RESET_ALWAYS", False):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def _tell_tokens_revoked(request, revoked: int) -> None:
    if revoked:
        messages.info(request, _("Your API tokens were revoked; create new ones if you need them."))


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        response = super().form_valid(form)
        _tell_tokens_revoked(self.request, services.password_changed(user=form.user, ip=client_ip(self.request)))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home:index")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        _tell_tokens_revoked(self.request, services.password_changed(user=form.user, ip=client_ip(self.request)))
        return response


@require_POST
def language_set(request):
    """Django's language switch (cookie, redirect back), and for a signed-in person also the language
    their e-mail, push and chat messages are written in."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in {code for code, _name in settings.LANGUAGES}:
        services.user_language_set(user=request.user, language=language)
    return response
