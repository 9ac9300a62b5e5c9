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
