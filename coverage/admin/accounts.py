"""Who may do what: API keys (ClientKey) and users with the regions they are granted."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from ..api.clients import actor_of
from ..figures import access
from ..models import ClientKey, RegionGrant
from .base import CheckedAutocomplete

# API keys of client apps (djangorestframework-api-key), managed by superusers only: a key acts for an account,
# so whoever makes keys can act as any account.
admin.site.unregister(APIKey)


class ClientKeyForm(forms.ModelForm):
    class Meta:
        model = ClientKey
        fields = ["name", "user", "scope", "regions", "expiry_date", "revoked"]

    def clean(self):
        cleaned = super().clean()
        user, regions = cleaned.get("user"), cleaned.get("regions")
        if user is not None and regions:
            try:
                access.check_key_regions(user, regions)
            except access.OutOfScope as refusal:
                self.add_error("regions", str(refusal))
        return cleaned


@admin.register(ClientKey)
class ClientKeyAdmin(CheckedAutocomplete, APIKeyModelAdmin):
    form = ClientKeyForm
    list_display = [
        "prefix",
        "name",
        "user",
        "scope",
        "region_codes",
        "created",
        "expiry_date",
        "_has_expired",
        "last_used_at",
        "revoked",
    ]
    list_filter = ["scope", "revoked", "created"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    autocomplete_fields = ["user", "regions"]

    def get_readonly_fields(self, request, obj=None):
        fields = ["prefix", "last_used_at"]
        if obj is not None:
            # A key's account never changes; a revoked key changes no more.
            fields.append("user")
            if obj.revoked:
                fields += ["name", "scope", "regions", "expiry_date", "revoked"]
        return fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    @admin.display(description=_("regions"))
    def region_codes(self, obj):
        return ", ".join(region.code for region in obj.regions.all()) or _("those of the account")

    def has_module_permission(self, request):
        return access.may_manage_keys(actor_of(request))

    has_view_permission = has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: self.has_module_permission(request)
    )


class RegionGrantInline(CheckedAutocomplete, admin.TabularInline):
    model = RegionGrant
    extra = 1
    autocomplete_fields = ["region"]
    verbose_name_plural = _("region grants (none: every region with the national permission, else none)")


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(CheckedAutocomplete, DjangoUserAdmin):
    """Users with the regions they act in (coverage.figures.access): a kabupaten/kota operator gets their
    kabupaten/kota, the province team its province; a user with no grant acts nationally with the permission to
    write every region (or as a superuser), and nowhere without it."""

    inlines = [*DjangoUserAdmin.inlines, RegionGrantInline]
    list_display = [*DjangoUserAdmin.list_display, "region_codes"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("region_grants")

    @admin.display(description=_("regions"))
    def region_codes(self, obj):
        granted = ", ".join(grant.region_id for grant in obj.region_grants.all())
        return granted or (_("national") if access.Actor(obj).scope.national else _("none"))
