"""The buttons of a connector page's reading section: test the connection, and backfill since a day (a
scheduled pull: read the file now). The backfill is run by the worker; both come back to the connector's
page, where the section lists the runs. With htmx, the section alone is answered."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, get_or_404
from talentloop.core.http import require as _require
from talentloop.core.widgets import DateInput
from talentloop.integrations import access
from talentloop.integrations.services import sync as services

SECTION = "integrations/_connector_sync.html"


class BackfillForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("Backfill since"), required=False, input_formats=["%Y-%m-%d"],
                            widget=DateInput)


def _connector(request, pk: int):
    _require(access.can_manage_connectors(request.actor))
    return get_or_404(access.visible_connectors(request.actor), pk=pk)


def _back(request, connector, form=None, status: int = 200):
    if getattr(request, "htmx", False):
        return TemplateResponse(request, SECTION, {"connector": connector, "sync_form": form}, status=status)
    return redirect(reverse("integrations:connector-detail", args=[connector.pk]) + "#sync")


@login_required
@require_POST
def connector_test(request, pk: int):
    connector = _connector(request, pk)
    run = services.connector_test(actor=request.actor, connector=connector)
    if run.status == run.Status.SUCCEEDED:
        messages.success(request, run.message)
    else:
        messages.error(request, _("The connection test failed: %(reason)s") % {"reason": run.message})
    return _back(request, connector)


@login_required
@require_POST
def connector_backfill(request, pk: int):
    connector = _connector(request, pk)
    form = BackfillForm(request.POST)
    if form.is_valid():
        try:
            run = services.sync_run_queue(actor=request.actor, connector=connector, since=form.cleaned_data["since"])
        except DomainError as exc:
            if exc.errors:
                form_errors_from(form, exc)
            else:
                form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Reading the tool since %(day)s: the result appears below when it is done.")
                             % {"day": run.since.isoformat()})
            return _back(request, connector)
    problems = [str(e) for errors in form.errors.values() for e in errors]
    if getattr(request, "htmx", False):
        return _back(request, connector, form, status=422)
    messages.error(request, " ".join(problems))
    return _back(request, connector)
