"""Who collects which contract basket at a distribution, and the absences.

Rules, in this order:

- A subscription delivers at its contract's distributions (cancelled ones
  aside; draft and cancelled contracts deliver nothing). When the contract
  delivers at several pickup points on the same day, the basket goes to the
  subscriber's usual pickup point if it is one of them, else to the first
  (as in the producer's bookings).
- Deliveries are numbered by day, 1st, 2nd, 3rd… over the contract's season.
- Shared basket, "alternate": the subscriber collects the 1st, 3rd, 5th…
  deliveries (odd numbers, counting from 1), the partner the 2nd, 4th…
- Shared basket, "split": each of them collects half of the quantity.
- An absence at the distribution applies to whoever should collect: a basket
  given to a member shows under the recipient (`given_by` says by whom); a
  basket for the solidarity pool or kept for later stays under the absent
  member with the absence attached, for the sheets.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from amap.distribution.models import Distribution, UsualPickupPoint
from amap.members.models import User

from ..models import Absence, Contract, ContractOption, Subscription

HALF = Decimal("0.5")


@dataclass(frozen=True)
class ContractBasket:
    """One basket (or half of one) to hand over at a distribution."""

    member: User  # the person who collects it
    option: ContractOption
    quantity: Decimal
    shared_note: str
    absence: Absence | None
    subscription: Subscription
    distribution: Distribution
    given_by: User | None = None  # the absent member who gave it, if any

    @property
    def contract(self) -> Contract:
        return self.subscription.contract


def _deliveries(contract_ids) -> dict[int, list[tuple]]:
    """contract pk -> its non-cancelled deliveries as sorted tuples (one query)."""
    rows = (
        Contract.deliveries.through.objects.filter(
            contract_id__in=contract_ids, distribution__cancelled=False
        )
        .values_list(
            "contract_id",
            "distribution_id",
            "distribution__date",
            "distribution__starts_at",
            "distribution__pickup_point__name",
            "distribution__pickup_point_id",
        )
        .order_by(
            "distribution__date",
            "distribution__starts_at",
            "distribution__pickup_point__name",
            "distribution_id",
        )
    )
    result = defaultdict(list)
    for contract_id, *rest in rows:
        result[contract_id].append(tuple(rest))
    return result


def _place_baskets(subscriptions, deliveries, usual, wanted: set[int]):
    """Yield (subscription, distribution pk, delivery number) where the
    subscription's basket lands on one of the `wanted` distributions."""
    for subscription in subscriptions:
        by_day = defaultdict(list)
        for row in deliveries.get(subscription.contract_id, []):
            by_day[row[1]].append(row)
        point = usual.get((subscription.member_id, subscription.contract.collective_id))
        for number, day in enumerate(sorted(by_day), start=1):
            rows = by_day[day]
            chosen = next((r for r in rows if r[4] == point), rows[0])
            if chosen[0] in wanted:
                yield subscription, chosen[0], number


def _split_into_shares(subscription, number):
    """(who, quantity, note) for each person collecting at this delivery."""
    quantity = Decimal(subscription.quantity)
    partner = subscription.shared_with
    if subscription.sharing == Subscription.Sharing.ALTERNATE and partner:
        if number % 2 == 1:
            return [
                (
                    subscription.member,
                    quantity,
                    _("Shared basket: alternates with %(name)s") % {"name": partner},
                )
            ]
        return [
            (
                partner,
                quantity,
                _("Shared basket of %(name)s (alternate deliveries)")
                % {"name": subscription.member},
            )
        ]
    if subscription.sharing == Subscription.Sharing.SPLIT and partner:
        return [
            (
                subscription.member,
                quantity * HALF,
                _("½ basket shared with %(name)s") % {"name": partner},
            ),
            (
                partner,
                quantity * HALF,
                _("½ basket shared with %(name)s") % {"name": subscription.member},
            ),
        ]
    return [(subscription.member, quantity, "")]


