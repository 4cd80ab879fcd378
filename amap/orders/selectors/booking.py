"""Reads for the orders pages, each in a fixed number of queries."""

from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q

from amap.distribution.models import Distribution, OrderCycle, UsualPickupPoint
from amap.members.permissions import member_collectives
from amap.producers.models import Offer, Producer

from ..models import Order, OrderLine


def members_with_orders_for(distribution):
    """The members with a confirmed order for `distribution` (one query)."""
    return (
        get_user_model()
        .objects.filter(
            orders__distribution=distribution,
            orders__status=Order.Status.CONFIRMED,
        )
        .distinct()
    )


def member_distributions(user):
    """Distributions a member may book for: their collectives', not cancelled."""
    return Distribution.objects.active().filter(
        cycle__collective__in=member_collectives(user)
    )


def bookable_distributions(user, now=None) -> list[Distribution]:
    """Distributions of the open cycles of the member's collectives, the usual
    pickup point first, each with `my_order` (the member's order or None).
    Two queries."""
    usual = UsualPickupPoint.objects.filter(
        user=user, pickup_point=OuterRef("pickup_point")
    )
    distributions = list(
        member_distributions(user)
        .filter(cycle__in=OrderCycle.objects.open(now))
        .select_related("cycle__collective", "pickup_point")
        .annotate(is_usual=Exists(usual))
        .order_by("-is_usual", "date", "starts_at", "pickup_point__name")
    )
    orders = {
        order.distribution_id: order
        for order in Order.objects.filter(
            member=user, distribution__in=[d.pk for d in distributions]
        )
    }
    for distribution in distributions:
        distribution.my_order = orders.get(distribution.pk)
    return distributions


@dataclass
class ProducerOffers:
    producer: Producer
    offers: list[Offer]


@dataclass
class BookingPage:
    """What the booking page shows: offers by producer, the member's order and
    current quantities (`quantities[offer_pk]`, only for a confirmed order)."""

    distribution: Distribution
    order: Order | None
    groups: list[ProducerOffers]
    quantities: dict[int, Decimal] = field(default_factory=dict)

    @property
    def offers(self) -> list[Offer]:
        return [offer for group in self.groups for offer in group.offers]

    @property
    def is_open(self) -> bool:
        return self.distribution.cycle.is_open and not self.distribution.cancelled


def booking_page(member, distribution: Distribution) -> BookingPage:
    """Every offer of the distribution's cycle, grouped by producer, with what
    remains, and the member's order. Three queries whatever the number of
    offers: the order, its lines, the offers with product and producer.

    Offers of archived products are left out, unless the member has booked
    them (so the line can still be lowered or removed).
    """
    order = (
        Order.objects.filter(member=member, distribution=distribution)
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.live().select_related(
                    "offer__product__producer"
                ),
            )
        )
        .first()
    )
    quantities = {}
    if order is not None and order.status == Order.Status.CONFIRMED:
        quantities = {line.offer_id: line.quantity for line in order.lines.all()}
    offers = (
        Offer.objects.for_cycle(distribution.cycle_id)
        .filter(Q(product__active=True) | Q(pk__in=list(quantities)))
        .select_related("product__producer")
        .order_by("product__producer__name", "product__producer_id", "product__name")
    )
    groups = [
        ProducerOffers(producer=producer, offers=list(items))
        for producer, items in groupby(offers, key=lambda o: o.product.producer)
    ]
    return BookingPage(
        distribution=distribution, order=order, groups=groups, quantities=quantities
    )


def order_with_lines(queryset, pk) -> Order:
    """One order of `queryset` with its distribution and lines (two queries)."""
    return (
        queryset.select_related(
            "distribution__cycle", "distribution__pickup_point", "member"
        )
        .with_lines()
        .get(pk=pk)
    )
