"""Demo group purchases for the first demo collective: citrus from Sicily open
for pledges, and a coffee order already allocated and partly paid.

Built through the services, so the demo shows what real use produces.
Idempotent: a campaign that already exists (same collective and title) is
left alone. Members are marked as already told, so building the demo sends
no email.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from amap.distribution.models import Distribution
from amap.members.models import Membership

from .models import GroupPurchase, Payment, Pledge, Policy
from .services.campaigns import create_campaign
from .services.items import add_item
from .services.lifecycle import close_campaign, open_campaign
from .services.payments import record_payment

CITRUS = "Agrumes de Sicile"
COFFEE = "Café d'une coopérative du Chiapas"

# (quantity, tolerance) per member: the totals stop a few units short of a
# case, and the tolerances complete it.
ORANGES = [(5, 2), (3, 0), (4, 1), (6, 0), (2, 0), (5, 1), (3, 0), (4, 2), (5, 0),
           (2, 0), (3, 1), (4, 0)]  # fmt: skip
LEMONS = [(2, 1), (1, 0), (3, 0), (2, 1), (1, 0), (2, 0), (1, 1), (1, 0)]
CLEMENTINES = [(4, 1), (3, 0), (5, 0), (2, 0), (3, 0), (2, 0)]
COFFEE_BAGS = [(2, 0), (1, 1), (3, 0), (1, 0), (2, 1), (1, 0), (2, 0), (1, 0),
               (3, 1), (2, 0), (1, 0), (1, 1), (2, 0), (1, 0), (2, 0)]  # fmt: skip


def _coming_distribution(collective, *, after_days: int) -> Distribution | None:
    return (
        Distribution.objects.filter(
            cycle__collective=collective,
            cancelled=False,
            date__gte=timezone.localdate() + dt.timedelta(days=after_days),
        )
        .order_by("date", "starts_at")
        .first()
    )


def _pledges(item, members, amounts, *, since) -> None:
    now = timezone.now()
    Pledge.objects.bulk_create(
        Pledge(
            item=item,
            member_id=member_id,
            quantity=quantity,
            tolerance=tolerance,
            pledged_at=since + dt.timedelta(hours=7 * number + 3),
            notified_at=now,
        )
        for number, (member_id, (quantity, tolerance)) in enumerate(
            zip(members, amounts, strict=False)
        )
    )


def _citrus(collective, organiser, members) -> GroupPurchase | None:
    distribution = _coming_distribution(collective, after_days=10)
    if distribution is None:
        return None
    now = timezone.now()
    campaign = create_campaign(
        created_by=organiser,
        collectives=[collective],
        title=CITRUS,
        description=(
            "Oranges, citrons et clémentines bio de la coopérative Le Galline "
            "Felici, en caisses complètes. Plus nous commandons de caisses, "
            "plus le prix baisse pour tout le monde."
        ),
        supplier_name="Le Galline Felici",
        supplier_contact="ordini@gallinefelici.example.org",
        opens_at=now - dt.timedelta(days=4),
        closes_at=distribution.start_datetime - dt.timedelta(days=3),
        distribution=distribution,
        minimum_order=Decimal("250"),
        policy=Policy.FAIR_SHARE,
    )
    items = [
        ("Oranges", 10, [(0, "2.60"), (5, "2.30"), (10, "2.10")], ORANGES),
        ("Citrons", 5, [(0, "3.20"), (4, "2.90")], LEMONS),
        ("Clémentines", 10, [(0, "2.80"), (3, "2.50")], CLEMENTINES),
    ]
    for name, case_size, tiers, _amounts in items:
        add_item(
            campaign=campaign,
            added_by=organiser,
            name=name,
            case_size=case_size,
            tiers=[(cases, Decimal(price)) for cases, price in tiers],
        )
    open_campaign(campaign, opened_by=organiser)
    for item, (_name, _size, _tiers, amounts) in zip(
        campaign.items.order_by("position"), items, strict=True
    ):
        offset = {"Oranges": 0, "Citrons": 12, "Clémentines": 18}[item.name]
        chosen = (members[offset:] + members[:offset])[: len(amounts)]
        _pledges(item, chosen, amounts, since=now - dt.timedelta(days=4))
    return campaign


def _coffee(collective, organiser, members) -> GroupPurchase | None:
    distribution = _coming_distribution(collective, after_days=3)
    if distribution is None:
        return None
    now = timezone.now()
    campaign = create_campaign(
        created_by=organiser,
        collectives=[collective],
        title=COFFEE,
        description=(
            "Café arabica bio torréfié à Nantes, en sachets de 1 kg (grains ou "
            "moulu), vendu par cartons de 6."
        ),
        supplier_name="Torréfaction coopérative Sol y Café",
        supplier_contact="02 40 00 00 00",
        opens_at=now - dt.timedelta(days=20),
        closes_at=now - dt.timedelta(days=2),
        distribution=distribution,
        minimum_order=Decimal("150"),
        policy=Policy.FAIR_SHARE,
    )
    add_item(
        campaign=campaign,
        added_by=organiser,
        name="Café arabica bio, 1 kg",
        unit="piece",
        case_size=6,
        tiers=[(0, Decimal("16.50")), (3, Decimal("15.20"))],
    )
    # Opened while the closing date was still ahead.
    GroupPurchase.objects.filter(pk=campaign.pk).update(
        status=GroupPurchase.Status.OPEN
    )
    item = campaign.items.get()
    _pledges(item, members, COFFEE_BAGS, since=now - dt.timedelta(days=19))
    close_campaign(campaign, now=now - dt.timedelta(days=2))
    campaign.refresh_from_db()
    item.refresh_from_db()
    paying = list(
        Pledge.objects.filter(item=item, allocated__gt=0).order_by("member_id")[:6]
    )
    for number, pledge in enumerate(paying):
        record_payment(
            campaign=campaign,
            member=pledge.member,
            amount=pledge.allocated * item.final_unit_price
            if number % 3
            else Decimal("10.00"),
            method=["cheque", "transfer", "cash"][number % 3],
            reference=f"Chèque n° {4711 + number}" if number % 3 == 0 else "",
            received_by=organiser,
            received_at=now - dt.timedelta(days=1),
        )
    return campaign


@transaction.atomic
def build_group_purchases(*, collectives, organiser) -> list[GroupPurchase]:
    """The two demo campaigns in the first collective `organiser` organises.
    Returns the campaigns created (none on a second run)."""
    if isinstance(collectives, dict):
        collectives = list(collectives.values())
    collective = next(
        (
            c
            for c in collectives
            if Membership.objects.organisers()
            .filter(collective=c, user=organiser)
            .exists()
        ),
        None,
    )
    if collective is None:
        return []
    members = list(
        Membership.objects.active()
        .filter(collective=collective, role=Membership.Role.MEMBER)
        .order_by("user_id")
        .values_list("user_id", flat=True)[:25]
    )
    existing = set(
        GroupPurchase.objects.filter(collectives=collective).values_list(
            "title", flat=True
        )
    )
    created = []
    for title, build in ((CITRUS, _citrus), (COFFEE, _coffee)):
        if title not in existing:
            campaign = build(collective, organiser, members)
            if campaign is not None:
                created.append(campaign)
    return created


def remove_demo_group_purchases(collective_slugs) -> None:
    """Remove the demo collectives' campaigns (payments and pledges protect
    their campaign and items, so they go first)."""
    campaigns = GroupPurchase.objects.filter(collectives__slug__in=collective_slugs)
    ids = list(campaigns.values_list("pk", flat=True))
    Payment.objects.filter(campaign_id__in=ids).delete()
    Pledge.objects.filter(item__campaign_id__in=ids).delete()
    GroupPurchase.objects.filter(pk__in=ids).delete()
