"""What was booked from a farm in an order cycle: one-off order lines and the
contract baskets delivered at the cycle's distributions, totalled per product,
per distribution and per member. Fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum

from amap.distribution.models import Distribution, OrderCycle, UsualPickupPoint
from amap.money import ZERO

from ..models import Contract, OrderLine, Subscription


def producer_cycles(producer):
    """The cycles where the farm has offers, newest first, with what was booked."""
    amount = (
        OrderLine.objects.counted()
        .filter(offer__cycle=OuterRef("pk"), offer__product__producer=producer)
        .values("offer__cycle")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    lines = (
        OrderLine.objects.counted()
        .filter(offer__cycle=OuterRef("pk"), offer__product__producer=producer)
        .values("offer__cycle")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        OrderCycle.objects.filter(offers__product__producer=producer)
        .annotate(
            offer_count=Count("offers"),
            booked_amount=Subquery(
                amount, output_field=DecimalField(max_digits=12, decimal_places=2)
            ),
            line_count=Subquery(lines),
        )
        .select_related("collective")
        .order_by("-opens_at", "-pk")
    )


@dataclass
class ProductTotal:
    name: str
    unit: str  # a Product.Unit value
    quantity: Decimal = ZERO
    amount: Decimal = ZERO


@dataclass
class BasketTotal:
    contract: str
    option: str
    quantity: int = 0

    @property
    def name(self) -> str:
        return f"{self.contract} — {self.option}"


@dataclass
class MemberBookings:
    member: object
    distribution: object
    lines: list = field(default_factory=list)
    baskets: list = field(default_factory=list)

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def sort_key(self):
        member = self.member
        return (
            (member.last_name or member.email).lower(),
            member.first_name.lower(),
            self.distribution.date,
            self.distribution.pickup_point.name,
        )


class Totals:
    """The product and basket totals of a booking sheet, as
    orders/includes/totals_rows.html shows them."""

    products: dict
    baskets: dict

    @property
    def product_totals(self):
        return sorted(self.products.values(), key=lambda t: t.name.lower())

    @property
    def basket_totals(self):
        return sorted(self.baskets.values(), key=lambda t: t.name.lower())

    @property
    def amount(self) -> Decimal:
        return sum((t.amount for t in self.products.values()), ZERO)


@dataclass
class DistributionBookings(Totals):
    distribution: object
    products: dict = field(default_factory=dict)
    baskets: dict = field(default_factory=dict)
    members: list = field(default_factory=list)


@dataclass
class Basket:
    """A contract basket to prepare: `quantity` of one option for one member."""

    subscription: Subscription
    distribution: Distribution

    @property
    def quantity(self) -> int:
        return self.subscription.quantity

    @property
    def name(self) -> str:
        return f"{self.subscription.contract.name} — {self.subscription.option.name}"


@dataclass
class ProducerBookings(Totals):
    producer: object
    cycle: object
    products: dict = field(default_factory=dict)
    baskets: dict = field(default_factory=dict)
    distributions: list = field(default_factory=list)
    members: list = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.products and not self.baskets


def _add_line(totals: dict, line) -> None:
    product = line.offer.product
    total = totals.get(product.pk)
    if total is None:
        total = totals[product.pk] = ProductTotal(name=product.name, unit=product.unit)
    total.quantity += line.quantity
    total.amount += line.amount


def _add_basket(totals: dict, basket: Basket) -> None:
    option = basket.subscription.option
    total = totals.get(option.pk)
    if total is None:
        total = totals[option.pk] = BasketTotal(
            contract=basket.subscription.contract.name, option=option.name
        )
    total.quantity += basket.quantity


def _contract_baskets(producer, cycle, distributions) -> list[Basket]:
    """The baskets of the farm's contracts delivered at the cycle's distributions.

    When a contract delivers at several pickup points on the same day, each
    subscriber's basket goes to their usual pickup point if it is one of them,
    else to the first. Three queries.
    """
    by_pk = {d.pk: d for d in distributions}
    deliveries = defaultdict(list)  # contract pk -> its distributions this cycle
    for contract_id, distribution_id in (
        Contract.deliveries.through.objects.filter(
            distribution_id__in=by_pk,
            contract__producer=producer,
        )
        .exclude(contract__status=Contract.Status.CANCELLED)
        .values_list("contract_id", "distribution_id")
    ):
        deliveries[contract_id].append(by_pk[distribution_id])
    if not deliveries:
        return []
    subscriptions = list(
        Subscription.objects.active()
        .filter(contract_id__in=deliveries)
        .select_related("member", "shared_with", "contract", "option")
    )
    usual = {
        (user_id, collective_id): point_id
        for user_id, collective_id, point_id in UsualPickupPoint.objects.filter(
            user__in={s.member_id for s in subscriptions},
            collective_id=cycle.collective_id,
        ).values_list("user_id", "collective_id", "pickup_point_id")
    }
    baskets = []
    for subscription in subscriptions:
        by_day = defaultdict(list)
        for distribution in deliveries[subscription.contract_id]:
            by_day[distribution.date].append(distribution)
        point = usual.get((subscription.member_id, cycle.collective_id))
        for day_distributions in by_day.values():
            chosen = next(
                (d for d in day_distributions if d.pickup_point_id == point),
                day_distributions[0],
            )
            baskets.append(Basket(subscription=subscription, distribution=chosen))
    return baskets


def producer_bookings(producer, cycle) -> ProducerBookings:
    """Everything the farm prepares for the cycle; five queries whatever the size."""
    distributions = list(
        Distribution.objects.filter(cycle=cycle, cancelled=False)
        .select_related("pickup_point")
        .order_by("date", "starts_at", "pickup_point__name")
    )
    result = ProducerBookings(producer=producer, cycle=cycle)
    per_distribution = {
        d.pk: DistributionBookings(distribution=d) for d in distributions
    }
    per_member: dict[tuple[int, int], MemberBookings] = {}

    def member_entry(user, distribution):
        key = (user.pk, distribution.pk)
        if key not in per_member:
            per_member[key] = MemberBookings(member=user, distribution=distribution)
        return per_member[key]

    lines = (
        OrderLine.objects.counted()
        .filter(
            offer__cycle=cycle,
            offer__product__producer=producer,
            order__distribution__in=per_distribution,
        )
        .select_related("order__member", "offer__product")
        .order_by("offer__product__name", "pk")
    )
    for line in lines:
        entry = per_distribution[line.order.distribution_id]
        _add_line(result.products, line)
        _add_line(entry.products, line)
        member_entry(line.order.member, entry.distribution).lines.append(line)
    for basket in _contract_baskets(producer, cycle, distributions):
        entry = per_distribution[basket.distribution.pk]
        _add_basket(result.baskets, basket)
        _add_basket(entry.baskets, basket)
        member_entry(basket.subscription.member, basket.distribution).baskets.append(
            basket
        )
    result.members = sorted(per_member.values(), key=lambda m: m.sort_key)
    for member in result.members:
        per_distribution[member.distribution.pk].members.append(member)
    result.distributions = [
        entry for entry in per_distribution.values() if entry.members
    ]
    return result
