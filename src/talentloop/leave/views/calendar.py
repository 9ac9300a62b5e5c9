"""Leave pages: calendar."""

urlpatterns: list = []