def _baskets(distributions, *, member=None) -> list[ContractBasket]:
    """The baskets landing on `distributions`; five queries whatever the size.

    With `member`, only the baskets that person collects.
    """
    by_pk = {d.pk: d for d in distributions}
    if not by_pk:
        return []
    contract_ids = _delivered_contract_ids(by_pk)
    if not contract_ids:
        return []
    absences = {
        (a.member_id, a.distribution_id): a
        for a in Absence.objects.filter(
            distribution_id__in=by_pk, cancelled_at__isnull=True
        ).select_related("member", "given_to")
    }
    subscriptions = _subscriptions(contract_ids, absences, member=member)
    if not subscriptions:
        return []
    placed = _place_baskets(
        subscriptions,
        _deliveries({s.contract_id for s in subscriptions}),
        _usual_points(subscriptions),
        set(by_pk),
    )
    baskets = []
    for subscription, distribution_id, number in placed:
        for who, quantity, note in _split_into_shares(subscription, number):
            basket = _basket(
                subscription,
                who,
                quantity,
                note,
                absence=absences.get((who.pk, distribution_id)),
                distribution=by_pk[distribution_id],
            )
            if member is None or basket.member.pk == member.pk:
                baskets.append(basket)
    baskets.sort(
        key=lambda b: (
            b.distribution.date,
            (b.member.last_name or "").lower(),
            (b.member.first_name or "").lower(),
            b.member.pk,
            b.subscription.contract.name,
        )
    )
    return baskets


def _delivered_contract_ids(distribution_ids) -> set[int]:
    """Contracts (neither draft nor cancelled) delivering at any of them."""
    return set(
        Contract.deliveries.through.objects.filter(distribution_id__in=distribution_ids)
        .exclude(
            contract__status__in=[Contract.Status.DRAFT, Contract.Status.CANCELLED]
        )
        .values_list("contract_id", flat=True)
    )


def _subscriptions(contract_ids, absences: dict, *, member=None) -> list:
    """Active subscriptions of the contracts; with `member`, only those whose
    baskets they may collect: their own, their partner's, and those of people
    giving them a basket."""
    subscriptions = Subscription.objects.active().filter(contract_id__in=contract_ids)
    if member is not None:
        givers = {a.member_id for a in absences.values() if a.given_to_id == member.pk}
        subscriptions = subscriptions.filter(
            Q(member=member)
            | Q(shared_with=member)
            | Q(member_id__in=givers)
            | Q(shared_with_id__in=givers)
        )
    return list(
        subscriptions.select_related(
            "member", "shared_with", "option", "contract__producer"
        ).order_by("contract__name", "pk")
    )


def _usual_points(subscriptions) -> dict[tuple[int, int], int]:
    """(member pk, collective pk) → the pickup point they usually collect at."""
    return {
        (user_id, collective_id): point_id
        for user_id, collective_id, point_id in UsualPickupPoint.objects.filter(
            user__in={s.member_id for s in subscriptions},
            collective_id__in={s.contract.collective_id for s in subscriptions},
        ).values_list("user_id", "collective_id", "pickup_point_id")
    }


def _basket(subscription, who, quantity, note, *, absence, distribution):
    """One share of a basket; given away by an absence, its collector is the
    person it was given to."""
    collector, given_by = who, None
    if absence is not None and absence.fate == Absence.Fate.GIVEN:
        collector, given_by = absence.given_to, who
    return ContractBasket(
        member=collector,
        option=subscription.option,
        quantity=quantity,
        shared_note=note,
        absence=absence,
        subscription=subscription,
        distribution=distribution,
        given_by=given_by,
    )


def baskets_for_distributions(distributions) -> list[ContractBasket]:
    """Every contract basket handed over at any of `distributions`, sorted by
    date, then collector; five queries whatever the number of distributions."""
    return _baskets(list(distributions))


def member_baskets(member, distributions) -> dict[int, list[ContractBasket]]:
    """What `member` collects at each of `distributions`: distribution pk ->
    baskets (their own, their partner's turn, baskets given to them)."""
    result = defaultdict(list)
    for basket in _baskets(list(distributions), member=member):
        result[basket.distribution.pk].append(basket)
    return dict(result)


def absences_for_distribution(distribution: Distribution) -> list[Absence]:
    """The absences announced for a distribution (cancelled ones aside), for
    organisers and the distribution sheets; one query."""
    return list(
        Absence.objects.filter(distribution=distribution, cancelled_at__isnull=True)
        .select_related("member", "given_to")
        .order_by("member__last_name", "member__first_name", "pk")
    )
