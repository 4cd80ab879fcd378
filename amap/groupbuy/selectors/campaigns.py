"""Reads for group purchases, each in a fixed number of queries.

`item_inputs` is the one place where database rows become the plain inputs
of the allocation module (amap/groupbuy/allocation.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q

from amap.money import ZERO, line_amount

from .. import allocation
from ..models import GroupPurchase, Item, Payment, Pledge, PriceTier

# Campaigns whose allocation stands: members owe and collect what it gave.
SETTLED_STATUSES = (
    GroupPurchase.Status.ALLOCATED,
    GroupPurchase.Status.ORDERED,
    GroupPurchase.Status.DELIVERED,
)


def item_input(item, pledges: Iterable, tiers: Iterable | None = None):
    """One item as an allocation input: `item` an Item (its `tiers`
    prefetched, unless `tiers` is given), `pledges` anything with `pk`,
    `quantity`, `tolerance` and `pledged_at` (saved pledges or stand-ins)."""
    tiers = item.tiers.all() if tiers is None else tiers
    return allocation.ItemInput(
        key=item.pk,
        case_size=item.case_size,
        min_cases=item.min_cases,
        max_cases=item.max_cases,
        tiers=tuple(
            allocation.Tier(min_cases=tier.min_cases, unit_price=tier.unit_price)
            for tier in sorted(tiers, key=lambda tier: tier.min_cases)
        ),
        pledges=tuple(
            allocation.PledgeInput(
                key=pledge.pk,
                quantity=pledge.quantity,
                tolerance=pledge.tolerance,
                pledged_at=pledge.pledged_at,
            )
            for pledge in pledges
        ),
    )


def item_inputs(campaign) -> list[allocation.ItemInput]:
    """The campaign's items as allocation inputs, in display order. Two
    queries: the items joined to their tiers, then the pledges."""
    rows = (
        Item.objects.filter(campaign=campaign)
        .order_by("position", "pk", "tiers__min_cases")
        .values(
            "pk",
            "case_size",
            "min_cases",
            "max_cases",
            "tiers__min_cases",
            "tiers__unit_price",
        )
    )
    items: dict[int, Item] = {}
    tiers: dict[int, list[PriceTier]] = defaultdict(list)
    for row in rows:
        items.setdefault(
            row["pk"],
            Item(
                pk=row["pk"],
                case_size=row["case_size"],
                min_cases=row["min_cases"],
                max_cases=row["max_cases"],
            ),
        )
        if row["tiers__min_cases"] is not None:
            tiers[row["pk"]].append(
                PriceTier(
                    min_cases=row["tiers__min_cases"],
                    unit_price=row["tiers__unit_price"],
                )
            )
    pledges: dict[int, list[Pledge]] = defaultdict(list)
    for pledge in Pledge.objects.filter(item__campaign=campaign).only(
        "pk", "item_id", "quantity", "tolerance", "pledged_at"
    ):
        pledges[pledge.item_id].append(pledge)
    return [item_input(item, pledges[pk], tiers[pk]) for pk, item in items.items()]


# Organiser pages -------------------------------------------------------------


def organiser_campaigns(collective):
    """A collective's campaigns for its organisers, newest closing first, with
    their item and pledging-member counts. One query."""
    return (
        GroupPurchase.objects.filter(collectives=collective)
        .select_related("producer", "distribution__pickup_point")
        .annotate(
            item_count=Count("items", distinct=True),
            member_count=Count(
                "items__pledges__member",
                filter=Q(items__pledges__quantity__gt=0),
                distinct=True,
            ),
        )
        .order_by("-closes_at", "pk")
    )


@dataclass
class ItemRow:
    item: Item
    tiers: list[PriceTier]
    pledges: list[Pledge]
    progress: allocation.ItemProgress
    allocated_units: int = 0

    @property
    def pledge_count(self) -> int:
        return sum(1 for pledge in self.pledges if pledge.quantity > 0)

    @property
    def ordered_units(self) -> int:
        return (self.item.cases_ordered or 0) * self.item.case_size

    @property
    def ordered_amount(self) -> Decimal:
        return line_amount(self.ordered_units, self.item.final_unit_price)

    @property
    def progress_percent(self) -> int:
        """How full the next case is, for a progress bar."""
        size = self.item.case_size
        return min(100, round(100 * (self.progress.base_units % size) / size))


@dataclass
class MemberLine:
    item: Item
    pledge: Pledge
    amount: Decimal


@dataclass
class MemberRow:
    member: object
    lines: list[MemberLine] = field(default_factory=list)
    paid: Decimal = ZERO

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def due(self) -> Decimal:
        return self.amount - self.paid


@dataclass
class CampaignDetail:
    campaign: GroupPurchase
    items: list[ItemRow]
    members: list[MemberRow]
    payments: list[Payment]
    # What closing now would order (open campaigns) or what was ordered.
    total: Decimal
    allocations: list[allocation.ItemAllocation]

    @property
    def minimum_met(self) -> bool:
        return self.total >= self.campaign.minimum_order

    @property
    def minimum_percent(self) -> int:
        if not self.campaign.minimum_order:
            return 100
        return min(100, int(100 * self.total / self.campaign.minimum_order))

    @property
    def ordered_total(self) -> Decimal:
        return sum((row.ordered_amount for row in self.items), ZERO)

    @property
    def amount_due(self) -> Decimal:
        return sum((row.due for row in self.members), ZERO)


def campaign_detail(campaign: GroupPurchase) -> CampaignDetail:
    """Items with tiers, live figures, pledges per member and the allocation
    (as it stands, or as closing now would make it). Five queries whatever
    the number of pledges."""
    items = list(
        Item.objects.filter(campaign=campaign).prefetch_related(
            Prefetch("tiers", queryset=PriceTier.objects.order_by("min_cases"))
        )
    )
    pledges = list(
        Pledge.objects.filter(item__campaign=campaign)
        .select_related("member")
        .order_by("pledged_at", "pk")
    )
    payments = list(
        Payment.objects.filter(campaign=campaign)
        .select_related("member", "recorded_by")
        .order_by("received_at", "pk")
    )
    by_item: dict[int, list[Pledge]] = defaultdict(list)
    for pledge in pledges:
        by_item[pledge.item_id].append(pledge)

    rows = []
    for item in items:
        tiers = list(item.tiers.all())
        item_pledges = by_item[item.pk]
        inputs = item_input(item, item_pledges, tiers)
        rows.append(
            ItemRow(
                item=item,
                tiers=tiers,
                pledges=item_pledges,
                progress=allocation.item_progress(inputs),
                allocated_units=sum(p.allocated or 0 for p in item_pledges),
            )
        )
    settled = campaign.status in SETTLED_STATUSES
    if settled:
        allocations = []
        total = sum((row.ordered_amount for row in rows), ZERO)
    else:
        allocations = allocation.allocate(
            [item_input(row.item, row.pledges, row.tiers) for row in rows],
            campaign.policy,
        )
        total = allocation.campaign_total(allocations)

    items_by_pk = {item.pk: item for item in items}
    members: dict[int, MemberRow] = {}
    for pledge in sorted(
        pledges, key=lambda p: (p.member.last_name.lower(), p.member_id, p.item_id)
    ):
        if pledge.quantity == 0 and not pledge.allocated:
            continue
        item = items_by_pk[pledge.item_id]
        row = members.setdefault(pledge.member_id, MemberRow(member=pledge.member))
        amount = (
            line_amount(pledge.allocated or 0, item.final_unit_price)
            if settled
            else ZERO
        )
        row.lines.append(MemberLine(item=item, pledge=pledge, amount=amount))
    for payment in payments:
        if payment.cancelled_at is None and payment.member_id in members:
            members[payment.member_id].paid += payment.amount
    return CampaignDetail(
        campaign=campaign,
        items=rows,
        members=list(members.values()),
        payments=payments,
        total=total,
        allocations=allocations,
    )


# Supplier order --------------------------------------------------------------


@dataclass(frozen=True)
class OrderLine:
    name: str
    unit: str
    case_size: int
    cases: int
    units: int
    unit_price: Decimal | None
    amount: Decimal


@dataclass(frozen=True)
class SupplierOrder:
    campaign: GroupPurchase
    lines: list[OrderLine]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def cases(self) -> int:
        return sum(line.cases for line in self.lines)


def supplier_order(campaign: GroupPurchase) -> SupplierOrder:
    """What the campaign orders: the items with cases, at their final tier
    price. One query (the campaign's supplier and distribution are expected
    to be selected by the caller)."""
    lines = []
    for item in Item.objects.filter(campaign=campaign, cases_ordered__gt=0):
        assert item.cases_ordered is not None
        units = item.cases_ordered * item.case_size
        lines.append(
            OrderLine(
                name=item.name,
                unit=item.unit,
                case_size=item.case_size,
                cases=item.cases_ordered,
                units=units,
                unit_price=item.final_unit_price,
                amount=line_amount(units, item.final_unit_price),
            )
        )
    return SupplierOrder(campaign=campaign, lines=lines)


# For the distribution sheets and the members' balances -----------------------


@dataclass(frozen=True)
class CollectedLine:
    campaign_id: int
    campaign: str
    name: str
    unit: str
    quantity: int
    unit_price: Decimal | None
    amount: Decimal
    supplier: str
    member: object = None


def collected_at(distributions) -> dict[tuple[int, int], list[CollectedLine]]:
    """What each member collects from group purchases at these distributions
    (a queryset or an iterable of distributions or ids), keyed by
    (distribution id, member id). One query."""
    ids = [getattr(d, "pk", d) for d in distributions]
    pledges = (
        Pledge.objects.filter(
            item__campaign__distribution_id__in=ids,
            item__campaign__status__in=SETTLED_STATUSES,
            allocated__gt=0,
        )
        .select_related("item__campaign__producer", "member")
        .order_by(
            "item__campaign__title", "item__campaign_id", "item__position", "item_id"
        )
    )
    lines: dict[tuple[int, int], list[CollectedLine]] = defaultdict(list)
    for pledge in pledges:
        item = pledge.item
        campaign = item.campaign
        assert campaign.distribution_id is not None and pledge.allocated is not None
        lines[(campaign.distribution_id, pledge.member_id)].append(
            CollectedLine(
                campaign_id=campaign.pk,
                campaign=campaign.title,
                name=item.name,
                unit=item.unit,
                quantity=pledge.allocated,
                unit_price=item.final_unit_price,
                amount=line_amount(pledge.allocated, item.final_unit_price),
                supplier=campaign.supplier_display,
                member=pledge.member,
            )
        )
    return dict(lines)


def amounts_due_by_member(collective, member_ids=None) -> dict[int, Decimal]:
    """What members still owe on the collective's allocated, ordered or
    delivered group purchases: allocated amounts minus payments not cancelled.
    Members who owe nothing (or paid ahead) are left out. Two queries."""
    pledges = Pledge.objects.filter(
        item__campaign__collectives=collective,
        item__campaign__status__in=SETTLED_STATUSES,
        allocated__gt=0,
    )
    payments = Payment.objects.filter(
        campaign__collectives=collective,
        campaign__status__in=SETTLED_STATUSES,
        cancelled_at__isnull=True,
    )
    if member_ids is not None:
        member_ids = list(member_ids)
        pledges = pledges.filter(member_id__in=member_ids)
        payments = payments.filter(member_id__in=member_ids)
    due: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for member_id, allocated, price in pledges.values_list(
        "member_id", "allocated", "item__final_unit_price"
    ):
        due[member_id] += line_amount(allocated, price)
    for member_id, amount in payments.values_list("member_id", "amount"):
        due[member_id] -= amount
    return {member_id: amount for member_id, amount in due.items() if amount > 0}


def member_amount(campaign: GroupPurchase, member) -> Decimal:
    """What the allocation gives `member` to pay on `campaign`."""
    return sum(
        (
            line_amount(allocated, price)
            for allocated, price in Pledge.objects.filter(
                item__campaign=campaign, member=member, allocated__gt=0
            ).values_list("allocated", "item__final_unit_price")
        ),
        ZERO,
    )
