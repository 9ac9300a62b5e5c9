"""What mentoring announces to the apps above it (they connect from their ``AppConfig.ready()``)."""

from django.dispatch import Signal

#: HR approved a mentoring plan (sent after the transaction commits) with ``plan_id``. Integrations
#: turns it into an outbound event.
plan_approved = Signal()
