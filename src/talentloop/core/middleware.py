from django.utils.functional import SimpleLazyObject

from talentloop.core.access import actor_for, client_ip


class ActorMiddleware:
    """Attach ``request.actor``, computed lazily once per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: actor_for(getattr(request, "user", None), client_ip(request)))
        return self.get_response(request)


CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "manifest-src 'self'; worker-src 'self'"
)


class ContentSecurityPolicyMiddleware:
    """A strict CSP for product pages; the API docs page loads its own assets and is left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/v1/docs"):
            response.headers.setdefault("Content-Security-Policy", CSP)
        return response


class RejectNullCharactersMiddleware:
    """An API query parameter holding a NUL character is refused with a clear 422: PostgreSQL cannot
    compare text with NUL (it would be a 500), and no real search needs one. Request bodies are
    checked by the API's input schemas, web forms by Django's own CharField validator."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            bad = sorted({key for key, values in request.GET.lists()
                          if "\x00" in key or any("\x00" in v for v in values)})
            if bad:
                from django.core.validators import ProhibitNullCharactersValidator
                from django.http import JsonResponse
                from django.utils.translation import gettext as _

                message = str(ProhibitNullCharactersValidator.message)
                return JsonResponse({"detail": _("The request is not valid."),
                                     "errors": {key.replace("\x00", ""): [message] for key in bad}}, status=422)
        return self.get_response(request)
