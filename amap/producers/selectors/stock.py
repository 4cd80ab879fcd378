"""Reads for the weekly stock grid: its columns (order cycles), rows
(products), the offers already saved and the values to prefill a column."""

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from amap.distribution.models import Distribution, OrderCycle
from amap.money import plain_quantity

from ..models import Offer, Partnership, Producer, Product

DEFAULT_COLUMNS = 4
MAX_COLUMNS = 8


def cell_name(kind: str, product_id: int, cycle_id: int) -> str:
    """The name of a grid input: `q` quantity, `u` unlimited, `p` price."""
    return f"{kind}-{product_id}-{cycle_id}"


def _grid_columns(producer: Producer, **filters):
    """Cycles of the collectives the farm is an active partner of, with their
    collective and active distributions (`active_distributions`)."""
    return (
        OrderCycle.objects.filter(
            collective__partnerships__producer=producer,
            collective__partnerships__active=True,
            collective__partnerships__status=Partnership.Status.ACCEPTED,
            **filters,
        )
        .select_related("collective")
        .prefetch_related(
            Prefetch(
                "distributions",
                queryset=Distribution.objects.active().order_by("date", "starts_at"),
                to_attr="active_distributions",
            )
        )
    )


def grid_cycles(producer: Producer, *, count: int = DEFAULT_COLUMNS, now=None):
    """The next cycles the farm takes part in (not closed, of the collectives
    it has an active partnership with), by closing date, with their collective
    and active distributions. Two queries."""
    now = now or timezone.now()
    count = max(1, min(count, MAX_COLUMNS))
    return list(
        _grid_columns(producer, closed_at__isnull=True, closes_at__gt=now).order_by(
            "closes_at", "pk"
        )[:count]
    )


CELL_NAME = re.compile(r"^[qup]-(\d+)-(\d+)$")


def posted_cycle_ids(names) -> set[int]:
    """The cycle ids of the grid cells among `names` (the POST keys)."""
    ids = set()
    for name in names:
        match = CELL_NAME.match(name)
        if match:
            ids.add(int(match.group(2)))
    return ids


def cycles_by_id(producer: Producer, ids) -> list[OrderCycle]:
    """Cycles of the farm's collectives, closed or not, such as the columns of
    a grid posted just as a cycle closed: its cells are then refused rather
    than dropped. Two queries."""
    ids = sorted(ids)[:MAX_COLUMNS]
    if not ids:
        return []
    return list(_grid_columns(producer, pk__in=ids).order_by("closes_at", "pk"))


def grid_products(producer: Producer) -> list[Product]:
    """The farm's products on sale, by category then name."""
    return list(Product.objects.active().filter(producer=producer))


def grid_offers(products, cycles) -> dict[tuple[int, int], Offer]:
    """The existing offers of the grid, keyed by (product id, cycle id)."""
    if not products or not cycles:
        return {}
    offers = Offer.objects.filter(
        product__in=[p.pk for p in products], cycle__in=[c.pk for c in cycles]
    )
    return {(offer.product_id, offer.cycle_id): offer for offer in offers}


def offer_initial(offer: Offer, product: Product) -> dict:
    """The grid's values for an existing offer; the catalogue price is left
    empty, as the placeholder shows it."""
    return {
        "quantity": plain_quantity(offer.quantity_available),
        "unlimited": offer.quantity_available is None,
        "price": None if offer.price == product.price else offer.price,
    }


class Fill:
    LAST = "last"
    USUAL = "usual"
    CHOICES = (LAST, USUAL)


@dataclass
class Prefill:
    """Values to show in one column, not saved until the producer submits."""

    cycle: OrderCycle
    values: dict[int, dict] = field(default_factory=dict)  # product id → cell
    source: OrderCycle | None = None

    @property
    def notice(self) -> str:
        if self.source is not None:
            return _(
                "Prefilled from the offers of %(source)s for %(cycle)s — check "
                "and save."
            ) % {"source": self.source.name, "cycle": self.cycle.name}
        return _(
            "Prefilled with the usual quantities and catalogue prices for "
            "%(cycle)s — check and save."
        ) % {"cycle": self.cycle.name}


def prefill_column(
    *, producer: Producer, cycle: OrderCycle, fill: str, products: list[Product]
) -> Prefill:
    """Values for `cycle`'s column: copied from the latest earlier cycle of the
    same collective in which the farm had offers (`Fill.LAST`), or the usual
    quantities at catalogue prices (`Fill.USUAL`). Two queries at most."""
    prefill = Prefill(cycle=cycle)
    if fill == Fill.USUAL:
        for product in products:
            if product.usual_quantity is not None:
                prefill.values[product.pk] = {
                    "quantity": plain_quantity(product.usual_quantity),
                    "unlimited": False,
                    "price": None,
                }
            else:
                prefill.values[product.pk] = {
                    "quantity": None,
                    "unlimited": False,
                    "price": None,
                }
        return prefill
    source = (
        OrderCycle.objects.filter(
            collective_id=cycle.collective_id,
            closes_at__lt=cycle.closes_at,
            offers__product__producer=producer,
        )
        .order_by("-closes_at", "-pk")
        .first()
    )
    if source is None:
        return prefill
    prefill.source = source
    by_product = {
        offer.product_id: offer
        for offer in Offer.objects.filter(
            cycle=source, product__in=[p.pk for p in products]
        )
    }
    for product in products:
        offer = by_product.get(product.pk)
        if offer is None:
            prefill.values[product.pk] = {
                "quantity": None,
                "unlimited": False,
                "price": None,
            }
        else:
            prefill.values[product.pk] = offer_initial(offer, product)
    return prefill
