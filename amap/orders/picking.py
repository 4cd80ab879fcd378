"""A farm's picking list for an order cycle: as CSV, as a printable PDF, and
emailed to the farm once the cycle has closed."""

import csv
import io
import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from amap.distribution.models import OrderCycle
from amap.emails import send_templated_email
from amap.money import format_amount, format_number, unit_name
from amap.pdf import render_pdf
from amap.producers.models import Producer

from .models import Contract, OrderLine, PickingListSent, Subscription
from .selectors.producer_bookings import ProducerBookings, producer_bookings
from .spreadsheets import neutralise

logger = logging.getLogger(__name__)

# Cycles closed longer ago than this are not emailed: deploying the task must
# not send a picking list for every past week.
EMAIL_WINDOW = timedelta(days=7)


def _amount(value) -> str:
    """An amount cell a spreadsheet reads as a number: no thousands separator."""
    return format_amount(value, grouping=False)


def _quantity(value) -> str:
    return format_number(value, grouping=False)


def picking_list_filename(bookings: ProducerBookings, extension: str) -> str:
    name = slugify(f"{bookings.producer.slug}-{bookings.cycle.name}") or "commandes"
    return f"{name}.{extension}"


def picking_list_csv(bookings: ProducerBookings) -> str:
    """One row per member and item, then the totals per product and basket."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")

    def row(*cells):
        writer.writerow([neutralise(cell) for cell in cells])

    row(
        _("Date"),
        _("Pickup point"),
        _("Last name"),
        _("First name"),
        _("Item"),
        _("Quantity"),
        _("Unit"),
        _("Unit price (€)"),
        _("Amount (€)"),
    )
    for entry in bookings.members:
        member, distribution = entry.member, entry.distribution
        start = [
            distribution.date.isoformat(),
            distribution.pickup_point.name,
            member.last_name,
            member.first_name,
        ]
        for line in entry.lines:
            product = line.offer.product
            row(
                *start,
                product.name,
                _quantity(line.quantity),
                unit_name(product.unit),
                _amount(line.unit_price),
                _amount(line.amount),
            )
        for basket in entry.baskets:
            row(*start, basket.name, basket.quantity, _("basket"), "", "")
    row()
    row(
        _("Totals"),
        "",
        "",
        "",
        _("Item"),
        _("Quantity"),
        _("Unit"),
        "",
        _("Amount (€)"),
    )
    for total in bookings.product_totals:
        row(
            "",
            "",
            "",
            "",
            total.name,
            _quantity(total.quantity),
            unit_name(total.unit),
            "",
            _amount(total.amount),
        )
    for total in bookings.basket_totals:
        row("", "", "", "", total.name, total.quantity, _("basket"), "", "")
    row(_("Total"), "", "", "", "", "", "", "", _amount(bookings.amount))
    return buffer.getvalue()


def picking_list_pdf(bookings: ProducerBookings, request=None) -> bytes:
    return render_pdf(
        "pdf/orders/picking_list.html",
        {"bookings": bookings, "generated_at": timezone.now()},
        request=request,
    )


def _cycles_to_send(now):
    """(producer pk, cycle pk) pairs of recently closed cycles with bookings,
    whose picking list has not been sent yet. Four queries."""
    since = now - EMAIL_WINDOW
    cycle_ids = set(
        OrderCycle.objects.closed(now)
        .filter(Q(closes_at__gte=since) | Q(closed_at__gte=since))
        .values_list("pk", flat=True)
    )
    if not cycle_ids:
        return set()
    pairs = set(
        OrderLine.objects.counted()
        .filter(
            order__distribution__cycle__in=cycle_ids,
            order__distribution__cancelled=False,
        )
        .values_list("offer__product__producer", "order__distribution__cycle")
        .distinct()
    )
    pairs |= set(
        Contract.deliveries.through.objects.filter(
            distribution__cycle__in=cycle_ids,
            distribution__cancelled=False,
            contract__subscriptions__status=Subscription.Status.ACTIVE,
        )
        .exclude(contract__status=Contract.Status.CANCELLED)
        .values_list("contract__producer", "distribution__cycle")
        .distinct()
    )
    sent = set(
        PickingListSent.objects.filter(cycle__in=cycle_ids).values_list(
            "producer", "cycle"
        )
    )
    return pairs - sent


def send_picking_lists(now=None) -> int:
    """Email each farm's managers the picking list of every cycle that has
    closed (within the last week) with bookings for the farm, once.

    The `PickingListSent` row is created in the same transaction as the email
    is sent: a failure to send rolls it back and the next run tries again; a
    second run, or a concurrent one, finds the row and sends nothing.
    Returns the number of emails sent.
    """
    now = now or timezone.now()
    pairs = _cycles_to_send(now)
    if not pairs:
        return 0
    producers = Producer.objects.in_bulk({p for p, _c in pairs})
    cycles = OrderCycle.objects.select_related("collective").in_bulk(
        {c for _p, c in pairs}
    )
    sent = 0
    for producer_id, cycle_id in sorted(pairs, key=lambda pair: (pair[1], pair[0])):
        producer, cycle = producers[producer_id], cycles[cycle_id]
        recipients = sorted(
            {u.email for u in producer.managers.all() if u.is_active and u.email}
        ) or ([producer.email] if producer.email else [])
        if not recipients:
            logger.warning("No address to send %s's picking list to.", producer)
            continue
        try:
            # Laid out before the write transaction: rendering a PDF takes
            # seconds, and on SQLite a transaction holds the whole database.
            bookings = producer_bookings(producer, cycle)
            attachment = (
                picking_list_filename(bookings, "pdf"),
                picking_list_pdf(bookings),
                "application/pdf",
            )
            with transaction.atomic():
                PickingListSent.objects.create(producer=producer, cycle=cycle)
                for email in recipients:
                    send_templated_email(
                        template="emails/orders/picking_list",
                        to=[email],
                        context={"bookings": bookings},
                        attachments=[attachment],
                    )
        except IntegrityError:
            # Another run recorded it meanwhile: that run sends it, not this one.
            continue
        except Exception:
            # Nothing recorded: the next run tries again; other farms still get theirs.
            logger.exception("Could not send %s's picking list for %s", producer, cycle)
            continue
        sent += len(recipients)
    return sent
