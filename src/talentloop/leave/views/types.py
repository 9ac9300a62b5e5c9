"""Leave pages: types."""

urlpatterns: list = []
