import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentloop.config.settings.prod")
application = get_wsgi_application()

# What lives as long as the process is loaded now and kept out of full garbage collections
# (talentloop.core.process explains the measured pauses this removes).
from talentloop.core.process import warm_and_freeze  # noqa: E402

warm_and_freeze()
