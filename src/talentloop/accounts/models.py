from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A sign-in account. The person behind it, if any, is an ``organisation.Employee``."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    # What messages sent outside the app (e-mail, Web Push, chat apps) are written in; empty: the
    # organisation's language. Set when the person switches language, or at sign-in from the browser.
    language = models.CharField(_("language"), max_length=10, blank=True, choices=settings.LANGUAGES)
    # Raised to end every session of the account at once (deactivation): it is part of the hash
    # each session carries, so old sessions no longer match.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return self.display_name or self.get_username()

    def _get_session_auth_hash(self, secret=None):
        # Django's hash of the password, plus the epoch once raised (so existing sessions of
        # accounts never deactivated keep working across this change).
        value = self.password if not self.session_epoch else f"{self.password}:{self.session_epoch}"
        return salted_hmac("django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash", value,
                           secret=secret, algorithm="sha256").hexdigest()


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    HR = "hr", _("HR")
    MENTOR = "mentor", _("Mentor")
    PAYROLL = "payroll", _("Payroll")


class RoleAssignment(models.Model):
    """A granted role. HR may be limited to an org unit (and everything below it)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    org_unit = models.ForeignKey(
        "organisation.OrgUnit",
        verbose_name=_("org unit scope"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org_unit"], name="uniq_role_assignment"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("Read only")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.WRITE)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class PasswordResetCode(models.Model):
    """A one-time code HR or an admin hands to a person without e-mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
