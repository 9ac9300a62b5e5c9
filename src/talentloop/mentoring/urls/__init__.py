"""Mentoring pages: each concern lists its own patterns in a module of this package."""

app_name = "mentoring"

urlpatterns: list = []
