"""Performance pages: each concern lists its own patterns in a module of this package."""

app_name = "performance"

urlpatterns: list = []

from talentloop.performance.urls import config as _config_urls  # noqa: E402
from talentloop.performance.urls import dashboards as _dashboard_urls  # noqa: E402

urlpatterns += _dashboard_urls.urlpatterns
urlpatterns += _config_urls.urlpatterns

from talentloop.performance.urls import reviews as _review_urls  # noqa: E402

urlpatterns += _review_urls.urlpatterns

from talentloop.performance.urls.alerts import urlpatterns as _alerts  # noqa: E402

urlpatterns += _alerts

from talentloop.performance.urls.results import urlpatterns as _results  # noqa: E402

urlpatterns += _results

from talentloop.performance.urls.webhooks import urlpatterns as _webhooks  # noqa: E402

urlpatterns += _webhooks
