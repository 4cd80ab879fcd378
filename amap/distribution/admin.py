from django.contrib import admin

from .models import (
    CalendarFeed,
    Distribution,
    OrderCycle,
    PickupPoint,
    Shift,
    ShiftAssignment,
    UsualPickupPoint,
)


@admin.register(PickupPoint)
class PickupPointAdmin(admin.ModelAdmin):
    list_display = ["name", "collective", "town", "geocode_status", "active"]
    list_filter = ["collective", "active", "geocode_status"]
    search_fields = ["name", "town", "street"]


class DistributionInline(admin.TabularInline):
    model = Distribution
    extra = 0
    fields = ["pickup_point", "date", "starts_at", "ends_at", "cancelled"]


@admin.register(OrderCycle)
class OrderCycleAdmin(admin.ModelAdmin):
    list_display = ["name", "collective", "opens_at", "closes_at", "closed_at"]
    list_filter = ["collective"]
    date_hierarchy = "opens_at"
    inlines = [DistributionInline]


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0


@admin.register(Distribution)
class DistributionAdmin(admin.ModelAdmin):
    list_display = ["pickup_point", "date", "starts_at", "ends_at", "cancelled"]
    list_filter = ["pickup_point__collective", "cancelled"]
    list_select_related = ["pickup_point", "cycle"]
    date_hierarchy = "date"
    inlines = [ShiftInline]


@admin.register(ShiftAssignment)
class ShiftAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "shift", "created_at", "reminder_sent_at"]
    list_select_related = ["user", "shift__distribution__pickup_point"]
    autocomplete_fields = ["user"]


admin.site.register(UsualPickupPoint)
admin.site.register(CalendarFeed)
