from django.conf import settings


def shell(request):
    actor = getattr(request, "actor", None)
    return {"actor": actor, "DEMO_MODE": settings.DEMO_MODE}
