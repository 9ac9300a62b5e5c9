"""Attendance pages: the work sites (HR for the whole organisation edits; HR and admins read)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from talentloop.attendance import access
from talentloop.attendance.models import WorkSite
from talentloop.attendance.selectors import clock as selectors
from talentloop.attendance.services.sites import MAX_RADIUS_M, MIN_RADIUS_M, networks_clean, work_site_save
from talentloop.core.errors import DomainError
from talentloop.core.http import form_errors_from, invalid_form
from talentloop.core.http import require as _require
from talentloop.core.paging import paginate


class SiteForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    name_en = forms.CharField(label=gettext_lazy("English name"), max_length=120, required=False)
    org_unit = forms.ModelChoiceField(label=gettext_lazy("Org unit"), queryset=selectors.site_units(),
                                      help_text=gettext_lazy("People of this unit and of the units below it clock "
                                                             "here."))
    latitude = forms.DecimalField(label=gettext_lazy("Latitude of the centre"), min_value=-90, max_value=90,
                                  decimal_places=6, max_digits=9,
                                  widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
                                  help_text=gettext_lazy("Decimal degrees, e.g. 31.230416 (north is positive)."))
    longitude = forms.DecimalField(label=gettext_lazy("Longitude of the centre"), min_value=-180, max_value=180,
                                   decimal_places=6, max_digits=9,
                                   widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
                                   help_text=gettext_lazy("Decimal degrees, e.g. 121.473701 (east is positive)."))
    radius_m = forms.IntegerField(label=gettext_lazy("Radius (metres)"), min_value=MIN_RADIUS_M,
                                  max_value=MAX_RADIUS_M, initial=200)
    networks = forms.CharField(
        label=gettext_lazy("Office networks"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One range per line in CIDR notation, e.g. 10.8.0.0/16 or 2001:db8::/48. A punch "
                               "from one of these networks counts at this site."))
    is_active = forms.BooleanField(label=pgettext_lazy("switched on", "Active"), required=False, initial=True)

    def clean_networks(self) -> str:
        text, problems = networks_clean(self.cleaned_data.get("networks") or "")
        if problems:
            raise forms.ValidationError(problems)
        return text

    @classmethod
    def initial_from(cls, site: WorkSite | None) -> dict:
        if site is None:
            return {"is_active": True, "radius_m": 200}
        return {"name": site.name, "name_en": site.name_en, "org_unit": site.org_unit_id, "latitude": site.latitude,
                "longitude": site.longitude, "radius_m": site.radius_m, "networks": site.networks,
                "is_active": site.is_active}


@login_required
@require_GET
def site_list(request):
    actor = request.actor
    _require(access.can_view_attendance_settings(actor))
    page_obj = paginate(request, selectors.site_list(actor))
    return TemplateResponse(request, "attendance/sites_list.html",
                            {"page_obj": page_obj, "can_manage": access.can_manage_attendance(actor)})


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request, pk: int | None = None):
    actor = request.actor
    _require(access.can_manage_attendance(actor))
    site = selectors.site_get(actor, pk) if pk else None
    _require(pk is None or site is not None)
    form = SiteForm(request.POST or None, initial=SiteForm.initial_from(site))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = work_site_save(actor, site=site, org_unit=d["org_unit"], name=d["name"], name_en=d["name_en"],
                                   latitude=d["latitude"], longitude=d["longitude"], radius_m=d["radius_m"],
                                   networks=d["networks"], is_active=d["is_active"])
        except DomainError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Work site “%(name)s” saved.") % {"name": saved.label})
            return redirect("attendance:site-list")
    context = {"form": form, "site": site}
    if request.method == "POST":
        return invalid_form(request, "attendance/sites_form.html", context)
    return TemplateResponse(request, "attendance/sites_form.html", context)


urlpatterns = [
    path("sites/", site_list, name="site-list"),
    path("sites/new/", site_edit, name="site-create"),
    path("sites/<int:pk>/", site_edit, name="site-edit"),
]
