from django.conf import settings
from django.contrib.auth.backends import ModelBackend

DEMO_PASSWORD = "talentloop-demo"  # noqa: S105 — public by design, accepted only when TALENTLOOP_DEMO=1


class TalentloopBackend(ModelBackend):
    """Username/password sign-in; the well-known demo password is refused outside demo mode."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password == DEMO_PASSWORD and not settings.DEMO_MODE:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
