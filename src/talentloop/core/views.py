from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from talentloop.core import selectors


@never_cache
@require_GET
def healthz(request):
    state = selectors.health()
    ok = all(part["ok"] for part in state.values())
    return JsonResponse({"status": "ok" if ok else "error", **state, "database_vendor": connection.vendor},
                        status=200 if ok else 503)


@require_GET
def service_worker(request):
    response = render(request, "sw.js", content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    response = render(request, "manifest.webmanifest", content_type="application/manifest+json")
    response["Cache-Control"] = "max-age=3600"
    return response


@require_GET
def offline(request):
    return render(request, "offline.html")


def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")
