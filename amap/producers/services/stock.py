"""The weekly stock: what a farm offers, how much and at what price, in each
order cycle of the collectives it supplies."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from amap.distribution.models import Distribution, OrderCycle
from amap.members.services import require_current_charter
from amap.money import (
    format_euros,
    format_number,
    has_quantity_places,
    is_whole_cents,
    plain_quantity,
)

from ..models import MAX_PRICE, MAX_QUANTITY, Offer, Producer, Product
from ..permissions import require_producer_manager

DEFAULT_COLUMNS = 4
MAX_COLUMNS = 8


def cell_name(kind: str, product_id: int, cycle_id: int) -> str:
    """The name of a grid input: `q` quantity, `u` unlimited, `p` price."""
    return f"{kind}-{product_id}-{cycle_id}"


@dataclass(frozen=True)
class StockCell:
    """One cell of the grid as the producer typed it: `quantity` None and not
    `unlimited` means "not offered"; `price` None means the catalogue price."""

    product_id: int
    cycle_id: int
    quantity: Decimal | None = None
    unlimited: bool = False
    price: Decimal | None = None

    @property
    def offered(self) -> bool:
        return self.unlimited or self.quantity is not None

    @property
    def available(self) -> Decimal | None:
        return None if self.unlimited else self.quantity


@dataclass
class StockGridResult:
    created: int = 0
    updated: int = 0
    removed: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed


# Reads -----------------------------------------------------------------------


def grid_cycles(producer: Producer, *, count: int = DEFAULT_COLUMNS, now=None):
    """The next cycles the farm takes part in (not closed, of the collectives
    it has an active partnership with), by closing date, with their collective
    and active distributions. Two queries."""
    now = now or timezone.now()
    count = max(1, min(count, MAX_COLUMNS))
    return list(
        OrderCycle.objects.filter(
            collective__partnerships__producer=producer,
            collective__partnerships__active=True,
            closed_at__isnull=True,
            closes_at__gt=now,
        )
        .select_related("collective")
        .prefetch_related(
            Prefetch(
                "distributions",
                queryset=Distribution.objects.active().order_by("date", "starts_at"),
                to_attr="active_distributions",
            )
        )
        .order_by("closes_at", "pk")[:count]
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
    return list(
        OrderCycle.objects.filter(
            pk__in=ids,
            collective__partnerships__producer=producer,
            collective__partnerships__active=True,
        )
        .select_related("collective")
        .prefetch_related(
            Prefetch(
                "distributions",
                queryset=Distribution.objects.active().order_by("date", "starts_at"),
                to_attr="active_distributions",
            )
        )
        .order_by("closes_at", "pk")
    )


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


# Writes ----------------------------------------------------------------------


def _validate_cell(cell: StockCell, offer: Offer | None, errors: dict) -> None:
    q_name = cell_name("q", cell.product_id, cell.cycle_id)
    p_name = cell_name("p", cell.product_id, cell.cycle_id)
    quantity = cell.quantity
    if quantity is not None and not cell.unlimited:
        if quantity < 0:
            errors[q_name] = _("The quantity cannot be negative.")
        elif quantity > MAX_QUANTITY:
            errors[q_name] = _("That is too much: %(max)s at most.") % {
                "max": format_number(MAX_QUANTITY)
            }
        elif not has_quantity_places(quantity):
            errors[q_name] = _("At most 3 decimals, e.g. 2.125.")
        elif offer is not None and quantity < offer.booked:
            errors[q_name] = _(
                "%(booked)s already booked: you cannot offer less than that."
            ) % {"booked": format_number(offer.booked)}
    if not cell.offered and offer is not None and offer.booked > 0:
        errors[q_name] = _(
            "%(booked)s already booked: you cannot withdraw this offer."
        ) % {"booked": format_number(offer.booked)}
    price = cell.price
    if price is not None:
        if price < 0:
            errors[p_name] = _("The price cannot be negative.")
        elif price > MAX_PRICE:
            errors[p_name] = _("The price is too high: %(max)s at most.") % {
                "max": format_euros(MAX_PRICE)
            }
        elif not is_whole_cents(price):
            errors[p_name] = _("At most 2 decimals for a price, e.g. 3.20.")


def _changes(cell: StockCell, offer: Offer | None, product: Product) -> bool:
    """Whether saving the cell would change anything."""
    if offer is None:
        return cell.offered
    if not cell.offered:
        return True
    price = product.price if cell.price is None else cell.price
    return offer.quantity_available != cell.available or offer.price != price


@transaction.atomic
def save_stock_grid(
    *, producer: Producer, cells: list[StockCell], saved_by
) -> StockGridResult:
    """Save a whole grid of cells at once, or nothing.

    Locks the existing offers of the grid (by pk) and checks every cell
    against them: a quantity below what is booked, removing a booked offer or
    changing a closed cycle is refused. Raises a ValidationError keyed by cell
    name (`q-…`, `p-…`). A fixed number of queries whatever the size.
    """
    require_producer_manager(saved_by, producer)
    if not cells:
        return StockGridResult()
    require_current_charter(saved_by)
    product_ids = {cell.product_id for cell in cells}
    cycle_ids = {cell.cycle_id for cell in cells}
    products = {
        product.pk: product
        for product in Product.objects.filter(producer=producer, pk__in=product_ids)
    }
    cycles = {
        cycle.pk: cycle
        for cycle in OrderCycle.objects.filter(
            pk__in=cycle_ids,
            collective__partnerships__producer=producer,
            collective__partnerships__active=True,
        ).distinct()
    }
    offers = {
        (offer.product_id, offer.cycle_id): offer
        for offer in Offer.objects.select_for_update()
        .filter(product__in=list(products), cycle__in=list(cycles))
        .order_by("pk")
    }
    now = timezone.now()
    errors: dict[str, str] = {}
    to_create, to_update, to_delete = [], [], []
    for cell in cells:
        q_name = cell_name("q", cell.product_id, cell.cycle_id)
        product = products.get(cell.product_id)
        cycle = cycles.get(cell.cycle_id)
        if product is None or cycle is None:
            errors[q_name] = _(
                "This product or this cycle is not one your farm can offer in."
            )
            continue
        offer = offers.get((product.pk, cycle.pk))
        if not _changes(cell, offer, product):
            continue
        if cycle.status_at(now) == OrderCycle.Status.CLOSED:
            errors[q_name] = _(
                "Ordering for this cycle has closed: its stock can no longer change."
            )
            continue
        if not product.active and cell.offered:
            errors[q_name] = _(
                "%(name)s is archived: put it on sale again to offer it."
            ) % {"name": product.name}
            continue
        _validate_cell(cell, offer, errors)
        if errors:
            continue
        price = product.price if cell.price is None else cell.price
        if offer is None:
            to_create.append(
                Offer(
                    product=product,
                    cycle=cycle,
                    quantity_available=cell.available,
                    price=price,
                )
            )
        elif not cell.offered:
            to_delete.append(offer.pk)
        else:
            offer.quantity_available = cell.available
            offer.price = price
            offer.updated_at = now
            to_update.append(offer)
    if errors:
        raise ValidationError(errors)
    if to_delete:
        try:
            Offer.objects.filter(pk__in=to_delete, booked=0).delete()
        except ProtectedError as error:
            # Orders on record (cancelled ones) keep the offer: it can only
            # be emptied.
            kept = {getattr(row, "offer_id", None) for row in error.protected_objects}
            raise ValidationError(
                {
                    cell_name("q", offer.product_id, offer.cycle_id): _(
                        "Orders are on record for this offer: set its quantity "
                        "to 0 instead of emptying it."
                    )
                    for offer in offers.values()
                    if offer.pk in kept
                }
                or _("Orders are on record for these offers: set them to 0.")
            ) from None
    if to_update:
        Offer.objects.bulk_update(
            to_update, ["quantity_available", "price", "updated_at"]
        )
    if to_create:
        try:
            with transaction.atomic():
                Offer.objects.bulk_create(to_create)
        except IntegrityError:
            raise ValidationError(
                _(
                    "Someone else changed this stock at the same time: reload "
                    "the page and try again."
                )
            ) from None
    return StockGridResult(
        created=len(to_create), updated=len(to_update), removed=len(to_delete)
    )
