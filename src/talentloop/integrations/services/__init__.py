"""Every write of integrations: ``webhooks`` (subscriptions, publishing, delivery), ``calendar`` (feeds)."""
