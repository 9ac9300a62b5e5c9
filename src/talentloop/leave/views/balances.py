"""Leave pages: balances."""

urlpatterns: list = []
