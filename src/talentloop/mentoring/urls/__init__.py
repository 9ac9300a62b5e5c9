"""Mentoring pages: each concern lists its own patterns in a module of this package."""

app_name = "mentoring"

urlpatterns: list = []

from talentloop.mentoring.urls import programmes as _programme_urls  # noqa: E402
from talentloop.mentoring.urls import qualification as _qualification_urls  # noqa: E402

urlpatterns += _qualification_urls.urlpatterns
urlpatterns += _programme_urls.urlpatterns

from talentloop.mentoring.urls import effectiveness as _effectiveness_urls  # noqa: E402
from talentloop.mentoring.urls import matching as _matching_urls  # noqa: E402

urlpatterns += _effectiveness_urls.urlpatterns
urlpatterns += _matching_urls.urlpatterns
