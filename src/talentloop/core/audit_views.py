from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.template.response import TemplateResponse

from talentloop.core.audit import access, selectors
from talentloop.core.audit.forms import AuditFilterForm


@login_required
def audit_list(request):
    actor = request.actor
    if not access.can_view_audit(actor):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = filters.get("page") or 1
    entries, has_next = selectors.audit_list(actor, filters, page=page)
    return TemplateResponse(request, "core/audit_list.html",
                            {"form": form, "entries": entries, "page": page, "has_next": has_next})
