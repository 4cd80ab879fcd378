"""Recording money received: instalments of subscriptions and payments of
one-off orders. No card payments: organisers record cheques, transfers and
cash by hand, and can undo a mistake."""

import logging
from collections.abc import Iterable
from decimal import Decimal
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from amap.history import changed_by
from amap.members.permissions import organised_collectives
from amap.money import ZERO, finite_decimal, format_euros, is_whole_cents

from ..models import Instalment, Order, OrderPayment, PaymentMethod, Subscription
from .documents import touch_member_sheets

logger = logging.getLogger(__name__)

REFERENCE_MAX_LENGTH = 100


def _require_organiser_of(user, collective_ids: set[int]) -> None:
    allowed = set(
        organised_collectives(user)
        .filter(pk__in=collective_ids)
        .values_list("pk", flat=True)
    )
    if not collective_ids or allowed != set(collective_ids):
        raise PermissionDenied(_("Only the collective's organisers can do this."))


def _touch_sheets_on_commit(member_ids: set[int], collective_ids: set[int]) -> None:
    """The sheets show what each member still owes: rebuild those they are on."""
    transaction.on_commit(
        partial(
            touch_member_sheets, member_ids=member_ids, collective_ids=collective_ids
        )
    )


def _check_method(method: str) -> None:
    if method not in PaymentMethod.values:
        raise ValidationError(
            {"method": _("Choose how the money was received.")}, code="method"
        )


def _clean_reference(reference) -> str:
    reference = (reference or "").strip()
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise ValidationError(
            _("A reference has at most %(max)d characters.")
            % {"max": REFERENCE_MAX_LENGTH},
            code="reference",
        )
    return reference


def _instalment_label(instalment: Instalment) -> str:
    return _("%(member)s, %(contract)s, instalment %(number)d") % {
        "member": instalment.subscription.member,
        "contract": instalment.subscription.contract,
        "number": instalment.number,
    }


