"""Reads for a farm's catalogue: its products grouped by category."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils.functional import Promise

from ..models import Offer, Producer, Product, ProfileSubmission


class Filter:
    ACTIVE = "active"
    ARCHIVED = "archived"
    ALL = "all"
    CHOICES = (ACTIVE, ARCHIVED, ALL)


@dataclass
class CategoryGroup:
    category: str
    label: str | Promise  # the category's lazy translated name
    products: list[Product]


def group_by_category(products) -> list[CategoryGroup]:
    """Products in the order of `Product.Category`, then by name."""
    groups: dict[str, list[Product]] = {}
    for product in products:
        groups.setdefault(product.category, []).append(product)
    labels = dict(Product.Category.choices)
    return [
        CategoryGroup(
            category=value,
            label=labels[value],
            products=sorted(groups[value], key=lambda p: p.name.casefold()),
        )
        for value in Product.Category.values
        if value in groups
    ]


def catalogue(producer: Producer, *, state: str = Filter.ACTIVE) -> list[CategoryGroup]:
    """The farm's products grouped by category, each with `was_offered`,
    `unpublished` (its public name, description or photo differ from the
    approved ones) and `change_waiting` (the farm's change is in the
    moderation queue: without it, an unpublished product was refused); one
    query whatever the number of products."""
    products = Product.objects.filter(producer=producer).annotate(
        was_offered=Exists(Offer.objects.filter(product=OuterRef("pk"))),
        unpublished=Exists(Product.objects.filter(pk=OuterRef("pk")).waiting()),
        change_waiting=Exists(
            ProfileSubmission.objects.filter(
                producer=OuterRef("producer"),
                status=ProfileSubmission.Status.PENDING,
            )
        ),
    )
    if state == Filter.ACTIVE:
        products = products.active()
    elif state == Filter.ARCHIVED:
        products = products.archived()
    return group_by_category(products)
