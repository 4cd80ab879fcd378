from django import forms
from django.contrib import admin
from django.db import models

from .models import Label, Offer, Partnership, Producer, Product


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
class ProducerAdmin(admin.ModelAdmin):
    list_display = ["name", "activity", "town", "geocode_status", "active"]
    list_filter = ["active", "labels", "geocode_status"]
    search_fields = ["name", "activity", "town", "email"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["managers", "labels"]
    readonly_fields = ["geocode_attempts", "created_at"]
    inlines = [PartnershipInline]
    formfield_overrides = {
        models.URLField: {
            "form_class": forms.URLField,
            "assume_scheme": "https",
        }
    }


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["producer", "collective", "referent", "since", "active"]
    list_filter = ["active", "collective"]
    search_fields = ["producer__name", "collective__name"]
    autocomplete_fields = ["producer", "collective", "referent"]
    list_select_related = ["producer", "collective", "referent"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["producer", "name", "category", "unit", "price", "active"]
    list_filter = ["active", "category", "unit", "producer"]
    search_fields = ["name", "producer__name"]
    autocomplete_fields = ["producer"]
    list_select_related = ["producer"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["product", "cycle", "quantity_available", "booked", "price"]
    list_filter = ["cycle__collective", "product__producer"]
    search_fields = ["product__name", "product__producer__name"]
    autocomplete_fields = ["product"]
    readonly_fields = ["booked"]
    list_select_related = ["product__producer", "cycle__collective"]
