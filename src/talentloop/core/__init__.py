"""What every app stands on and no app owns: the Actor type (``access``), domain errors, the audit log,
encrypted fields, the shared cache, paging, schedules in the organisation's time zone, small-group
suppression and the HTTP helpers. The lowest layer: it imports no other app, and offers slots (the
actor loader) that the apps above fill."""
