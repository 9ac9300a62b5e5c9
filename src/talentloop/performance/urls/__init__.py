"""Performance pages: each concern lists its own patterns in a module of this package."""

from talentloop.performance.urls import alerts, config, dashboards, results, reviews, webhooks

app_name = "performance"

# In this order: an earlier pattern wins when two match.
urlpatterns: list = [
    *dashboards.urlpatterns,
    *config.urlpatterns,
    *reviews.urlpatterns,
    *alerts.urlpatterns,
    *results.urlpatterns,
    *webhooks.urlpatterns,
]
