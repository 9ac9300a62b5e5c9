"""The content library (courses, articles, the mentor resource library), dated training sessions of
courses with their sign-ups, completions, dismissals and the behaviour events recommendations learn
from.

Behaviour events are facts (inserted, never edited). Completions and dismissals are the person's own
decisions, kept apart so a 90-day window over events never forgets that something was finished or
dismissed."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from talentloop.core.bilingual import Bilingual, bilingual, localized
from talentloop.organisation.models import Employee, JobFamily, OrgUnit

MAX_TAGS = 12
MAX_TAG_LENGTH = 40


def tag_index(tags) -> str:
    tags = [t for t in (tags or []) if isinstance(t, str)]
    return ("," + ",".join(tags) + ",")[:600] if tags else ""


class ContentKind(models.TextChoices):
    COURSE = "course", _("Course")
    ARTICLE = "article", _("Article")
    RESOURCE = "resource", _("Mentor resource")


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    ORG_UNITS = "org_units", _("Org units (with their sub-units)")
    JOB_FAMILIES = "job_families", _("Job families")
    MENTORS = "mentors", _("Mentors only")
    NEW_HIRES = "new_hires", _("New hires")


class ContentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ContentItem(Bilingual, models.Model):
    label_field = "title"

    kind = models.CharField(_("kind"), max_length=10, choices=ContentKind.choices, default=ContentKind.COURSE)
    title, title_en = bilingual(_("title"), _("English title"), max_length=200)
    summary, summary_en = bilingual(_("summary"), _("English summary"), max_length=2000, text=True, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    body = models.TextField(_("text"), max_length=20000, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # ",python,code-review,": the tags as text, so "has this tag" is one LIKE on every database
    # (SQLite has no JSON containment lookup).
    tag_index = models.CharField(max_length=600, blank=True, editable=False, default="")
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE)
    org_units = models.ManyToManyField(OrgUnit, verbose_name=_("org units"), blank=True, related_name="+")
    job_families = models.ManyToManyField(JobFamily, verbose_name=_("job families"), blank=True, related_name="+")
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(6000)])
    status = models.CharField(_("status"), max_length=10, choices=ContentStatus.choices, default=ContentStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("content item")
        indexes = [models.Index(fields=["status", "kind", "published_at"], name="learning_content_status")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(url="") | ~models.Q(body=""),
                                   name="learning_content_url_or_body"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def summary_label(self) -> str:
        return localized(self, "summary")

    def save(self, *args, **kwargs):
        self.tag_index = tag_index(self.tags)
        if kwargs.get("update_fields") is not None and "tags" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "tag_index"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if not (self.url or "").strip() and not (self.body or "").strip():
            raise ValidationError({"url": _("Give a link or a text (one of the two).")})
        if not isinstance(self.tags, list) or any(not isinstance(t, str) for t in self.tags):
            raise ValidationError({"tags": _("Tags are a list of short words.")})
        if len(self.tags) > MAX_TAGS:
            raise ValidationError({"tags": _("At most %(n)d tags.") % {"n": MAX_TAGS}})


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class TrainingSession(models.Model):
    """A dated run of a course that people sign up for; attending it completes the course."""

    content = models.ForeignKey(ContentItem, verbose_name=_("course"), on_delete=models.CASCADE,
                                related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True,
                                           validators=[MinValueValidator(1), MaxValueValidator(10000)])
    organiser = models.ForeignKey(Employee, verbose_name=_("organiser"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=SessionStatus.choices,
                              default=SessionStatus.SCHEDULED)
    reminded_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("training session")
        indexes = [models.Index(fields=["status", "starts_at"], name="learning_session_start")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="learning_session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.content} · {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = [_("The session must end after it starts.")]
        if not (self.location or "").strip() and not (self.online_url or "").strip():
            errors["location"] = [_("Give a location or an online link.")]
        if errors:
            raise ValidationError(errors)


class SignupStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not attend")


# Sign-ups that take a place in the session.
TAKING_PLACE = (SignupStatus.SIGNED_UP, SignupStatus.ATTENDED)


class TrainingSignup(models.Model):
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="signups")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="training_signups")
    status = models.CharField(_("status"), max_length=10, choices=SignupStatus.choices,
                              default=SignupStatus.SIGNED_UP)
    signed_up_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "employee"], name="learning_uniq_signup")]
        indexes = [models.Index(fields=["employee", "status"], name="learning_signup_employee")]


class CompletionVia(models.TextChoices):
    SELF = "self", _("Marked as completed")
    SESSION = "session", _("Attended a session")


class ContentCompletion(models.Model):
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="content_completions")
    content = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField()
    via = models.CharField(max_length=10, choices=CompletionVia.choices, default=CompletionVia.SELF)

    class Meta:
        ordering = ["-completed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["employee", "content"], name="learning_uniq_completion")]


class Dismissal(models.Model):
    """A recommendation the person does not want: never offered again."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    content = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["employee", "content"], name="learning_uniq_dismissal")]


class Verb(models.TextChoices):
    OPEN = "open", pgettext_lazy("learning activity", "Opened")
    COMPLETE = "complete", _("Completed")
    SUBMIT = "submit", _("Submitted")
    DISMISS = "dismiss", _("Dismissed")
    SIGNUP = "signup", _("Signed up")


class BehaviourEvent(models.Model):
    """A fact about what one person did: insert-only. ``tags`` are copied from the content at the
    time (or given by the app that recorded it, e.g. work results), so later tag edits do not
    rewrite history."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=10, choices=Verb.choices)
    content = models.ForeignKey(ContentItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tags = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=60, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["employee", "occurred_at"], name="learning_event_emp_time")]
