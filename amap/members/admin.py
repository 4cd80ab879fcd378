from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    CharterAcceptance,
    CharterVersion,
    Collective,
    Invitation,
    Membership,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["last_name", "first_name", "email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "phone"]}),
        (
            _("Permissions"),
            {
                "fields": [
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ]
            },
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Collective)
class CollectiveAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "town", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "town"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "collective", "role", "status", "joined_on"]
    list_filter = ["collective", "role", "status"]
    search_fields = ["user__email", "user__last_name", "collective__name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "collective"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "collective",
        "role",
        "created_at",
        "accepted_at",
        "cancelled_at",
    ]
    list_filter = ["collective"]
    search_fields = ["email"]
    readonly_fields = ["token"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: seen in the admin, changed only by services."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CharterVersion)
class CharterVersionAdmin(ReadOnlyAdmin):
    """Versions are made by publishing the charter page of the public site."""

    list_display = ["number", "title", "published_at"]


@admin.register(CharterAcceptance)
class CharterAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["user", "version", "accepted_at"]
    list_filter = ["version"]
    search_fields = ["user__email", "user__last_name"]
    list_select_related = ["user", "version"]
