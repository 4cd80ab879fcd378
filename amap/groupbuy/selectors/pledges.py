"""Reads for members: their campaigns, the live progress of a campaign (as
saved, or as it would be with the quantities a member is typing), and what
a member got once a campaign is allocated."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from amap.money import ZERO, line_amount

from ..allocation import ItemAllocation, ItemProgress, allocate, campaign_total
from ..allocation import item_progress as compute_item_progress
from ..models import GroupPurchase, Item, Pledge, PriceTier
from ..permissions import visible_campaigns
from ..selectors.campaigns import item_input

# Campaigns whose pledges were shared out: members see what they got.
RESULT_STATUSES = (
    GroupPurchase.Status.ALLOCATED,
    GroupPurchase.Status.ORDERED,
    GroupPurchase.Status.DELIVERED,
)


def _percent(part, whole) -> int:
    if not whole:
        return 0
    return max(0, min(100, int(Decimal(part) * 100 / Decimal(whole))))


@dataclass
class ItemRow:
    """One item of the pledge page, with its live figures."""

    item: Item
    tiers: list[PriceTier]
    progress: ItemProgress
    allocation: ItemAllocation
    pledge: Pledge | None  # the member's saved pledge
    quantity: int  # the member's quantity shown: typed, else saved
    tolerance: int
    share: int  # units the member would get if pledges closed now

    @property
    def units_in_open_case(self) -> int:
        return self.progress.base_units % self.progress.case_size

    @property
    def case_percent(self) -> int:
        """How full the case being filled is, with base quantities."""
        return _percent(self.units_in_open_case, self.progress.case_size)

    @property
    def tolerance_percent(self) -> int:
        """How much more of that case the tolerances would fill."""
        if not self.units_in_open_case:
            return 0
        extra = self.progress.max_units - self.progress.base_units
        return min(100 - self.case_percent, _percent(extra, self.progress.case_size))

    @property
    def completed_by_tolerances(self) -> bool:
        """The case being filled would still be ordered, thanks to tolerances."""
        return bool(self.units_in_open_case) and (
            self.progress.tolerance_cases > self.progress.full_cases
        )

    @property
    def tier_percent(self) -> int | None:
        upcoming = self.progress.next_tier
        if upcoming is None:
            return None
        return _percent(self.progress.cases, upcoming.min_cases)

    @property
    def share_amount(self) -> Decimal:
        return line_amount(self.share, self.allocation.unit_price)

    @property
    def changed(self) -> bool:
        saved = (self.pledge.quantity, self.pledge.tolerance) if self.pledge else (0, 0)
        return saved != (self.quantity, self.tolerance)


@dataclass
class CampaignProgress:
    campaign: GroupPurchase
    rows: list[ItemRow]
    total: Decimal  # what closing now would order, at the tiers reached
    member_total: Decimal  # the member's part of it
    preview: bool  # figures include values the member typed but did not save
    computed_at: object = field(default_factory=timezone.now)

    @property
    def minimum(self) -> Decimal:
        return self.campaign.minimum_order

    @property
    def minimum_reached(self) -> bool:
        return self.total >= self.minimum

    @property
    def minimum_percent(self) -> int:
        if not self.minimum:
            return 100
        return _percent(self.total, self.minimum)

    @property
    def missing_amount(self) -> Decimal:
        return max(ZERO, self.minimum - self.total)

    @property
    def changed(self) -> bool:
        return any(row.changed for row in self.rows)


def campaign_items(campaign: GroupPurchase) -> list[Item]:
    """The items in their order with their tiers (two queries)."""
    return list(
        Item.objects.filter(campaign=campaign).prefetch_related(
            Prefetch("tiers", queryset=PriceTier.objects.order_by("min_cases"))
        )
    )


def campaign_progress(
    campaign: GroupPurchase,
    member=None,
    typed: dict[int, tuple[int, int]] | None = None,
    *,
    items: list[Item] | None = None,
) -> CampaignProgress:
    """Every item's figures as if pledges closed now, in three queries (one
    when `items` come from `campaign_items`).

    `typed` (item pk → quantity, tolerance) replaces the member's saved
    pledges without saving anything: what the figures would be. An increase
    takes the place of a new pledge, as saving it would.
    """
    if items is None:
        items = campaign_items(campaign)
    typed = typed or {}
    now = timezone.now()
    by_item: dict[int, list[Pledge]] = defaultdict(list)
    mine: dict[int, Pledge] = {}
    member_id = member.pk if member is not None else None
    for pledge in Pledge.objects.filter(item__campaign=campaign).only(
        "pk", "item_id", "member_id", "quantity", "tolerance", "pledged_at"
    ):
        if pledge.member_id == member_id and member_id is not None:
            mine[pledge.item_id] = pledge
        else:
            by_item[pledge.item_id].append(pledge)

    rows = []
    inputs = []
    member_keys: dict[int, int] = {}
    for item in items:
        saved = mine.get(item.pk)
        quantity, tolerance = (saved.quantity, saved.tolerance) if saved else (0, 0)
        pledges = list(by_item[item.pk])
        if item.pk in typed:
            quantity, tolerance = typed[item.pk]
        if saved is not None or quantity or tolerance:
            pledged_at = saved.pledged_at if saved else now
            if saved and (quantity > saved.quantity or tolerance > saved.tolerance):
                pledged_at = now
            # An unsaved stand-in: a negative key cannot collide with a pk.
            stand_in = Pledge(
                pk=saved.pk if saved else -item.pk,
                item_id=item.pk,
                quantity=quantity,
                tolerance=tolerance,
                pledged_at=pledged_at,
            )
            pledges.append(stand_in)
            member_keys[item.pk] = stand_in.pk
        inputs.append(item_input(item, pledges))
        rows.append((item, saved, quantity, tolerance))

    allocations = allocate(inputs, campaign.policy)
    result = []
    member_total = ZERO
    for (item, saved, quantity, tolerance), item_in, allocation in zip(
        rows, inputs, allocations, strict=True
    ):
        key = member_keys.get(item.pk)
        share = allocation.shares.get(key, 0) if key is not None else 0
        row = ItemRow(
            item=item,
            tiers=list(item.tiers.all()),
            progress=compute_item_progress(item_in),
            allocation=allocation,
            pledge=saved,
            quantity=quantity,
            tolerance=tolerance,
            share=share,
        )
        member_total += row.share_amount
        result.append(row)
    return CampaignProgress(
        campaign=campaign,
        rows=result,
        total=campaign_total(allocations),
        member_total=member_total,
        preview=bool(typed),
    )


@dataclass
class ResultLine:
    item: Item
    pledge: Pledge

    @property
    def allocated(self) -> int:
        return self.pledge.allocated or 0

    @property
    def amount(self) -> Decimal:
        return line_amount(self.allocated, self.item.final_unit_price)


@dataclass
class MemberResult:
    lines: list[ResultLine]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


def member_result(campaign: GroupPurchase, member) -> MemberResult:
    """What the member asked and got on each item (one query)."""
    pledges = (
        Pledge.objects.filter(item__campaign=campaign, member=member)
        .select_related("item")
        .order_by("item__position", "item__pk")
    )
    return MemberResult(lines=[ResultLine(item=p.item, pledge=p) for p in pledges])


@dataclass
class CampaignSummary:
    """A campaign in the member's list, with their part in it."""

    campaign: GroupPurchase
    items_pledged: int = 0
    units_pledged: int = 0
    units_allocated: int = 0
    amount: Decimal = ZERO

    @property
    def has_result(self) -> bool:
        return self.campaign.status in RESULT_STATUSES


