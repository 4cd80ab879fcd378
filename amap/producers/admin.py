from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from amap.uploads import UploadAdminMixin

from .models import (
    CharterCommitment,
    Label,
    ManagerInvitation,
    Offer,
    Partnership,
    Producer,
    Product,
    ProfileSubmission,
)


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class PartnershipInline(admin.TabularInline):
    model = Partnership
    extra = 0
    autocomplete_fields = ["collective", "referent"]


@admin.register(Producer)
class ProducerAdmin(UploadAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "activity",
        "town",
        "geocode_status",
        "active",
        "published_at",
    ]
    list_filter = ["active", "labels", "geocode_status"]
    search_fields = ["name", "activity", "town", "email"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["managers", "labels"]
    readonly_fields = ["geocode_attempts", "created_at"]
    inlines = [PartnershipInline]

    def get_changeform_initial_data(self, request):
        """A farm added here by the site's administrators is vouched for: its
        public page is approved from the start (the field can be emptied)."""
        return {
            "published_at": timezone.now(),
            **super().get_changeform_initial_data(request),
        }

    formfield_overrides = {
        **UploadAdminMixin.formfield_overrides,
        models.URLField: {
            "form_class": forms.URLField,
            "assume_scheme": "https",
        },
    }


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = [
        "producer",
        "collective",
        "status",
        "referent",
        "since",
        "active",
        "trusted",
    ]
    list_filter = ["status", "active", "trusted", "collective"]
    search_fields = ["producer__name", "collective__name"]
    autocomplete_fields = ["producer", "collective", "referent"]
    list_select_related = ["producer", "collective", "referent"]


@admin.register(ManagerInvitation)
class ManagerInvitationAdmin(admin.ModelAdmin):
    """Staff may look; a manager is added by the invited person accepting
    (or by staff in the farm's own form)."""

    list_display = ["email", "producer", "created_at", "accepted_at", "cancelled_at"]
    search_fields = ["email", "producer__name"]
    readonly_fields = ["token"]
    autocomplete_fields = ["producer", "invited_by", "accepted_by"]
    list_select_related = ["producer"]


@admin.register(Product)
class ProductAdmin(UploadAdminMixin, admin.ModelAdmin):
    list_display = ["producer", "name", "category", "unit", "price", "active"]
    list_filter = ["active", "category", "unit", "producer"]
    search_fields = ["name", "producer__name"]
    autocomplete_fields = ["producer"]
    list_select_related = ["producer"]
    # The photo waiting for approval is private: a link to the view that
    # checks who asks, never a file input showing its path.
    exclude = ["pending_photo"]
    readonly_fields = ["waiting_photo"]

    @admin.display(description=_("photo waiting for approval"))
    def waiting_photo(self, product):
        if not product.pending_photo:
            return "—"
        url = reverse("producers:product_pending_photo", args=[product.pk])
        return format_html(
            '<a href="{}">{}</a>', url, pgettext_lazy("link to a file", "Open")
        )


@admin.register(Offer)
class OfferAdmin(SimpleHistoryAdmin):
    list_display = ["product", "cycle", "quantity_available", "booked", "price"]
    list_filter = ["cycle__collective", "product__producer"]
    search_fields = ["product__name", "product__producer__name"]
    autocomplete_fields = ["product"]
    readonly_fields = ["booked"]
    list_select_related = ["product__producer", "cycle__collective"]


@admin.register(ProfileSubmission)
class ProfileSubmissionAdmin(UploadAdminMixin, admin.ModelAdmin):
    """Read-only history; reviews happen in the organisers' queue, which
    publishes the page and tells the farm (`services.moderation`)."""

    list_display = ["producer", "status", "submitted_at", "reviewed_by", "reviewed_at"]
    list_filter = ["status"]
    search_fields = ["producer__name", "comment"]
    list_select_related = ["producer", "reviewed_by"]
    exclude = ["photo"]
    readonly_fields = ["proposed_photo"]

    @admin.display(description=_("new photo"))
    def proposed_photo(self, submission):
        if not submission.photo:
            return "—"
        url = reverse("producers:submission_photo", args=[submission.pk])
        return format_html(
            '<a href="{}">{}</a>', url, pgettext_lazy("link to a file", "Open")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CharterCommitment)
class CharterCommitmentAdmin(admin.ModelAdmin):
    list_display = ["producer", "heading", "updated_at"]
    search_fields = ["producer__name", "heading", "statement"]
    list_select_related = ["producer"]
