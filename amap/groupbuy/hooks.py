"""What group purchases add to lower apps (see `amap.hooks`): the units a
member was allocated appear on the sheet of the campaign's distribution, what
they still owe on a campaign in their balance (`amap.orders.hooks`), and the
campaigns open for pledges on their dashboard (`amap.members.hooks`).
"""

from collections import defaultdict
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from amap import hooks
from amap.members.hooks import DASHBOARD_CARDS, DashboardCard
from amap.members.models import Membership
from amap.members.permissions import member_collectives
from amap.money import ZERO
from amap.orders.hooks import (
    AMOUNTS_DUE,
    COLLECTED_LINES,
    EXPORT_TABLES,
    MEMBER_DUES,
    CollectedLine,
    Column,
    OtherDue,
)
from amap.orders.models import PaymentMethod
from amap.orders.selectors.export import NUMBER, table

from .models import GroupPurchase, Payment, Pledge
from .selectors.campaigns import (
    SETTLED_STATUSES,
    amounts_due_by_member,
    collected_at,
    line_amount,
)
from .selectors.pledges import open_campaigns_for


@hooks.register(COLLECTED_LINES)
def sheet_lines(distributions) -> dict[tuple[int, int], list[CollectedLine]]:
    """One query (see `collected_at`)."""
    return {
        key: [
            CollectedLine(
                member=line.member,
                source=_("Group purchase: %(title)s") % {"title": line.campaign},
                name=line.name,
                unit=line.unit,
                quantity=Decimal(line.quantity),
                amount=line.amount,
            )
            for line in lines
        ]
        for key, lines in collected_at(distributions).items()
    }


@hooks.register(AMOUNTS_DUE)
def sheet_amounts_due(collective, member_ids) -> dict[int, Decimal]:
    """Two queries (see `amounts_due_by_member`)."""
    return amounts_due_by_member(collective, member_ids)


@hooks.register(MEMBER_DUES)
def member_dues(user) -> list[OtherDue]:
    """Per settled campaign, what the member was allocated and has paid.
    Four queries."""
    if not user.is_authenticated:
        return []
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    campaigns = {}
    pledges = Pledge.objects.filter(
        member=user, item__campaign__status__in=SETTLED_STATUSES, allocated__gt=0
    ).select_related("item__campaign")
    for pledge in pledges:
        campaign = pledge.item.campaign
        campaigns[campaign.pk] = campaign
        totals[campaign.pk] += line_amount(
            pledge.allocated, pledge.item.final_unit_price
        )
    if not campaigns:
        return []
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for campaign_id, amount in Payment.objects.filter(
        member=user, campaign_id__in=campaigns, cancelled_at__isnull=True
    ).values_list("campaign_id", "amount"):
        paid[campaign_id] += amount
    mine = {c.pk: c for c in member_collectives(user)}
    home: dict[int, object] = {}
    for campaign_id, collective_id in (
        campaigns[next(iter(campaigns))]
        .collectives.through.objects.filter(grouppurchase_id__in=campaigns)
        .order_by("collective__name")
        .values_list("grouppurchase_id", "collective_id")
    ):
        if collective_id in mine:
            home.setdefault(campaign_id, mine[collective_id])
    return [
        OtherDue(
            collective=home[pk],
            label=_("Group purchase: %(title)s") % {"title": campaign.title},
            total=totals[pk],
            paid=paid[pk],
            url=reverse("groupbuy:campaign_detail", args=[pk]),
        )
        for pk, campaign in campaigns.items()
        if pk in home
    ]


@hooks.register(DASHBOARD_CARDS)
def open_campaigns_card(user) -> DashboardCard:
    """The campaigns the member can pledge to now (one query, when shown)."""
    return DashboardCard(
        "groupbuy/includes/open_campaigns_card.html",
        {"campaigns": open_campaigns_for(user)},
    )


@hooks.register(EXPORT_TABLES)
def export_tables(collective):
    """The collective's group purchases, and the pledges and payments of its
    members in them (a campaign shared with another collective brings none of
    that collective's members), in three queries."""
    members = Membership.objects.filter(collective=collective).values("user")
    member_email = _("Member's email")
    return [
        table(
            "group_purchases",
            _("Group purchases"),
            GroupPurchase.objects.filter(collectives=collective)
            .select_related("producer")
            .order_by("closes_at", "pk"),
            Column("id", NUMBER, "pk", "id"),
            Column("title", _("Title"), "title"),
            Column("producer", _("Farm"), "producer.name"),
            Column("supplier", _("Supplier"), "supplier_name"),
            Column("status", _("Status"), "status", "choice", GroupPurchase.Status),
            Column("opens_at", _("Pledges open on"), "opens_at", "datetime"),
            Column("closes_at", _("Pledges close on"), "closes_at", "datetime"),
            Column(
                "distribution_id", _("Distribution number"), "distribution_id", "id"
            ),
        ),
        table(
            "group_purchase_pledges",
            _("Group purchase pledges"),
            Pledge.objects.filter(
                item__campaign__collectives=collective, member__in=members
            )
            .select_related("item__campaign", "member")
            .order_by("item__campaign_id", "item_id", "pledged_at", "pk"),
            Column("id", NUMBER, "pk", "id"),
            Column("campaign_id", _("Group purchase number"), "item.campaign_id", "id"),
            Column("item", _("Product"), "item.name"),
            Column("member", member_email, "member.email"),
            Column("quantity", _("Quantity"), "quantity", "number"),
            Column("tolerance", _("Extra units accepted"), "tolerance", "number"),
            Column("allocated", _("Allocated"), "allocated", "number"),
            Column("pledged_at", _("Pledged on"), "pledged_at", "datetime"),
        ),
        table(
            "group_purchase_payments",
            _("Group purchase payments"),
            Payment.objects.filter(campaign__collectives=collective, member__in=members)
            .select_related("member")
            .order_by("received_at", "pk"),
            Column("id", NUMBER, "pk", "id"),
            Column("campaign_id", _("Group purchase number"), "campaign_id", "id"),
            Column("member", member_email, "member.email"),
            Column("amount", _("Amount (€)"), "amount", "amount"),
            Column("method", _("Method"), "method", "choice", PaymentMethod),
            Column("reference", _("Reference"), "reference"),
            Column("received_at", _("Received on"), "received_at", "datetime"),
            Column("cancelled_at", _("Cancelled on"), "cancelled_at", "datetime"),
        ),
    ]