@dataclass
class MemberCampaigns:
    open: list[CampaignSummary]
    upcoming: list[CampaignSummary]
    past: list[CampaignSummary]


def member_campaigns(member, now=None) -> MemberCampaigns:
    """Campaigns of the member's collectives, open ones first, with what the
    member pledged or got (three queries)."""
    now = now or timezone.now()
    campaigns = list(
        visible_campaigns(member)
        .select_related("distribution__pickup_point", "producer")
        .order_by("closes_at", "pk")
    )
    summaries = {campaign.pk: CampaignSummary(campaign) for campaign in campaigns}
    for pledge in Pledge.objects.filter(
        item__campaign__in=list(summaries), member=member
    ).select_related("item"):
        summary = summaries[pledge.item.campaign_id]
        if pledge.quantity or pledge.tolerance:
            summary.items_pledged += 1
        summary.units_pledged += pledge.quantity
        if summary.has_result and pledge.allocated:
            summary.units_allocated += pledge.allocated
            summary.amount += line_amount(
                pledge.allocated, pledge.item.final_unit_price
            )
    result = MemberCampaigns(open=[], upcoming=[], past=[])
    for campaign in campaigns:
        summary = summaries[campaign.pk]
        if campaign.status == GroupPurchase.Status.OPEN and campaign.closes_at > now:
            if campaign.opens_at <= now:
                result.open.append(summary)
            else:
                result.upcoming.append(summary)
        else:
            result.past.append(summary)
    result.past.sort(key=lambda summary: summary.campaign.closes_at, reverse=True)
    return result


def open_campaigns_for(member, now=None):
    """Campaigns the member can pledge to right now (one query)."""
    return visible_campaigns(member).open(now).order_by("closes_at", "pk")
