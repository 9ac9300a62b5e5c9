"""Work sites: the places people clock at (a geofence and, optionally, office networks). HR covering
the whole organisation keeps them."""

from __future__ import annotations

import ipaddress
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from talentloop.attendance import access
from talentloop.attendance.models import WorkSite
from talentloop.core.access import Actor
from talentloop.core.errors import InvalidInput, PermissionDenied, errors_from_validation
from talentloop.organisation.models import OrgUnit

MIN_RADIUS_M = 10
MAX_RADIUS_M = 50_000
MAX_NETWORKS = 100


def networks_clean(text: str) -> tuple[str, list[str]]:
    """The office networks, one CIDR range per line, in canonical form ("10.8.1.7/16" → "10.8.0.0/16");
    and a message for each line that is not a range, naming the line."""
    lines, problems = [], []
    for n, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            network = ipaddress.ip_network(line, strict=False)
        except ValueError:
            problems.append(_("Line %(n)d: “%(value)s” is not a network range such as 10.8.0.0/16.")
                            % {"n": n, "value": line[:60]})
            continue
        if network.prefixlen == 0:
            problems.append(_("Line %(n)d: a range covering every address is not an office network.") % {"n": n})
            continue
        if str(network) not in lines:
            lines.append(str(network))
    if len(lines) > MAX_NETWORKS:
        problems.append(_("At most %(n)d network ranges.") % {"n": MAX_NETWORKS})
    return "\n".join(lines), problems


def _coordinate(value: object, low: int, high: int) -> tuple[Decimal | None, str | None]:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None, _("Enter a number.")
    if not number.is_finite() or not low <= number <= high:
        return None, _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}
    return number.quantize(Decimal("0.000001")), None


@transaction.atomic
def work_site_save(actor: Actor, *, site: WorkSite | None = None, org_unit: OrgUnit | None, name: str,
                   name_en: str = "", latitude: Decimal | float | str, longitude: Decimal | float | str,
                   radius_m: int, networks: str = "", is_active: bool = True) -> WorkSite:
    """Create a site or change one. Events already recorded keep the site they were placed at."""
    if not access.can_manage_attendance(actor):
        raise PermissionDenied(_("Only HR for the whole organisation keeps the work sites."))
    errors: dict[str, list[str]] = {}
    if org_unit is None:
        errors["org_unit"] = [_("This field is required.")]
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    lat, problem = _coordinate(latitude, -90, 90)
    if problem:
        errors["latitude"] = [problem]
    lon, problem = _coordinate(longitude, -180, 180)
    if problem:
        errors["longitude"] = [problem]
    if isinstance(radius_m, bool) or not isinstance(radius_m, int) or not MIN_RADIUS_M <= radius_m <= MAX_RADIUS_M:
        errors["radius_m"] = [_("Enter a radius from %(lo)d to %(hi)d metres.") % {"lo": MIN_RADIUS_M,
                                                                                  "hi": MAX_RADIUS_M}]
    clean_networks, problems = networks_clean(networks)
    if problems:
        errors["networks"] = problems
    if errors or org_unit is None or lat is None or lon is None:
        raise InvalidInput(_("Please correct the errors below."), errors)
    obj = site or WorkSite()
    obj.org_unit, obj.name, obj.name_en = org_unit, name, (name_en or "").strip()
    obj.latitude, obj.longitude, obj.radius_m = lat, lon, radius_m
    obj.networks, obj.is_active = clean_networks, is_active
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise InvalidInput(_("Please correct the errors below."), errors_from_validation(exc)) from exc
    obj.save()
    return obj
