"""Organisers filling a draft group purchase: its items and their price
tiers. Members pledge on these terms, so they only change on a draft."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from amap.money import is_whole_cents
from amap.producers.models import MAX_PRICE

from ..models import MAX_CASES, MAX_UNITS, GroupPurchase, Item, Pledge, PriceTier
from .campaigns import lock_campaign_for, refuse_unless

Status = GroupPurchase.Status


def check_tiers(tiers: Sequence[tuple[int, Decimal]]) -> list[tuple[int, Decimal]]:
    """Tiers as (from cases, price per unit), sorted; ValidationError (a
    sentence) when one starts twice, none starts at 0 cases, or a price rises
    with volume."""
    tiers = sorted(tiers, key=lambda tier: tier[0])
    if not tiers:
        raise ValidationError(_("Give at least one price, from 0 cases."), code="tiers")
    starts = [start for start, _price in tiers]
    if len(set(starts)) != len(starts):
        raise ValidationError(
            _("Two prices start at the same number of cases."), code="tiers"
        )
    if starts[0] != 0:
        raise ValidationError(
            _("The first price must apply from 0 cases."), code="tiers"
        )
    for start, price in tiers:
        if start < 0 or start > MAX_CASES:
            raise ValidationError(
                _("A number of cases must be between 0 and %(max)d.")
                % {"max": MAX_CASES},
                code="tiers",
            )
        if price <= 0 or price > MAX_PRICE or not is_whole_cents(price):
            raise ValidationError(
                _("A price must be positive, in euros and cents."), code="tiers"
            )
    for (_start, price), (start, next_price) in zip(tiers, tiers[1:], strict=False):
        if next_price > price:
            raise ValidationError(
                _(
                    "Prices cannot rise with volume: the price from %(cases)d "
                    "cases is above the one before."
                )
                % {"cases": start},
                code="tiers",
            )
    return tiers


def _check_item(item: Item, tiers) -> list[tuple[int, Decimal]]:
    errors: dict[str, list[str]] = {}
    try:
        tiers = check_tiers(tiers)
    except ValidationError as error:
        errors["tiers"] = error.messages
    if not item.name.strip():
        errors["name"] = [_("Name the product.")]
    if not 1 <= (item.case_size or 0) <= MAX_UNITS:
        errors["case_size"] = [
            _("A case holds between 1 and %(max)d units.") % {"max": MAX_UNITS}
        ]
    if item.max_cases is not None and item.max_cases < max(item.min_cases, 1):
        errors["max_cases"] = [
            _("The maximum number of cases cannot be below the minimum.")
        ]
    if item.min_cases > MAX_CASES:
        errors["min_cases"] = [_("This minimum number of cases is too large.")]
    if errors:
        raise ValidationError(errors)
    return tiers


def _item_editable(campaign: GroupPurchase) -> None:
    refuse_unless(
        campaign,
        Status.DRAFT,
        message=_(
            "Items can only change while the group purchase is a draft: members "
            "pledge on these terms."
        ),
    )


def _save_item(item: Item, tiers) -> Item:
    """Check the item and its price tiers, save it and replace its tiers."""
    tiers = _check_item(item, tiers)
    adding = item._state.adding
    item.full_clean()
    item.save()
    if not adding:
        item.tiers.all().delete()
    PriceTier.objects.bulk_create(
        PriceTier(item=item, min_cases=start, unit_price=price)
        for start, price in tiers
    )
    return item


def _item_terms(
    *,
    name: str,
    case_size: int,
    unit: str = "kg",
    min_cases: int = 0,
    max_cases: int | None = None,
) -> dict:
    """What `add_item` and `update_item` set on an item, besides its tiers."""
    return {
        "name": name.strip(),
        "unit": unit,
        "case_size": case_size,
        "min_cases": min_cases or 0,
        "max_cases": max_cases,
    }


@transaction.atomic
def add_item(
    *,
    campaign: GroupPurchase,
    added_by,
    tiers: Sequence[tuple[int, Decimal]],
    product=None,
    **terms,
) -> Item:
    """A new item at the end of a draft; `terms` as `_item_terms` takes them."""
    terms = _item_terms(**terms)
    campaign = lock_campaign_for(added_by, campaign)
    _item_editable(campaign)
    item = Item(
        campaign=campaign,
        product=product,
        position=campaign.items.count(),
        **terms,
    )
    return _save_item(item, tiers)


@transaction.atomic
def update_item(
    item: Item, *, updated_by, tiers: Sequence[tuple[int, Decimal]], **terms
) -> Item:
    """Change an item of a draft and replace its tiers; `terms` as
    `_item_terms` takes them."""
    terms = _item_terms(**terms)
    campaign = lock_campaign_for(updated_by, item.campaign)
    _item_editable(campaign)
    item = Item.objects.get(pk=item.pk, campaign=campaign)
    for field, value in terms.items():
        setattr(item, field, value)
    return _save_item(item, tiers)


@transaction.atomic
def remove_item(item: Item, *, removed_by) -> None:
    campaign = lock_campaign_for(removed_by, item.campaign)
    _item_editable(campaign)
    if Pledge.objects.filter(item=item).exists():
        raise ValidationError(
            _("Members pledged for this item: it cannot be removed."), code="pledged"
        )
    item.delete()
