"""What members owe and what they have paid, per collective, in a fixed number
of queries: instalments of active subscriptions, and the amounts due on
confirmed one-off orders (the order's total minus the payments received)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from amap.members.models import Collective
from amap.money import ZERO

from ..hooks import other_amounts_due, other_member_dues
from ..models import Instalment, Order, OrderPayment, Subscription


def _paid_subquery():
    paid = (
        OrderPayment.objects.filter(order=OuterRef("pk"))
        .values("order")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(
        Subquery(paid, output_field=DecimalField(max_digits=10, decimal_places=2)),
        Value(ZERO),
        output_field=DecimalField(max_digits=10, decimal_places=2),
    )


def orders_with_amounts(queryset=None):
    """Orders annotated with `paid` (sum of payments) and `due` (total − paid)."""
    queryset = Order.objects.all() if queryset is None else queryset
    return queryset.annotate(paid=_paid_subquery()).annotate(due=F("total") - F("paid"))


def collective_instalments(collective):
    """Instalments of the collective's active subscriptions, for the payments list."""
    return (
        Instalment.objects.filter(
            subscription__contract__collective=collective,
            subscription__status=Subscription.Status.ACTIVE,
        )
        .select_related(
            "subscription__member",
            "subscription__contract",
            "subscription__option",
            "recorded_by",
        )
        .order_by(
            "due_date",
            "subscription__member__last_name",
            "subscription__member__first_name",
            "subscription__contract__name",
            "number",
        )
    )


def collective_orders(collective, *, cancelled: bool = False):
    """Confirmed one-off orders of the collective with what is paid and due
    (and the cancelled ones too with `cancelled=True`, for their history)."""
    orders = Order.objects.filter(distribution__cycle__collective=collective)
    if not cancelled:
        orders = orders.confirmed()
    return (
        orders_with_amounts(orders)
        .select_related("member", "distribution__pickup_point")
        .order_by("distribution__date", "member__last_name", "member__first_name", "pk")
    )


def filter_payment_rows(instalments, orders, *, status="", query="", contract=None):
    """Apply the payments list's filters; a contract filter hides one-off orders."""
    if status == "unpaid":
        instalments = instalments.filter(paid_at__isnull=True)
        orders = orders.filter(due__gt=0)
    elif status == "paid":
        instalments = instalments.filter(paid_at__isnull=False)
        orders = orders.filter(due__lte=0)
    if query:
        for word in query.split():
            instalments = instalments.filter(
                Q(subscription__member__first_name__icontains=word)
                | Q(subscription__member__last_name__icontains=word)
                | Q(subscription__member__email__icontains=word)
            )
            orders = orders.filter(
                Q(member__first_name__icontains=word)
                | Q(member__last_name__icontains=word)
                | Q(member__email__icontains=word)
            )
    if contract is not None:
        instalments = instalments.filter(subscription__contract=contract)
        orders = orders.none()
    return instalments, orders


@dataclass
class CollectiveBalance:
    """A member's money in one collective: each instalment and order, and totals."""

    collective: Collective
    instalments: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    others: list = field(default_factory=list)  # hooks.OtherDue

    @property
    def total(self) -> Decimal:
        return (
            sum((i.amount for i in self.instalments), ZERO)
            + sum((o.total for o in self.orders), ZERO)
            + sum((o.total for o in self.others), ZERO)
        )

    @property
    def paid(self) -> Decimal:
        return (
            sum((i.amount for i in self.instalments if i.is_paid), ZERO)
            + sum((o.paid for o in self.orders), ZERO)
            + sum((o.paid for o in self.others), ZERO)
        )

    @property
    def due(self) -> Decimal:
        return (
            sum((i.amount for i in self.instalments if not i.is_paid), ZERO)
            + sum((max(o.due, ZERO) for o in self.orders), ZERO)
            + sum((o.due for o in self.others), ZERO)
        )


def member_balances(user) -> list[CollectiveBalance]:
    """Per collective (by name): the member's instalments, orders and what
    higher apps add (group purchases, see `hooks`). Two queries plus
    the providers' own (four for group purchases)."""
    balances: dict[int, CollectiveBalance] = {}

    def balance_for(collective):
        return balances.setdefault(collective.pk, CollectiveBalance(collective))

    instalments = (
        Instalment.objects.filter(
            subscription__member=user,
            subscription__status=Subscription.Status.ACTIVE,
        )
        .select_related(
            "subscription__contract__collective",
            "subscription__contract__producer",
            "subscription__option",
        )
        .order_by("due_date", "subscription__contract__name", "number")
    )
    for instalment in instalments:
        balance_for(instalment.subscription.contract.collective).instalments.append(
            instalment
        )
    orders = (
        orders_with_amounts(Order.objects.confirmed().filter(member=user))
        .filter(total__gt=0)
        .select_related("distribution__cycle__collective", "distribution__pickup_point")
        .order_by("distribution__date", "pk")
    )
    for order in orders:
        balance_for(order.distribution.cycle.collective).orders.append(order)
    for other in other_member_dues(user):
        balance_for(other.collective).others.append(other)
    return sorted(balances.values(), key=lambda b: b.collective.name.lower())


def amounts_due_by_member(collective, member_ids) -> dict[int, Decimal]:
    """What each of `member_ids` still owes `collective`, counted as
    `member_balances` does: unpaid instalments of active subscriptions plus
    the unpaid part of confirmed orders, plus what higher apps add (group
    purchases, see `hooks`). Members owing nothing are left out. Two
    queries whatever the number of members, plus the providers' own (two for
    group purchases)."""
    member_ids = set(member_ids)
    if not member_ids:
        return {}
    due: dict[int, Decimal] = {}
    instalments = (
        Instalment.objects.filter(
            subscription__contract__collective=collective,
            subscription__status=Subscription.Status.ACTIVE,
            subscription__member_id__in=member_ids,
            paid_at__isnull=True,
        )
        .order_by()
        .values("subscription__member_id")
        .annotate(total=Sum("amount"))
        .values_list("subscription__member_id", "total")
    )
    for member_id, amount in instalments:
        due[member_id] = due.get(member_id, ZERO) + amount
    orders = (
        orders_with_amounts(
            Order.objects.confirmed().filter(
                member_id__in=member_ids,
                distribution__cycle__collective=collective,
                total__gt=0,
            )
        )
        .filter(due__gt=0)
        .order_by()
        .values_list("member_id", "due")
    )
    for member_id, amount in orders:
        due[member_id] = due.get(member_id, ZERO) + amount
    for member_id, amount in other_amounts_due(collective, member_ids).items():
        due[member_id] = due.get(member_id, ZERO) + amount
    return {member_id: amount for member_id, amount in due.items() if amount > 0}