@transaction.atomic
def mark_instalments_paid(
    *,
    instalments: Iterable[Instalment],
    method: str,
    references: dict | None = None,
    recorded_by,
    paid_at=None,
) -> list[Instalment]:
    """Mark instalments as received, all or none.

    `references` maps an instalment's pk (int or str) to its cheque number or
    transfer label. Locks the instalment rows, so two organisers ticking the
    same cheque cannot both record it. Three queries whatever the number.
    """
    references = {str(key): value for key, value in (references or {}).items()}
    ids = {instalment.pk for instalment in instalments}
    if not ids:
        raise ValidationError(_("Select at least one instalment."), code="empty")
    _check_method(method)
    locked = list(
        Instalment.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("subscription__member", "subscription__contract")
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise ValidationError(_("An instalment no longer exists."), code="missing")
    _require_organiser_of(
        recorded_by, {i.subscription.contract.collective_id for i in locked}
    )
    paid_at = paid_at or timezone.now()
    for instalment in locked:
        if instalment.subscription.status != Subscription.Status.ACTIVE:
            raise ValidationError(
                _("%(instalment)s: the subscription is cancelled.")
                % {"instalment": _instalment_label(instalment)},
                code="cancelled",
            )
        if instalment.is_paid:
            raise ValidationError(
                _("%(instalment)s is already marked as received.")
                % {"instalment": _instalment_label(instalment)},
                code="already_paid",
            )
        instalment.paid_at = paid_at
        instalment.method = method
        instalment.reference = _clean_reference(references.get(str(instalment.pk)))
        instalment.recorded_by = recorded_by
    bulk_update_with_history(
        locked,
        Instalment,
        ["paid_at", "method", "reference", "recorded_by"],
        default_user=recorded_by,
    )
    _touch_sheets_on_commit(
        {i.subscription.member_id for i in locked},
        {i.subscription.contract.collective_id for i in locked},
    )
    return locked


@transaction.atomic
def cancel_instalment_payment(*, instalment: Instalment, cancelled_by) -> Instalment:
    """Undo a payment recorded by mistake: the instalment is due again.

    The instalment keeps who undid it in `recorded_by`; its history keeps
    the date, method and reference it had, and who undid it when.
    """
    instalment = (
        Instalment.objects.select_for_update(of=("self",))
        .select_related("subscription__member", "subscription__contract")
        .get(pk=instalment.pk)
    )
    _require_organiser_of(
        cancelled_by, {instalment.subscription.contract.collective_id}
    )
    if not instalment.is_paid:
        raise ValidationError(
            _("%(instalment)s is not marked as received.")
            % {"instalment": _instalment_label(instalment)},
            code="not_paid",
        )
    logger.info(
        "Instalment %s payment undone by user %s (was %s %s on %s)",
        instalment.pk,
        cancelled_by.pk,
        instalment.method,
        instalment.reference,
        instalment.paid_at,
    )
    instalment.paid_at = None
    instalment.method = ""
    instalment.reference = ""
    instalment.recorded_by = cancelled_by
    changed_by(instalment, cancelled_by)
    instalment.save(update_fields=["paid_at", "method", "reference", "recorded_by"])
    _touch_sheets_on_commit(
        {instalment.subscription.member_id},
        {instalment.subscription.contract.collective_id},
    )
    return instalment


def _paid_by_order(order_ids) -> dict[int, Decimal]:
    return dict(
        OrderPayment.objects.filter(order_id__in=order_ids)
        .values("order_id")
        .annotate(total=Sum("amount"))
        .values_list("order_id", "total")
    )


def _check_order(order: Order) -> None:
    if order.status != Order.Status.CONFIRMED:
        raise ValidationError(
            _("The order of %(member)s is cancelled: nothing is due.")
            % {"member": order.member},
            code="cancelled",
        )


@transaction.atomic
def record_order_payment(
    *,
    order: Order,
    amount: Decimal,
    method: str,
    reference: str = "",
    received_by,
    received_at=None,
) -> OrderPayment:
    """Record money received for a one-off order; never more than is still due.

    Locks the order row, so two payments recorded at once cannot overpay it.
    """
    order = (
        Order.objects.select_for_update(of=("self",))
        .select_related("member", "distribution__cycle")
        .get(pk=order.pk)
    )
    _require_organiser_of(received_by, {order.distribution.cycle.collective_id})
    _check_order(order)
    _check_method(method)
    number = finite_decimal(amount)
    if number is None:  # not a number, NaN, an infinity, True or False
        raise ValidationError({"amount": _("Enter an amount in euros.")})
    amount = number
    if amount <= 0:
        raise ValidationError(
            {"amount": _("The amount must be more than zero.")}, code="not_positive"
        )
    if not is_whole_cents(amount):
        raise ValidationError(
            {"amount": _("The amount has at most two decimals (cents).")},
            code="cents",
        )
    due = order.total - _paid_by_order([order.pk]).get(order.pk, ZERO)
    if amount > due:
        raise ValidationError(
            {
                "amount": _(
                    "Only %(due)s is still due on this order: record at most that."
                )
                % {"due": format_euros(due)}
            },
            code="too_much",
        )
    payment = OrderPayment(
        order=order,
        amount=amount,
        method=method,
        reference=_clean_reference(reference),
        received_at=received_at or timezone.now(),
        recorded_by=received_by,
    )
    payment.full_clean()
    changed_by(payment, received_by)
    payment.save()
    _touch_sheets_on_commit({order.member_id}, {order.distribution.cycle.collective_id})
    return payment


@transaction.atomic
def mark_orders_paid(
    *,
    orders: Iterable[Order],
    method: str,
    references: dict | None = None,
    received_by,
    received_at=None,
) -> list[OrderPayment]:
    """Record, for each order, a payment of everything still due on it.

    All or none; locks the order rows. Four queries whatever the number.
    """
    references = {str(key): value for key, value in (references or {}).items()}
    ids = {order.pk for order in orders}
    if not ids:
        raise ValidationError(_("Select at least one order."), code="empty")
    _check_method(method)
    locked = list(
        Order.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("member", "distribution__cycle")
        .order_by("pk")
    )
    if len(locked) != len(ids):
        raise ValidationError(_("An order no longer exists."), code="missing")
    _require_organiser_of(
        received_by, {o.distribution.cycle.collective_id for o in locked}
    )
    paid = _paid_by_order(ids)
    received_at = received_at or timezone.now()
    payments = []
    for order in locked:
        _check_order(order)
        due = order.total - paid.get(order.pk, ZERO)
        if due <= 0:
            raise ValidationError(
                _("The order of %(member)s is already paid.")
                % {"member": order.member},
                code="already_paid",
            )
        payments.append(
            OrderPayment(
                order=order,
                amount=due,
                method=method,
                reference=_clean_reference(references.get(str(order.pk))),
                received_at=received_at,
                recorded_by=received_by,
            )
        )
    _touch_sheets_on_commit(
        {o.member_id for o in locked},
        {o.distribution.cycle.collective_id for o in locked},
    )
    return bulk_create_with_history(payments, OrderPayment, default_user=received_by)


@transaction.atomic
def mark_paid(
    *,
    instalments: list[Instalment],
    orders: list[Order],
    method: str,
    instalment_references: dict | None = None,
    order_references: dict | None = None,
    received_by,
) -> int:
    """The bulk form of the payments page: instalments and orders received
    together, all or none. Returns how many were marked."""
    if instalments:
        mark_instalments_paid(
            instalments=instalments,
            method=method,
            references=instalment_references,
            recorded_by=received_by,
        )
    if orders:
        mark_orders_paid(
            orders=orders,
            method=method,
            references=order_references,
            received_by=received_by,
        )
    return len(instalments) + len(orders)
