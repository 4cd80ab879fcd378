"""The weekly stock: what a farm offers, how much and at what price, in each
order cycle of the collectives it supplies. The grid's reads are in
amap/producers/selectors/stock.py."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from amap.distribution.models import OrderCycle
from amap.members.services import require_current_charter
from amap.money import (
    finite_decimal,
    format_euros,
    format_number,
    has_quantity_places,
    is_whole_cents,
)

from ..models import MAX_PRICE, MAX_QUANTITY, Offer, Partnership, Producer, Product
from ..permissions import require_producer_manager
from ..selectors.stock import cell_name


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


def _validate_cell(cell: StockCell, offer: Offer | None, errors: dict) -> None:
    q_name = cell_name("q", cell.product_id, cell.cycle_id)
    p_name = cell_name("p", cell.product_id, cell.cycle_id)
    quantity_error = _quantity_error(cell, offer)
    if quantity_error:
        errors[q_name] = quantity_error
    price_error = _price_error(cell.price)
    if price_error:
        errors[p_name] = price_error


def _quantity_error(cell: StockCell, offer: Offer | None) -> str | None:
    if not cell.offered and offer is not None and offer.booked > 0:
        return _("%(booked)s already booked: you cannot withdraw this offer.") % {
            "booked": format_number(offer.booked)
        }
    quantity = cell.quantity
    if quantity is None or cell.unlimited:
        return None
    if quantity < 0:
        return _("The quantity cannot be negative.")
    if quantity > MAX_QUANTITY:
        return _("That is too much: %(max)s at most.") % {
            "max": format_number(MAX_QUANTITY)
        }
    if not has_quantity_places(quantity):
        return _("At most 3 decimals, e.g. 2.125.")
    if offer is not None and quantity < offer.booked:
        return _("%(booked)s already booked: you cannot offer less than that.") % {
            "booked": format_number(offer.booked)
        }
    return None


def price_too_high() -> str:
    """The message for a price above `MAX_PRICE`, the limit as an amount in
    the active language (the forms show it too, lazily)."""
    return _("The price is too high: %(max)s at most.") % {
        "max": format_euros(MAX_PRICE)
    }


def _price_error(price: Decimal | None) -> str | None:
    if price is None:
        return None
    if price < 0:
        return _("The price cannot be negative.")
    if price > MAX_PRICE:
        return price_too_high()
    if not is_whole_cents(price):
        return _("At most 2 decimals for a price, e.g. 3.20.")
    return None


def _changes(cell: StockCell, offer: Offer | None, product: Product) -> bool:
    """Whether saving the cell would change anything."""
    if offer is None:
        return cell.offered
    if not cell.offered:
        return True
    price = product.price if cell.price is None else cell.price
    return offer.quantity_available != cell.available or offer.price != price


@dataclass
class _GridChanges:
    """What saving the grid does to its offers, once every cell is checked."""

    to_create: list[Offer] = field(default_factory=list)
    to_update: list[Offer] = field(default_factory=list)
    to_delete: list[int] = field(default_factory=list)


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
    products, cycles, offers = _grid_rows(producer, cells)
    changes = _checked_changes(cells, products, cycles, offers, now=timezone.now())
    _delete_offers(changes.to_delete, offers)
    if changes.to_update:
        # Who changed a quantity or a price, and when, is kept.
        bulk_update_with_history(
            changes.to_update,
            Offer,
            ["quantity_available", "price", "updated_at"],
            default_user=saved_by,
        )
    _create_offers(changes.to_create)
    return StockGridResult(
        created=len(changes.to_create),
        updated=len(changes.to_update),
        removed=len(changes.to_delete),
    )


def _grid_rows(producer: Producer, cells: list[StockCell]):
    """The farm's products and its collectives' cycles named by the cells, and
    their existing offers, locked by pk. Three queries."""
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
            collective__partnerships__status=Partnership.Status.ACCEPTED,
        ).distinct()
    }
    offers = {
        (offer.product_id, offer.cycle_id): offer
        for offer in Offer.objects.select_for_update()
        .filter(product__in=list(products), cycle__in=list(cycles))
        .order_by("pk")
    }
    return products, cycles, offers


def _checked_changes(cells, products, cycles, offers, *, now) -> _GridChanges:
    """Check every cell, then sort the changed ones into offers to create,
    update or delete; a ValidationError keyed by cell name lists every
    refusal."""
    errors: dict[str, str] = {}
    changes = _GridChanges()
    for cell in cells:
        q_name = cell_name("q", cell.product_id, cell.cycle_id)
        product = products.get(cell.product_id)
        cycle = cycles.get(cell.cycle_id)
        if product is None or cycle is None:
            errors[q_name] = _(
                "This product or this cycle is not one your farm can offer in."
            )
            continue
        not_numbers = _not_numbers(cell)
        if not_numbers:
            errors.update(not_numbers)
            continue
        offer = offers.get((product.pk, cycle.pk))
        if not _changes(cell, offer, product):
            continue
        refusal = _cell_refusal(cell, product, cycle, now)
        if refusal:
            errors[q_name] = refusal
            continue
        _validate_cell(cell, offer, errors)
        _sort_change(changes, cell, offer, product, cycle, now)
    if errors:
        raise ValidationError(errors)
    return changes


def _not_numbers(cell: StockCell) -> dict[str, str]:
    """A message by cell name for a quantity or a price that is not a finite
    number (NaN, an infinity, True or False): checked before anything compares
    them, which would raise for NaN."""
    errors = {}
    for kind, value in (("q", cell.quantity), ("p", cell.price)):
        if value is not None and finite_decimal(value) is None:
            errors[cell_name(kind, cell.product_id, cell.cycle_id)] = _(
                "Enter a number."
            )
    return errors


def _cell_refusal(cell: StockCell, product: Product, cycle, now) -> str | None:
    """Why this changed cell cannot be saved at all, as a sentence."""
    if cycle.status_at(now) == OrderCycle.Status.CLOSED:
        return _("Ordering for this cycle has closed: its stock can no longer change.")
    if not product.active and cell.offered:
        return _("%(name)s is archived: put it on sale again to offer it.") % {
            "name": product.name
        }
    return None


def _sort_change(
    changes: _GridChanges, cell: StockCell, offer, product, cycle, now
) -> None:
    price = product.price if cell.price is None else cell.price
    if offer is None:
        changes.to_create.append(
            Offer(
                product=product,
                cycle=cycle,
                quantity_available=cell.available,
                price=price,
            )
        )
    elif not cell.offered:
        changes.to_delete.append(offer.pk)
    else:
        offer.quantity_available = cell.available
        offer.price = price
        offer.updated_at = now
        changes.to_update.append(offer)


def _delete_offers(pks: list[int], offers: dict) -> None:
    """Delete withdrawn offers; orders on record (cancelled ones) keep an
    offer, which can then only be emptied."""
    if not pks:
        return
    try:
        Offer.objects.filter(pk__in=pks, booked=0).delete()
    except ProtectedError as error:
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


def _create_offers(to_create: list[Offer]) -> None:
    """Create the new offers; another save of the same cells first is a
    conflict the producer resolves by reloading."""
    if not to_create:
        return
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
