"""Mentoring pages: each concern lists its own patterns in a module of this package."""

from talentloop.mentoring.urls import effectiveness, matching, programmes, qualification

app_name = "mentoring"

# In this order: an earlier pattern wins when two match.
urlpatterns: list = [
    *qualification.urlpatterns,
    *programmes.urlpatterns,
    *effectiveness.urlpatterns,
    *matching.urlpatterns,
]
