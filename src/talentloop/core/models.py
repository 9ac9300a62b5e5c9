from django.db import models

from talentloop.core.audit.models import AuditEntry  # noqa: F401  (registers the model with this app)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Generation(models.Model):
    """A named token that changes whenever data kept per process under that name is written (``config``:
    career ladders, scorecards, the mentor policy, the content catalogue; ``people``: the data about
    people that the home sections show); see :mod:`talentloop.core.generations`."""

    name = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=32)

    class Meta:
        db_table = "core_generation"
