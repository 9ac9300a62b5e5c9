from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, require
from talentloop.home import nav, selectors
from talentloop.home.forms import QuickSessionForm
from talentloop.mentoring import access as mentoring_access
from talentloop.mentoring.selectors_home import one_to_one_get
from talentloop.mentoring.services.cadence import session_record


@login_required
@require_GET
def index(request):
    page = selectors.home_page(request.actor)
    if page.unread is not None:
        request.unread_notifications = page.unread  # the bell reuses the page's count (no second query)
    return TemplateResponse(request, "home/index.html", {"page": page})


@login_required
@require_GET
def section(request, key: str):
    """One section alone, for htmx to refresh it in place (opened directly: the section on a page)."""
    found = selectors.home_section(request.actor, key)
    require(found is not None)
    return TemplateResponse(request, found.partial_name if request.htmx else "home/section.html", {"s": found})


@login_required
@require_GET
def more(request):
    return TemplateResponse(request, "home/more.html", {"shows_api": nav.shows_api(request.actor)})


@login_required
@require_POST
def item_record(request, pk: int):
    """Record a due 1:1 from the home page (the form is already filled in: date today, an hour), then
    show the refreshed list of what is due. Plain posts return to the home page."""
    actor = request.actor
    item = one_to_one_get(actor, pk)
    require(item is not None and mentoring_access.can_complete_item(actor, item))
    form = QuickSessionForm(request.POST)
    if form.is_valid():
        try:
            session_record(actor=actor, item=item, **form.service_data())
        except DomainError as exc:
            form_errors_from(form, exc)
    if form.is_valid():
        if not request.htmx:
            messages.success(request, _("The 1:1 with %(name)s is recorded.") % {"name": item.plan.mentee.display_name})
            return redirect("home:index")
        due = selectors.home_section(actor, "mentor_due")
        return TemplateResponse(request, due.partial_name, {"s": due, "recorded": item.plan.mentee.display_name})
    due = selectors.home_section(actor, "mentor_due")
    status = 422 if request.htmx else 200
    context = {"s": due, "form": form, "form_item_id": item.pk}
    if not request.htmx:
        return TemplateResponse(request, "home/record.html", {**context, "item": item}, status=status)
    return TemplateResponse(request, due.partial_name, context, status=status)

