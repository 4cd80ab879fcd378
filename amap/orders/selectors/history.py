"""What happened to an order or an instalment, for the organisers' pages.

Read from django-simple-history's tables: each save (or bulk write through
`simple_history.utils`) left a full copy of the row with when, who and how
(`+` created, `~` changed, `-` deleted). Consecutive copies of one row are
compared here, in Python, so a page takes a fixed number of queries however
long its history.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..models import Instalment, Order, OrderLine, OrderPayment


@dataclass
class HistoryEntry:
    """One change, as `orders/includes/history.html` draws it by `kind`:

    - `order_placed`, `order_cancelled`, `order_confirmed` (booked again);
    - `line_added`, `line_changed`, `line_removed` (`product`, `unit`,
      `before`, `after`: quantities), `line_set` (`after`; the first copy of
      a line saved before history was kept);
    - `payment_received`, `payment_removed` (`amount`, `method`, `reference`,
      `received_at`);
    - `instalment_scheduled` (`amount`, `due_date`), `instalment_changed`
      (`amount`, `due_date`), `instalment_paid` and `instalment_undone`
      (`received_at`, `method`, `reference` received, or that were).
    """

    when: datetime
    who: object | None
    kind: str
    product: str = ""
    unit: str = ""
    before: Decimal | None = None
    after: Decimal | None = None
    amount: Decimal | None = None
    method: str = ""
    reference: str = ""
    received_at: datetime | None = None
    due_date: object = None


def _pairs(records):
    """Each record with the previous one of the same row (None for the first),
    in the order given."""
    previous = {}
    for record in records:
        yield previous.get(record.id), record
        previous[record.id] = record


def _by_date(queryset):
    return queryset.select_related("history_user").order_by(
        "history_date", "history_id"
    )


def _order_entries(order_pk: int) -> list[HistoryEntry]:
    entries = []
    for before, record in _pairs(_by_date(Order.history.filter(id=order_pk))):
        entry = HistoryEntry(when=record.history_date, who=record.history_user, kind="")
        if before is None and record.history_type == "+":
            entry.kind = "order_placed"
        elif (before.status if before else None) != record.status:
            entry.kind = (
                "order_cancelled"
                if record.status == Order.Status.CANCELLED
                else "order_confirmed"
            )
        else:
            continue  # a new total: the lines' entries say why
        entries.append(entry)
    return entries


def _line_entries(order_pk: int) -> list[HistoryEntry]:
    entries = []
    records = _by_date(
        OrderLine.history.filter(order_id=order_pk).select_related("offer__product")
    )
    for before, record in _pairs(records):
        if before is None and record.history_type == "~":
            # Saved before history was kept: what it was is not known.
            old = None
        else:
            old = before.quantity if before is not None else Decimal(0)
        if old == record.quantity or record.history_type == "-":
            continue
        if old is None:
            kind = "line_set"
        elif not old:
            kind = "line_added"
        elif not record.quantity:
            kind = "line_removed"
        else:
            kind = "line_changed"
        product = record.offer.product
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind=kind,
                product=product.name,
                unit=product.unit,
                before=old,
                after=record.quantity,
            )
        )
    return entries


def _payment_entries(order_pk: int) -> list[HistoryEntry]:
    entries = []
    for record in _by_date(OrderPayment.history.filter(order_id=order_pk)):
        if record.history_type == "~":
            continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                kind="payment_received"
                if record.history_type == "+"
                else "payment_removed",
                amount=record.amount,
                method=record.get_method_display(),
                reference=record.reference,
                received_at=record.received_at,
            )
        )
    return entries


def order_history(order: Order) -> list[HistoryEntry]:
    """The order's changes, its lines' and its payments', newest first: three
    queries."""
    entries = (
        _order_entries(order.pk) + _line_entries(order.pk) + _payment_entries(order.pk)
    )
    return sorted(entries, key=lambda entry: entry.when, reverse=True)


def instalment_history(instalment: Instalment) -> list[HistoryEntry]:
    """The instalment's changes, newest first: one query. An undone payment
    keeps the date, method and reference it had."""
    entries = []
    for before, record in _pairs(_by_date(instalment.history.all())):
        entry = HistoryEntry(
            when=record.history_date,
            who=record.history_user,
            kind="",
            amount=record.amount,
            due_date=record.due_date,
        )
        paid = None  # the copy whose payment the entry shows
        if before is None and record.history_type == "+":
            entry.kind = "instalment_scheduled"
        elif before is None:  # saved before history was kept
            if record.paid_at is None:
                continue
            entry.kind, paid = "instalment_paid", record
        elif before.paid_at is None and record.paid_at is not None:
            entry.kind, paid = "instalment_paid", record
        elif before.paid_at is not None and record.paid_at is None:
            entry.kind, paid = "instalment_undone", before
        elif (before.amount, before.due_date) != (record.amount, record.due_date):
            entry.kind = "instalment_changed"
        else:
            continue
        if paid is not None:
            entry.received_at = paid.paid_at
            entry.method = paid.get_method_display()
            entry.reference = paid.reference
        entries.append(entry)
    return sorted(entries, key=lambda entry: entry.when, reverse=True)
