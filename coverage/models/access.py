"""Who acts where: region grants, and client apps' API keys."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, APIKeyManager

from .regions import Region


class RegionGrant(models.Model):
    """A region (and everything below it) a user acts in: writes figures of, and sees the drafts of (given the
    permissions). A user with no grant acts nationally with coverage.edit_all_regions, and nowhere without it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="region_grants", verbose_name=_("user")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"), to_field="code"
    )

    class Meta:
        verbose_name = _("region grant")
        verbose_name_plural = _("region grants")
        constraints = [models.UniqueConstraint(fields=["user", "region"], name="region_grant_unique")]

    def __str__(self):
        return f"{self.user} → {self.region_id}"


class ClientKeyManager(APIKeyManager):
    def get_usable_keys(self):
        return super().get_usable_keys().select_related("user")


class ClientKey(AbstractAPIKey):
    """The API key of one client app (djangorestframework-api-key: only a hash is stored; the key is shown once,
    when it is made). The key acts for an account and can do at most what that account may: read only, or read
    and write, and only within its own regions if it names any."""

    class Scope(models.TextChoices):
        READ = "read", _("read")
        READ_WRITE = "read-write", _("read and write")

    objects = ClientKeyManager()

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("account"),
        help_text=_("The account the app acts as: its permissions and region grants bound what the key can do."),
    )
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    regions = models.ManyToManyField(
        Region,
        blank=True,
        related_name="+",
        verbose_name=_("regions"),
        help_text=_("Write only figures of these regions and below. Empty: every region the account may write."),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [models.CheckConstraint(condition=Q(scope__in=["read", "read-write"]), name="client_key_scope")]
