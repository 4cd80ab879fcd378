"""Read-mostly admin for group purchases: organisers use their own pages;
the admin is for the network's administrators to look things up."""

from django.contrib import admin

from .models import GroupPurchase, Item, Payment, Pledge, PriceTier, Vote, Wish


class PriceTierInline(admin.TabularInline):
    model = PriceTier
    extra = 0


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ["name", "unit", "case_size", "min_cases", "max_cases", "cases_ordered"]
    readonly_fields = ["cases_ordered"]
    show_change_link = True


@admin.register(GroupPurchase)
class GroupPurchaseAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "opens_at", "closes_at", "policy"]
    list_filter = ["status", "policy", "collectives"]
    search_fields = ["title", "supplier_name", "producer__name"]
    readonly_fields = [
        "status",
        "closed_at",
        "allocated_at",
        "ordered_at",
        "delivered_at",
        "cancelled_at",
        "created_by",
    ]
    autocomplete_fields = []
    raw_id_fields = ["distribution", "producer", "wish"]
    inlines = [ItemInline]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "campaign",
        "case_size",
        "cases_ordered",
        "final_unit_price",
    ]
    search_fields = ["name", "campaign__title"]
    raw_id_fields = ["campaign", "product"]
    inlines = [PriceTierInline]


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    list_display = [
        "member",
        "item",
        "quantity",
        "tolerance",
        "allocated",
        "pledged_at",
    ]
    search_fields = ["member__email", "member__last_name", "item__name"]
    raw_id_fields = ["item", "member"]
    readonly_fields = ["allocated", "notified_at"]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = [
        "member",
        "campaign",
        "amount",
        "method",
        "received_at",
        "cancelled_at",
    ]
    search_fields = ["member__email", "member__last_name", "campaign__title"]
    raw_id_fields = ["campaign", "member", "recorded_by"]


class VoteInline(admin.TabularInline):
    model = Vote
    extra = 0
    raw_id_fields = ["member"]


@admin.register(Wish)
class WishAdmin(admin.ModelAdmin):
    list_display = ["title", "collective", "status", "created_at"]
    list_filter = ["status", "collective"]
    search_fields = ["title"]
    raw_id_fields = ["proposed_by"]
    inlines = [VoteInline]
