"""Pre-booking for a distribution: placing, changing and cancelling an order,
and keeping every offer's `booked` quantity exact under concurrency."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from amap.background import enqueue_on_commit
from amap.distribution.models import Distribution
from amap.distribution.services.calendar import hold_cycle_for_booking
from amap.emails import send_templated_email
from amap.history import changed_by
from amap.members.permissions import is_member
from amap.members.services import require_current_charter
from amap.money import (
    ZERO,
    finite_decimal,
    format_quantity,
    has_quantity_places,
    line_amount,
)
from amap.producers.models import MAX_QUANTITY, Offer

from ..models import Order, OrderLine

CONFIRMATION_TASK = "amap.orders.tasks.send_order_confirmation_task"


@dataclass
class OrderResult:
    """What `place_order` saved, and the lines it refused with their reason.

    `order` is None when nothing could be saved for a member who had no order
    (every line refused); `refused` maps an offer's pk to a full sentence.
    """

    order: Order | None
    refused: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.refused


def _closed_message(cycle) -> str:
    closed_on = cycle.closed_at or cycle.closes_at
    return _(
        "Ordering for this distribution closed on %(date)s: your order can no "
        "longer change."
    ) % {
        "date": formats.date_format(
            timezone.localtime(closed_on), "DATETIME_FORMAT", use_l10n=True
        )
    }


def _check_can_order(*, member, distribution: Distribution) -> None:
    """Refuse anyone but an active member, a cancelled distribution, a cycle
    that is not open right now. Call with the cycle held
    (`hold_cycle_for_booking`) and the distribution read after: "now" is
    then after any close under way."""
    cycle = distribution.cycle
    if not is_member(member, cycle.collective):
        raise ValidationError(
            _("Only active members of %(collective)s can order for this distribution.")
            % {"collective": cycle.collective},
            code="not_member",
        )
    if distribution.cancelled:
        raise ValidationError(
            _("This distribution has been cancelled: it takes no orders."),
            code="cancelled",
        )
    status = cycle.status_at(timezone.now())
    if status == cycle.Status.CLOSED:
        raise ValidationError(_closed_message(cycle), code="closed")
    if status == cycle.Status.UPCOMING:
        raise ValidationError(
            _("Ordering for this distribution opens on %(date)s.")
            % {
                "date": formats.date_format(
                    timezone.localtime(cycle.opens_at), "DATETIME_FORMAT"
                )
            },
            code="upcoming",
        )
    require_current_charter(member)


def _fresh_distribution(distribution: Distribution) -> Distribution:
    return Distribution.objects.select_related("cycle__collective").get(
        pk=distribution.pk
    )


def _clean_quantity(offer: Offer, quantity) -> str | None:
    """The reason a requested quantity is impossible whatever the stock, or None."""
    product = offer.product
    quantity = finite_decimal(quantity)
    if quantity is None:  # not a number, NaN, an infinity, True or False
        return _("Enter a number for %(product)s.") % {"product": product}
    if quantity < 0:
        return _("A quantity cannot be negative (%(product)s).") % {"product": product}
    if quantity > MAX_QUANTITY:
        return _("%(quantity)s is not a sensible quantity of %(product)s.") % {
            "quantity": format_quantity(quantity),
            "product": product,
        }
    if not has_quantity_places(quantity):
        return _("A quantity has at most three decimals (%(product)s).") % {
            "product": product
        }
    step = product.weight_step
    if quantity and step and quantity % step:
        return _("%(product)s is sold by %(step)s: choose a multiple.") % {
            "product": product,
            "step": format_quantity(step, product.unit),
        }
    return None


def _only_left_message(offer_pk: int) -> str:
    offer = Offer.objects.select_related("product").get(pk=offer_pk)
    return _(
        "Only %(remaining)s of %(product)s left: your quantity for it was not changed."
    ) % {
        "remaining": format_quantity(offer.remaining or ZERO, offer.product.unit),
        "product": offer.product,
    }


def _locked_order(*, member, distribution) -> tuple[Order, bool]:
    """The member's order for the distribution, row-locked; created if missing.

    A double submit races on the unique (member, distribution) constraint: the
    loser's INSERT waits for the winner's commit, fails, and locks its row.
    """
    # No ordering and `of=self`: the model's default ordering joins the
    # distribution and the member, and FOR UPDATE would lock their rows too,
    # serialising every booking of the distribution (and deadlocking with the
    # foreign key checks run at commit).
    order = (
        Order.objects.select_for_update(of=("self",))
        .filter(member=member, distribution=distribution)
        .order_by()
        .first()
    )
    if order is not None:
        return order, False
    try:
        with transaction.atomic():
            return Order.objects.create(member=member, distribution=distribution), True
    except IntegrityError:
        order = Order.objects.select_for_update(of=("self",)).get(
            member=member, distribution=distribution
        )
        return order, False


@transaction.atomic
def place_order(*, member, distribution: Distribution, lines: dict) -> OrderResult:
    """Save a member's order for a distribution: create it, change it, or
    reactivate a cancelled one. `lines` maps an offer pk to the quantity wanted
    (Decimal; 0 removes the line) and replaces the whole order: a line whose
    offer is not in `lines` is removed. A removed line stays, at quantity 0,
    as history; removing every line cancels the order as `cancel_order` does,
    its lines kept with their quantities.

    Refuses the whole request (ValidationError, per offer pk in `error_dict`
    for a bad quantity) for a non-member, a cancelled distribution, a cycle not
    open now, an offer of another cycle, a negative, absurd or off-step
    quantity. A line asking for more than remains, or for an archived product,
    is refused alone: the member keeps the rest of the order, and the line
    keeps its previous quantity (`OrderResult.refused`).

    Locking, in this order, so that two transactions never wait on each other
    in a cycle: the member's order row only (`SELECT … FOR UPDATE OF` the order,
    no join; a double submit queues here, or on the unique constraint when the
    order is new), then each offer touched, in pk order, by one conditional
    UPDATE:
    `booked = booked + delta WHERE quantity_available IS NULL OR booked <=
    quantity_available - delta` for an increase (no row updated: not enough
    left), a plain `booked = booked - delta` for a decrease. A concurrent
    UPDATE of the same offer waits for this transaction to end, then
    re-evaluates its condition on the committed row (READ COMMITTED), so two
    bookings can never both take the last units; the check constraint
    `booked <= quantity_available` backs it.

    Before all that, the cycle row is held shared (`hold_cycle_for_booking`)
    and only then read, with "now" taken after the lock: the close waits for
    this booking to commit, or this booking waits for the close and is
    refused as closed; a shared lock, so bookings of one cycle do not queue
    behind each other. Lock order: cycle, order, offers.
    The confirmation email is queued on commit.
    """
    hold_cycle_for_booking(distribution.cycle_id)
    distribution = _fresh_distribution(distribution)
    _check_can_order(member=member, distribution=distribution)
    wanted, offers = _checked_request(lines, cycle=distribution.cycle)

    order, created = _locked_order(member=member, distribution=distribution)
    reactivating = order.status == Order.Status.CANCELLED
    current = {} if created else {line.offer_id: line for line in order.lines.all()}
    held = _held_quantities(current, reactivating=reactivating)
    for pk in held:
        wanted.setdefault(pk, ZERO)
    _add_held_offers(offers, held)

    accepted, refused = _book_stock(wanted, held, offers)
    if not any(accepted.values()) and (created or reactivating):
        return _nothing_booked(order, refused, created=created)
    changed_by(order, member)
    if not created and not reactivating and _all_removed(current, accepted):
        # Stock is released above; the lines stay as they were, as after the
        # Cancel button.
        _mark_cancelled(order)
        return OrderResult(order=order, refused=refused)
    lines_changed = _save_lines(
        order, current, accepted, refused, offers, reactivating=reactivating
    )
    return _confirm(order, refused, changed=created or reactivating or lines_changed)


def _all_removed(current: dict, accepted: dict) -> bool:
    """Whether the order keeps no quantity once the accepted ones are saved
    (a refused line keeps its previous quantity)."""
    kept = [accepted.get(pk, line.quantity) for pk, line in current.items()]
    return not any(kept) and not any(accepted.values())


def _checked_request(lines: dict, *, cycle) -> tuple[dict, dict]:
    """The wanted quantities as Decimals by offer pk, and those offers with
    their product. Refuses the whole request for an offer of another cycle,
    or (keyed by offer pk) for a quantity impossible whatever the stock."""
    wanted = {int(pk): quantity for pk, quantity in lines.items()}
    offers = {
        offer.pk: offer
        for offer in Offer.objects.filter(pk__in=wanted).select_related("product")
    }
    errors: dict[Any, list[str]] = {}  # by offer pk
    for pk, quantity in wanted.items():
        offer = offers.get(pk)
        if offer is None or offer.cycle_id != cycle.pk:
            raise ValidationError(
                _("This product is not on offer for this distribution."),
                code="foreign_offer",
            )
        if message := _clean_quantity(offer, quantity):
            errors[pk] = [message]
    if errors:
        raise ValidationError(errors)
    return {pk: finite_decimal(quantity) for pk, quantity in wanted.items()}, offers


def _held_quantities(current: dict, *, reactivating: bool) -> dict[int, Decimal]:
    """The stock the order holds now, by offer pk."""
    if reactivating:
        # A cancelled order's lines are history: their stock was released.
        return dict.fromkeys(current, ZERO)
    return {pk: line.quantity for pk, line in current.items()}


def _add_held_offers(offers: dict, held: dict) -> None:
    """Load the offers the order holds but the request leaves out."""
    missing = set(held) - set(offers)
    if missing:
        offers.update(
            Offer.objects.filter(pk__in=missing).select_related("product").in_bulk()
        )


def _book_stock(
    wanted: dict[int, Decimal], held: dict[int, Decimal], offers: dict
) -> tuple[dict[int, Decimal], dict[int, str]]:
    """Move each offer's `booked` by the change asked, in offer pk order (the
    locking order): the quantities accepted, and the lines refused with their
    reason."""
    refused: dict[int, str] = {}
    accepted: dict[int, Decimal] = {}
    for pk in sorted(wanted):
        quantity = wanted[pk]
        refusal = _book_offer(offers[pk], quantity - held.get(pk, ZERO))
        if refusal:
            refused[pk] = refusal
        else:
            accepted[pk] = quantity
    return accepted, refused


def _book_offer(offer: Offer, delta: Decimal) -> str | None:
    """One conditional UPDATE of the offer's `booked`; why it was refused, or
    None."""
    if delta > 0:
        if not offer.product.active:
            return _(
                "%(product)s is no longer on sale: your quantity for it was "
                "not changed."
            ) % {"product": offer.product}
        updated = (
            Offer.objects.filter(pk=offer.pk)
            .filter(
                Q(quantity_available__isnull=True)
                | Q(booked__lte=F("quantity_available") - delta)
            )
            .update(booked=F("booked") + delta)
        )
        if not updated:
            return _only_left_message(offer.pk)
    elif delta < 0:
        Offer.objects.filter(pk=offer.pk).update(booked=F("booked") + delta)
    return None


def _nothing_booked(order: Order, refused: dict, *, created: bool) -> OrderResult:
    """A new or reactivated order with nothing accepted: an empty request is
    refused; with refused lines, a new order is not left behind empty."""
    if not refused:
        raise ValidationError(
            _("Your order is empty: choose a quantity for at least one product."),
            code="empty",
        )
    if created:
        order.delete()
        return OrderResult(order=None, refused=refused)
    return OrderResult(order=order, refused=refused)


def _save_lines(
    order: Order,
    current: dict,
    accepted: dict,
    refused: dict,
    offers: dict,
    *,
    reactivating: bool,
) -> bool:
    """Create and update the order's lines for the accepted quantities; whether
    any line changed. A line set to 0 is kept with quantity and amount 0 (its
    price stays what it was), never deleted."""
    to_create, to_update = [], []
    for pk, quantity in accepted.items():
        line = current.get(pk)
        if line is None:
            if quantity:
                to_create.append(_new_line(order, offers[pk], quantity))
        elif reactivating or line.quantity != quantity:
            if quantity:
                # A changed line is priced at today's offer price.
                line.unit_price = offers[pk].price
            line.quantity = quantity
            line.amount = line_amount(quantity, line.unit_price)
            to_update.append(line)
    changed = bool(to_create or to_update)
    if reactivating:
        # Refused lines of a reactivated order hold no stock: set them to 0.
        for pk in refused:
            line = current.get(pk)
            if line is not None and line.quantity:
                line.quantity = line.amount = ZERO
                to_update.append(line)
    if to_update:
        bulk_update_with_history(
            to_update,
            OrderLine,
            ["quantity", "unit_price", "amount"],
            default_user=order.member,
        )
    if to_create:
        bulk_create_with_history(to_create, OrderLine, default_user=order.member)
    return changed


def _new_line(order: Order, offer: Offer, quantity: Decimal) -> OrderLine:
    return OrderLine(
        order=order,
        offer_id=offer.pk,
        quantity=quantity,
        unit_price=offer.price,
        amount=line_amount(quantity, offer.price),
    )


def _confirm(order: Order, refused: dict, *, changed: bool) -> OrderResult:
    """Total the live lines and confirm the order, or cancel it when none is
    left; the confirmation email is queued when something changed."""
    kept = list(order.lines.live().values_list("amount", flat=True))
    if not kept:
        # Every line removed: the order is cancelled, as by `cancel_order`.
        _mark_cancelled(order)
        return OrderResult(order=order, refused=refused)
    order.total = sum(kept, ZERO)
    order.status = Order.Status.CONFIRMED
    order.cancelled_at = None
    fields = ["total", "status", "cancelled_at", "updated_at"]
    if changed:
        order.confirmation_due_since = timezone.now()
        fields.append("confirmation_due_since")
    order.save(update_fields=fields)
    if changed:
        enqueue_on_commit(CONFIRMATION_TASK, order.pk)
    return OrderResult(order=order, refused=refused)


def _mark_cancelled(order: Order) -> None:
    order.status = Order.Status.CANCELLED
    order.cancelled_at = timezone.now()
    order.total = ZERO
    order.save(update_fields=["status", "cancelled_at", "total", "updated_at"])


@transaction.atomic
def cancel_order(order: Order, *, cancelled_by) -> Order:
    """Cancel an order while its cycle is open and give its stock back.

    Holds the cycle row shared, locks the order row, then decrements each
    offer in pk order (the same order as `place_order`, so the two never
    deadlock); whether the cycle is closed is read after the locks, as in
    `place_order`. The lines stay, as history; a cancelled order holds no
    stock.
    """
    distribution = Distribution.objects.only("cycle_id").get(pk=order.distribution_id)
    hold_cycle_for_booking(distribution.cycle_id)
    order = Order.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if order.member_id != cancelled_by.pk:
        raise PermissionDenied(_("Only the member who placed an order can cancel it."))
    distribution = _fresh_distribution(order.distribution)
    status = distribution.cycle.status_at(timezone.now())
    if status == distribution.cycle.Status.CLOSED:
        raise ValidationError(_closed_message(distribution.cycle), code="closed")
    if order.status == Order.Status.CANCELLED:
        raise ValidationError(
            _("This order is already cancelled."), code="already_cancelled"
        )
    changed_by(order, cancelled_by)
    lines = order.lines.live().values_list("offer_id", "quantity")
    for offer_id, quantity in sorted(lines):
        Offer.objects.filter(pk=offer_id).update(booked=F("booked") - quantity)
    _mark_cancelled(order)
    return order


def send_order_confirmation(*, order_id: int) -> bool:
    """Email the member the summary of their order as it stands now, once per
    change; returns whether it sent.

    The order's `confirmation_due_since` is cleared by a conditional update in
    the transaction that sends: a second delivery of the task, or the
    sweeper, finds nothing due and sends nothing; a failed send rolls back
    and leaves it due for the sweeper. Sends nothing for a cancelled or
    vanished order.
    """
    with transaction.atomic():
        claimed = (
            Order.objects.confirmed()
            .filter(pk=order_id, confirmation_due_since__isnull=False)
            .update(confirmation_due_since=None)
        )
        if not claimed:
            return False
        order = Order.objects.select_related(
            "member", "distribution__pickup_point", "distribution__cycle"
        ).get(pk=order_id)
        if not order.member.email:
            return False
        lines = list(
            order.lines.live()
            .select_related("offer__product__producer")
            .order_by("offer__product__producer__name", "offer__product__name")
        )
        send_templated_email(
            template="emails/orders/order_confirmed",
            to=[order.member.email],
            context={
                "order": order,
                "lines": lines,
                "distribution": order.distribution,
            },
        )
    return True
