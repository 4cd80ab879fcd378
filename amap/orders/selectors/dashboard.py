"""The member's home: what they collect next, where and when; cycles open to
book; their contracts, shifts, what they owe, and their past orders."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from amap.distribution.models import Distribution, OrderCycle, ShiftAssignment
from amap.members.permissions import member_collectives

from ..models import Absence, Order, Subscription
from .balances import member_balances

NEXT_DISTRIBUTIONS = 6
SHIFT_WEEKS = 6
HISTORY_LENGTH = 10


@dataclass
class NextDistribution:
    """One distribution the member collects at (or has given their basket away)."""

    distribution: Distribution
    order: Order | None = None
    baskets: list = field(default_factory=list)  # the member's subscriptions
    absence: Absence | None = None
    received: list = field(default_factory=list)  # absences giving them a basket

    @property
    def producers(self) -> list[tuple[object, list]]:
        """The order lines grouped by producer, in the order they were fetched."""
        groups: dict[int, tuple[object, list]] = {}
        for line in self.order.lines.all() if self.order else []:
            producer = line.offer.product.producer
            groups.setdefault(producer.pk, (producer, []))[1].append(line)
        return list(groups.values())


def member_dashboard(user, *, today: date | None = None) -> dict:
    """Everything the dashboard shows, in a fixed number of queries (about 12)."""
    today = today or timezone.localdate()
    upcoming = Distribution.objects.filter(date__gte=today, cancelled=False)
    orders = _upcoming_orders(user, upcoming)
    subscriptions = _subscriptions(user, upcoming)
    absences = _upcoming_absences(user, upcoming)
    booked = {order.distribution_id for order in orders}
    balances = member_balances(user)
    return {
        "next_distributions": _next_distributions(
            user, orders, subscriptions, absences
        ),
        "open_cycles": _open_cycles(user, upcoming, booked),
        "subscriptions": subscriptions,
        "shifts": _coming_shifts(user, today),
        "balances": balances,
        "total_due": sum(b.due for b in balances),
        "history": _past_orders(user, today),
    }


def _upcoming_orders(user, upcoming) -> list[Order]:
    """Confirmed orders for coming distributions, their lines by producer."""
    return list(
        Order.objects.confirmed()
        .filter(member=user, distribution__in=upcoming)
        .select_related("distribution__pickup_point", "distribution__cycle")
        .with_lines()
    )


def _subscriptions(user, upcoming) -> list[Subscription]:
    """Active subscriptions, the member's own or shared with them, each with
    its contract's coming deliveries (`upcoming_deliveries`)."""
    return list(
        Subscription.objects.active()
        .filter(Q(member=user) | Q(shared_with=user))
        .select_related("contract__producer", "contract__collective", "option")
        .select_related("member", "shared_with")
        .prefetch_related(
            Prefetch(
                "contract__deliveries",
                queryset=upcoming.select_related("pickup_point", "cycle").order_by(
                    "date", "starts_at"
                ),
                to_attr="upcoming_deliveries",
            )
        )
        .order_by("contract__name")
    )


def _upcoming_absences(user, upcoming) -> list[Absence]:
    """Coming absences of the member, and those giving them a basket."""
    return list(
        Absence.objects.filter(cancelled_at__isnull=True, distribution__in=upcoming)
        .filter(Q(member=user) | Q(given_to=user))
        .select_related("member", "given_to", "distribution__pickup_point")
    )


def _next_distributions(
    user, orders, subscriptions, absences
) -> list[NextDistribution]:
    """The distributions the member orders, subscribes or is given a basket
    for, soonest first; their own absence is shown on a distribution listed
    anyway, not as a reason to list it."""
    entries: dict[int, NextDistribution] = {}

    def entry_for(distribution) -> NextDistribution:
        if distribution.pk not in entries:
            entries[distribution.pk] = NextDistribution(distribution=distribution)
        return entries[distribution.pk]

    for order in orders:
        entry_for(order.distribution).order = order
    for subscription in subscriptions:
        for distribution in subscription.contract.upcoming_deliveries:
            entry_for(distribution).baskets.append(subscription)
    for absence in absences:
        if absence.member_id != user.pk:
            entry_for(absence.distribution).received.append(absence)
        elif absence.distribution_id in entries:
            entries[absence.distribution_id].absence = absence
    return sorted(
        entries.values(),
        key=lambda e: (e.distribution.date, e.distribution.starts_at),
    )[:NEXT_DISTRIBUTIONS]


def _open_cycles(user, upcoming, booked: set[int]) -> list[OrderCycle]:
    """Cycles open in the member's collectives, their distributions marked
    `is_booked` where the member has an order."""
    open_cycles = list(
        OrderCycle.objects.open()
        .filter(collective__in=member_collectives(user))
        .select_related("collective")
        .prefetch_related(
            Prefetch(
                "distributions",
                queryset=upcoming.select_related("pickup_point").order_by(
                    "date", "starts_at", "pickup_point__name"
                ),
            )
        )
        .order_by("closes_at")
    )
    for cycle in open_cycles:
        for distribution in cycle.distributions.all():
            distribution.is_booked = distribution.pk in booked
    return open_cycles


def _coming_shifts(user, today: date) -> list[ShiftAssignment]:
    return list(
        ShiftAssignment.objects.filter(
            user=user,
            shift__distribution__date__gte=today,
            shift__distribution__date__lte=today + timedelta(weeks=SHIFT_WEEKS),
            shift__distribution__cancelled=False,
        )
        .select_related("shift__distribution__pickup_point")
        .order_by("shift__distribution__date", "shift__starts_at")
    )


def _past_orders(user, today: date) -> list[Order]:
    return list(
        Order.objects.filter(member=user, distribution__date__lt=today)
        .select_related("distribution__pickup_point")
        .order_by("-distribution__date", "-pk")[:HISTORY_LENGTH]
    )
