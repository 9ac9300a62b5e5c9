"""Leave pages: requests."""

urlpatterns: list = []
