"""The producer directory: its filter form and the query behind it.

Reads the producers app through its querysets; the distance filter turns a
town or postcode into a position with the project's geocoder, then measures
each farm with geopy's geodesic distance (a few hundred farms: cheap in
Python, and the same on SQLite and PostgreSQL).
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.cache import cache
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from geopy.distance import geodesic

from amap import geocoding
from amap.producers.models import Label, Producer, Product

from .matching import matches, query_words

DISTANCE_CHOICES = [(10, "10 km"), (20, "20 km"), (30, "30 km"), (50, "50 km")]
DEFAULT_DISTANCE = 30
GEOCODE_CACHE_SECONDS = 24 * 3600


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Farm, activity, product or town"),
        required=False,
        max_length=100,
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Products"),
        required=False,
        choices=[("", gettext_lazy("All products"))] + Product.Category.choices,
    )
    label = forms.ModelChoiceField(
        label=gettext_lazy("Label"),
        required=False,
        queryset=Label.objects.all(),
        to_field_name="slug",
        empty_label=gettext_lazy("All labels"),
    )
    near = forms.CharField(
        label=gettext_lazy("Near (town or postcode)"), required=False, max_length=100
    )
    distance = forms.TypedChoiceField(
        label=gettext_lazy("Within"),
        required=False,
        coerce=int,
        empty_value=DEFAULT_DISTANCE,
        initial=DEFAULT_DISTANCE,
        choices=DISTANCE_CHOICES,
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("distance"):
            # A link with only `near=`: show the distance the results use.
            data = data.copy()
            data["distance"] = str(DEFAULT_DISTANCE)
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        near = (cleaned.get("near") or "").strip()
        cleaned["origin"] = None
        if near:
            try:
                origin = locate(near)
            except geocoding.GeocodingUnavailable:
                self.add_error(
                    "near",
                    _("The address service cannot answer now; try again later."),
                )
                return cleaned
            if origin is None:
                self.add_error(
                    "near", _("This town or postcode was not found; check it.")
                )
            cleaned["origin"] = origin
        return cleaned


def locate(place: str) -> geocoding.Position | None:
    """The position of a town or postcode typed by a visitor, cached a day."""
    place = " ".join(place.split())
    key = "cms:directory:locate:" + hashlib.sha256(place.lower().encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    if place[:5].isdigit():
        position = geocoding.geocode(
            street="", postcode=place[:5], town=place[5:].strip()
        )
    else:
        position = geocoding.geocode(street="", postcode="", town=place)
    cache.set(key, position or False, GEOCODE_CACHE_SECONDS)
    return position


@dataclass
class DirectoryEntry:
    producer: Producer
    categories: list[str]
    distance_km: float | None = None


def directory_producers():
    """Public producers with their labels and approved products on sale:
    three queries."""
    return (
        Producer.objects.public()
        .prefetch_related(
            "labels",
            Prefetch(
                "products",
                # Approved products only, under their approved name.
                queryset=Product.objects.public().only(
                    "id", "producer_id", "category", "published_name"
                ),
                to_attr="products_on_sale",
            ),
        )
        .order_by("name")
    )


def search_directory(
    *,
    q: str = "",
    category: str = "",
    label: Label | None = None,
    origin: geocoding.Position | None = None,
    distance_km: int | None = None,
) -> list[DirectoryEntry]:
    """The directory's entries for the filters, nearest first with a distance."""
    producers = directory_producers()
    words = query_words(q)
    if category:
        producers = producers.filter(
            products__category=category,
            products__active=True,
            products__published_name__gt="",
        ).distinct()
    if label is not None:
        producers = producers.filter(labels=label)
    category_labels = dict(Product.Category.choices)
    entries = []
    for producer in producers:
        if words and not matches(
            words,
            producer.name,
            producer.activity,
            producer.town,
            *(product.published_name for product in producer.products_on_sale),
        ):
            continue
        categories = sorted(
            {product.category for product in producer.products_on_sale},
            key=list(category_labels).index,
        )
        entries.append(
            DirectoryEntry(
                producer=producer,
                categories=[category_labels[c] for c in categories],
            )
        )
    if origin is None:
        return entries
    start = (float(origin.latitude), float(origin.longitude))
    near = []
    for entry in entries:
        if not entry.producer.has_position:
            continue
        entry.distance_km = geodesic(
            start,
            (float(entry.producer.latitude), float(entry.producer.longitude)),
        ).km
        if distance_km is None or entry.distance_km <= distance_km:
            near.append(entry)
    near.sort(key=lambda entry: entry.distance_km)
    return near


def round_km(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"))
