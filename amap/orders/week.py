"""The week's dashboard for a collective's organisers: the coming
distributions with their orders, baskets and volunteers, what members still
owe, and the farms that have not published their stock for the open cycles.

Everything is read in a fixed number of queries (about twelve) whatever the
number of distributions, orders, members and producers.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from amap.distribution.models import Distribution, OrderCycle
from amap.members.models import User
from amap.money import ZERO, format_number, round_cents
from amap.producers.models import Offer, Producer

from .models import Absence, Instalment, Order, Subscription
from .selectors.balances import orders_with_amounts
from .selectors.contracts import baskets_for_distributions

WEEK = timedelta(days=7)


@dataclass
class WeekDistribution:
    """One row of the dashboard."""

    distribution: Distribution
    cycle_status: str
    orders: int
    total: Decimal
    baskets: Decimal = ZERO

    @property
    def baskets_text(self) -> str:
        return format_number(self.baskets)

    @property
    def people_needed(self) -> int:
        return self.distribution.people_needed

    @property
    def volunteers(self) -> int:
        return self.distribution.volunteers

    @property
    def short_of_volunteers(self) -> bool:
        """Shifts planned and not enough people signed up, or no shift at all."""
        return self.people_needed == 0 or self.volunteers < self.people_needed


@dataclass
class MissingOffers:
    """The partner farms without any offer in one open cycle."""

    cycle: OrderCycle
    producers: list = field(default_factory=list)


@dataclass
class UnpaidMoney:
    count: int = 0
    amount: Decimal = ZERO


@dataclass
class WeekDashboard:
    start: date
    end: date
    is_current: bool
    rows: list[WeekDistribution]
    unpaid_instalments: UnpaidMoney
    unpaid_orders: UnpaidMoney
    missing_offers: list[MissingOffers]

    @property
    def previous_start(self) -> date:
        return self.start - WEEK

    @property
    def next_start(self) -> date:
        return self.start + WEEK

    @property
    def total_orders(self) -> int:
        return sum(row.orders for row in self.rows)

    @property
    def total_euros(self) -> Decimal:
        return sum((row.total for row in self.rows), ZERO)

    @property
    def unpaid_amount(self) -> Decimal:
        return self.unpaid_instalments.amount + self.unpaid_orders.amount

    @property
    def unpaid_count(self) -> int:
        return self.unpaid_instalments.count + self.unpaid_orders.count


def _confirmed_orders(field_name: str, aggregate, output_field):
    orders = (
        Order.objects.confirmed()
        .filter(distribution=OuterRef("pk"))
        .order_by()
        .values("distribution")
        .annotate(value=aggregate(field_name))
        .values("value")
    )
    return Subquery(orders, output_field=output_field)


def _distributions(collective, start: date, end: date, open_cycle_ids) -> list:
    """Active distributions of the week (and of the open cycles), with shift
    coverage, confirmed orders and their total. One query."""
    in_range = Q(date__gte=start, date__lte=end)
    if open_cycle_ids:
        in_range |= Q(cycle_id__in=open_cycle_ids)
    money = DecimalField(max_digits=12, decimal_places=2)
    return list(
        Distribution.objects.for_collective(collective)
        .active()
        .filter(in_range)
        .with_details()
        .annotate(
            order_count=Coalesce(_confirmed_orders("pk", Count, IntegerField()), 0),
            order_total=Coalesce(
                _confirmed_orders("total", Sum, money), ZERO, output_field=money
            ),
        )
        .order_by("date", "starts_at", "pickup_point__name")
    )


def _basket_counts(distributions) -> dict[int, Decimal]:
    """Contract baskets to hand over per distribution: a basket kept for later
    is not handed over; a split basket counts for one half per person."""
    counts: dict[int, Decimal] = {}
    for basket in baskets_for_distributions(distributions):
        if basket.absence is not None and basket.absence.fate == Absence.Fate.KEPT:
            continue
        key = basket.distribution.pk
        counts[key] = counts.get(key, ZERO) + basket.quantity
    return counts


def unpaid_money(collective, *, today: date) -> tuple[UnpaidMoney, UnpaidMoney]:
    """(instalments due by `today` and not received, confirmed orders of past
    distributions not fully paid), each as a count and an amount. Two queries."""
    instalments = Instalment.objects.filter(
        subscription__contract__collective=collective,
        subscription__status=Subscription.Status.ACTIVE,
        paid_at__isnull=True,
        due_date__lte=today,
    ).aggregate(count=Count("pk"), amount=Sum("amount"))
    orders = (
        orders_with_amounts(
            Order.objects.confirmed().filter(
                distribution__cycle__collective=collective,
                distribution__date__lt=today,
                total__gt=0,
            )
        )
        .filter(due__gt=0)
        .aggregate(count=Count("pk"), amount=Sum("due"))
    )
    return (
        UnpaidMoney(instalments["count"], round_cents(instalments["amount"] or ZERO)),
        UnpaidMoney(orders["count"], round_cents(orders["amount"] or ZERO)),
    )


def producer_mailto(producer, cycle) -> str:
    """A mailto link to the farm (its contact address, else its accounts')
    asking for its stock for `cycle`; empty when nobody can be written to."""
    addresses = [producer.email] if producer.email else []
    if not addresses:
        addresses = [user.email for user in producer.managers.all() if user.email]
    if not addresses:
        return ""
    subject = _("Your stock for %(cycle)s") % {"cycle": cycle.name}
    return f"mailto:{','.join(addresses)}?subject={quote(subject)}"


def missing_offers(collective, open_cycles) -> list[MissingOffers]:
    """For each open cycle, the active partner farms without any offer in it.
    Three queries (none without an open cycle)."""
    if not open_cycles:
        return []
    producers = list(
        Producer.objects.active()
        .supplying(collective)
        .prefetch_related(
            Prefetch("managers", queryset=User.objects.only("pk", "email"))
        )
        .order_by("name")
    )
    published = set(
        Offer.objects.filter(cycle__in=open_cycles)
        .order_by()
        .values_list("cycle_id", "product__producer_id")
        .distinct()
    )
    result = []
    for cycle in open_cycles:
        missing = MissingOffers(cycle=cycle)
        for producer in producers:
            if (cycle.pk, producer.pk) not in published:
                producer.mailto = producer_mailto(producer, cycle)
                missing.producers.append(producer)
        result.append(missing)
    return result


def week_dashboard(
    collective, *, start: date | None = None, now: datetime | None = None
) -> WeekDashboard:
    """The dashboard of the seven days from `start` (default: today). The
    current week also shows every distribution of a cycle open now."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = start or today
    end = start + timedelta(days=6)
    is_current = start == today
    open_cycles = list(
        OrderCycle.objects.filter(collective=collective).open(now).order_by("closes_at")
    )
    distributions = _distributions(
        collective, start, end, [c.pk for c in open_cycles] if is_current else []
    )
    baskets = _basket_counts(distributions)
    rows = [
        WeekDistribution(
            distribution=distribution,
            cycle_status=distribution.cycle.status_at(now),
            orders=distribution.order_count,
            total=round_cents(distribution.order_total),
            baskets=baskets.get(distribution.pk, ZERO),
        )
        for distribution in distributions
    ]
    unpaid_instalments, unpaid_orders = unpaid_money(collective, today=today)
    return WeekDashboard(
        start=start,
        end=end,
        is_current=is_current,
        rows=rows,
        unpaid_instalments=unpaid_instalments,
        unpaid_orders=unpaid_orders,
        missing_offers=missing_offers(collective, open_cycles),
    )
