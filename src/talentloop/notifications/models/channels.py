"""Records the delivery channels keep: push subscriptions, VAPID keys, IM identities, app credentials, group bots.

Every secret (the VAPID private key, app secrets, group-bot webhook addresses and signing secrets) is stored
with ``EncryptedTextField``: a webhook address *is* the credential of a group bot, whoever knows it may post.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from talentloop.core.crypto.fields import EncryptedRowMixin, EncryptedTextField

__all__ = ["Vendor", "DEFAULT_API_BASE", "VapidKeys", "PushSubscription", "ImCredentials", "ImIdentity",
           "GroupBot"]


class Vendor(models.TextChoices):
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")


# The hosts each vendor documents for its server API; an install (or a test) may point elsewhere.
DEFAULT_API_BASE = {
    Vendor.WECOM: "https://qyapi.weixin.qq.com",
    Vendor.DINGTALK: "https://oapi.dingtalk.com",
    Vendor.FEISHU: "https://open.feishu.cn",
}


class VapidKeys(EncryptedRowMixin, models.Model):
    """The organisation's one VAPID key pair (``slot`` is always 1), made by ``talentloop vapid-keys``."""

    slot = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    # URL-safe base64 of the uncompressed P-256 point: the browser's ``applicationServerKey``.
    public_key = models.CharField(max_length=100)
    private_key = EncryptedTextField()  # PEM
    subject = models.CharField(max_length=200, help_text=_("A mailto: or https: contact for push services."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("VAPID keys")
        verbose_name_plural = _("VAPID keys")
        constraints = [models.CheckConstraint(condition=Q(slot=1), name="notifications_vapid_single_slot")]

    def __str__(self) -> str:
        return f"VAPID {self.public_key[:12]}…"


class PushSubscription(models.Model):
    """One browser (installed app) of one person. A push service answering 404/410 deletes it."""

    employee = models.ForeignKey("organisation.Employee", on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"push #{self.pk} of employee {self.employee_id}"


class ImCredentials(EncryptedRowMixin, models.Model):
    """The organisation's own app on an enterprise chat platform, used to message people one by one."""

    class ReceiveIdType(models.TextChoices):
        USER_ID = "user_id", _("User ID")
        OPEN_ID = "open_id", _("Open ID")

    vendor = models.CharField(max_length=20, choices=Vendor.choices, unique=True)
    enabled = models.BooleanField(default=True)
    # WeCom corp ID, DingTalk AppKey, Feishu App ID.
    client_id = models.CharField(_("corp ID / AppKey / App ID"), max_length=128)
    # WeCom agentid and DingTalk agent_id (integers); Feishu has none.
    agent_id = models.CharField(_("agent ID"), max_length=32, blank=True)
    secret = EncryptedTextField(_("secret"))
    api_base = models.URLField(_("API address"), max_length=200, blank=True,
                               help_text=_("Leave empty for the vendor's documented address."))
    receive_id_type = models.CharField(max_length=10, choices=ReceiveIdType.choices, default=ReceiveIdType.USER_ID,
                                       help_text=_("Feishu only: which kind of ID the identities hold."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chat app credentials")
        verbose_name_plural = _("chat app credentials")

    def __str__(self) -> str:
        return str(Vendor(self.vendor).label)

    @property
    def base_url(self) -> str:
        return (self.api_base or DEFAULT_API_BASE[Vendor(self.vendor)]).rstrip("/")


class ImIdentity(models.Model):
    """Who a person is on a chat platform (their WeCom/DingTalk userid, Feishu user_id or open_id)."""

    employee = models.ForeignKey("organisation.Employee", on_delete=models.CASCADE, related_name="im_identities")
    vendor = models.CharField(max_length=20, choices=Vendor.choices)
    external_id = models.CharField(_("ID on the platform"), max_length=128)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chat identity")
        verbose_name_plural = _("chat identities")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "employee"], name="notif_im_identity_one_per_vendor"),
            models.UniqueConstraint(fields=["vendor", "external_id"], name="notif_im_identity_unique_external"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor}:{self.external_id}"


class GroupBot(EncryptedRowMixin, models.Model):
    """A group chat's custom robot, for team-level news only (kinds that are ``group_safe``)."""

    org_unit = models.ForeignKey("organisation.OrgUnit", on_delete=models.CASCADE, related_name="group_bots")
    vendor = models.CharField(max_length=20, choices=Vendor.choices)
    name = models.CharField(_("name"), max_length=100)
    webhook_url = EncryptedTextField(_("webhook address"))
    signing_secret = EncryptedTextField(_("signing secret"), blank=True)
    kinds = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("group bot")
        verbose_name_plural = _("group bots")
        ordering = ["org_unit__path", "name"]

    def __str__(self) -> str:
        return self.name
