"""Organisers running a group purchase: the campaign and its items, opening,
closing with the allocation, the decisions when the minimum order is not
met, the order and delivery, and the payments members make.

Every write locks the campaign row first (`_lock`), as pledging does, so a
pledge is saved either before the allocation reads the pledges or not at all.
Members and organisers are emailed after commit (amap/groupbuy/tasks.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from amap.background import enqueue_on_commit
from amap.distribution.hooks import sheet_touched_on_commit
from amap.distribution.models import Distribution
from amap.members.permissions import organised_collectives
from amap.orders.models import PaymentMethod
from amap.producers.models import MAX_PRICE, Partnership, Producer

from .. import allocation
from ..models import (
    MAX_CASES,
    MAX_UNITS,
    GroupPurchase,
    Item,
    Payment,
    Pledge,
    PriceTier,
)
from ..permissions import require_campaign_organiser
from ..selectors.campaigns import SETTLED_STATUSES, item_inputs, line_amount

logger = logging.getLogger(__name__)

Status = GroupPurchase.Status
ZERO = Decimal("0.00")

# Fields an organiser may still change once members pledge.
CHANGEABLE_WHEN_OPEN = {
    "title",
    "description",
    "supplier_contact",
    "closes_at",
    "distribution",
    "minimum_order",
}
CAMPAIGN_FIELDS = (
    "title",
    "description",
    "producer",
    "supplier_name",
    "supplier_contact",
    "opens_at",
    "closes_at",
    "distribution",
    "minimum_order",
    "policy",
)


def _date(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _lock(campaign: GroupPurchase) -> GroupPurchase:
    """The campaign row, locked until the end of the transaction."""
    return GroupPurchase.objects.select_for_update().get(pk=campaign.pk)


def _refuse_unless(campaign: GroupPurchase, *statuses: str, message: str) -> None:
    if campaign.status not in statuses:
        raise ValidationError(message, code="status")


# The campaign ------------------------------------------------------------------


def _check_campaign(
    *,
    campaign: GroupPurchase,
    collective_ids: set[int],
    allowed_collective_ids: set[int],
    previous_collective_ids: set[int],
) -> None:
    """Every rule on the campaign's own fields; errors keyed by field."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if not collective_ids:
        add("collectives", _("Choose at least one collective."))
    changed = collective_ids ^ previous_collective_ids
    if changed - allowed_collective_ids:
        add(
            "collectives",
            _("You can only add or remove collectives you organise."),
        )
    if collective_ids and not collective_ids & allowed_collective_ids:
        add("collectives", _("Choose at least one collective you organise."))
    if not campaign.title.strip():
        add("title", _("Give the group purchase a title."))
    if campaign.producer_id and campaign.supplier_name.strip():
        add(
            "supplier_name",
            _(
                "Choose a producer of the network or name an outside supplier, "
                "not both."
            ),
        )
    elif not campaign.producer_id and not campaign.supplier_name.strip():
        add(
            "supplier_name",
            _("Choose a producer of the network or name an outside supplier."),
        )
    elif (
        campaign.producer_id
        and not Partnership.objects.filter(
            producer_id=campaign.producer_id, collective_id__in=collective_ids
        ).exists()
    ):
        add(
            "producer",
            _("This producer does not supply any of the chosen collectives."),
        )
    if (
        campaign.opens_at
        and campaign.closes_at
        and campaign.closes_at <= campaign.opens_at
    ):
        add("closes_at", _("Pledges must close after they open."))
    if campaign.minimum_order is None or campaign.minimum_order < 0:
        add("minimum_order", _("The minimum order cannot be negative."))
    elif campaign.minimum_order > MAX_PRICE:
        add("minimum_order", _("This minimum order is too large."))
    if campaign.distribution_id:
        distribution = Distribution.objects.select_related("cycle").get(
            pk=campaign.distribution_id
        )
        if distribution.cycle.collective_id not in collective_ids:
            add(
                "distribution",
                _("Choose a distribution of one of the chosen collectives."),
            )
        elif distribution.cancelled:
            add("distribution", _("This distribution is cancelled."))
        elif campaign.closes_at and distribution.start_datetime <= campaign.closes_at:
            add(
                "distribution",
                _("The distribution must take place after pledges close."),
            )
    if errors:
        raise ValidationError(errors)


def _organised_ids(user, collectives: Iterable) -> tuple[set[int], set[int]]:
    ids = {getattr(c, "pk", c) for c in collectives}
    allowed = set(
        organised_collectives(user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    return ids, allowed


@transaction.atomic
def create_campaign(
    *,
    created_by,
    collectives: Sequence,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
    producer: Producer | None = None,
    supplier_name: str = "",
    supplier_contact: str = "",
    distribution: Distribution | None = None,
    minimum_order: Decimal = ZERO,
    policy: str = allocation.Policy.FAIR_SHARE,
    wish=None,
) -> GroupPurchase:
    """A draft campaign of collectives `created_by` organises."""
    campaign = GroupPurchase(
        title=title.strip(),
        description=description,
        producer=producer,
        supplier_name=supplier_name.strip(),
        supplier_contact=supplier_contact.strip(),
        opens_at=opens_at,
        closes_at=closes_at,
        distribution=distribution,
        minimum_order=minimum_order,
        policy=policy,
        wish=wish,
        created_by=created_by,
    )
    ids, allowed = _organised_ids(created_by, collectives)
    _check_campaign(
        campaign=campaign,
        collective_ids=ids,
        allowed_collective_ids=allowed,
        previous_collective_ids=set(),
    )
    campaign.full_clean(exclude=["collectives", "created_by"])
    campaign.save()
    campaign.collectives.set(ids)
    return campaign


@transaction.atomic
def update_campaign(
    campaign: GroupPurchase,
    *,
    updated_by,
    collectives: Sequence | None = None,
    **fields,
) -> GroupPurchase:
    """Change a draft freely; an open campaign only in its texts, closing date
    (still in the future), distribution and minimum order."""
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown campaign fields: {sorted(unknown)}")
    campaign = _lock(campaign)
    require_campaign_organiser(updated_by, campaign)
    _refuse_unless(
        campaign,
        Status.DRAFT,
        Status.OPEN,
        message=_("This group purchase is closed: it can no longer be changed."),
    )
    previous = set(campaign.collectives.values_list("pk", flat=True))
    ids, allowed = _organised_ids(
        updated_by, previous if collectives is None else collectives
    )
    allowed |= set(
        organised_collectives(updated_by)
        .filter(pk__in=previous)
        .values_list("pk", flat=True)
    )
    if campaign.status == Status.OPEN:
        errors = {}
        for name, value in fields.items():
            current = getattr(campaign, name)
            if name in ("producer", "distribution"):
                current = getattr(campaign, f"{name}_id")
                value = getattr(value, "pk", value)
            if name not in CHANGEABLE_WHEN_OPEN and value != current:
                errors[name] = _("Members are pledging: this can no longer change.")
        if ids != previous:
            errors["collectives"] = _(
                "Members are pledging: the collectives can no longer change."
            )
        closes_at = fields.get("closes_at")
        if (
            closes_at
            and closes_at != campaign.closes_at
            and closes_at <= timezone.now()
        ):
            errors["closes_at"] = _("Choose a closing date in the future.")
        if errors:
            raise ValidationError(errors)
    for name, value in fields.items():
        if isinstance(value, str) and name != "description":
            value = value.strip()
        setattr(campaign, name, value)
    _check_campaign(
        campaign=campaign,
        collective_ids=ids,
        allowed_collective_ids=allowed,
        previous_collective_ids=previous,
    )
    campaign.full_clean(exclude=["collectives", "created_by"])
    campaign.save()
    if ids != previous:
        campaign.collectives.set(ids)
    return campaign


# Items and price tiers ---------------------------------------------------------


def check_tiers(tiers: Sequence[tuple[int, Decimal]]) -> list[tuple[int, Decimal]]:
    """Tiers as (from cases, price per unit), sorted; ValidationError (a
    sentence) when one starts twice, none starts at 0 cases, or a price rises
    with volume."""
    tiers = sorted(tiers, key=lambda tier: tier[0])
    if not tiers:
        raise ValidationError(_("Give at least one price, from 0 cases."), code="tiers")
    starts = [start for start, _price in tiers]
    if len(set(starts)) != len(starts):
        raise ValidationError(
            _("Two prices start at the same number of cases."), code="tiers"
        )
    if starts[0] != 0:
        raise ValidationError(
            _("The first price must apply from 0 cases."), code="tiers"
        )
    for start, price in tiers:
        if start < 0 or start > MAX_CASES:
            raise ValidationError(
                _("A number of cases must be between 0 and %(max)d.")
                % {"max": MAX_CASES},
                code="tiers",
            )
        if price <= 0 or price > MAX_PRICE or price != price.quantize(Decimal("0.01")):
            raise ValidationError(
                _("A price must be positive, in euros and cents."), code="tiers"
            )
    for (_start, price), (start, next_price) in zip(tiers, tiers[1:], strict=False):
        if next_price > price:
            raise ValidationError(
                _(
                    "Prices cannot rise with volume: the price from %(cases)d "
                    "cases is above the one before."
                )
                % {"cases": start},
                code="tiers",
            )
    return tiers


def _check_item(item: Item, tiers) -> list[tuple[int, Decimal]]:
    errors: dict[str, list[str]] = {}
    try:
        tiers = check_tiers(tiers)
    except ValidationError as error:
        errors["tiers"] = error.messages
    if not item.name.strip():
        errors["name"] = [_("Name the product.")]
    if not 1 <= (item.case_size or 0) <= MAX_UNITS:
        errors["case_size"] = [
            _("A case holds between 1 and %(max)d units.") % {"max": MAX_UNITS}
        ]
    if item.max_cases is not None and item.max_cases < max(item.min_cases, 1):
        errors["max_cases"] = [
            _("The maximum number of cases cannot be below the minimum.")
        ]
    if item.min_cases > MAX_CASES:
        errors["min_cases"] = [_("This minimum number of cases is too large.")]
    if errors:
        raise ValidationError(errors)
    return tiers


def _item_editable(campaign: GroupPurchase) -> None:
    _refuse_unless(
        campaign,
        Status.DRAFT,
        message=_(
            "Items can only change while the group purchase is a draft: members "
            "pledge on these terms."
        ),
    )


@transaction.atomic
def add_item(
    *,
    campaign: GroupPurchase,
    added_by,
    name: str,
    case_size: int,
    tiers: Sequence[tuple[int, Decimal]],
    unit: str = "kg",
    min_cases: int = 0,
    max_cases: int | None = None,
    product=None,
) -> Item:
    campaign = _lock(campaign)
    require_campaign_organiser(added_by, campaign)
    _item_editable(campaign)
    item = Item(
        campaign=campaign,
        name=name.strip(),
        unit=unit,
        case_size=case_size,
        min_cases=min_cases or 0,
        max_cases=max_cases,
        product=product,
        position=campaign.items.count(),
    )
    tiers = _check_item(item, tiers)
    item.full_clean()
    item.save()
    PriceTier.objects.bulk_create(
        PriceTier(item=item, min_cases=start, unit_price=price)
        for start, price in tiers
    )
    return item


@transaction.atomic
def update_item(
    item: Item,
    *,
    updated_by,
    name: str,
    case_size: int,
    tiers: Sequence[tuple[int, Decimal]],
    unit: str = "kg",
    min_cases: int = 0,
    max_cases: int | None = None,
) -> Item:
    campaign = _lock(item.campaign)
    require_campaign_organiser(updated_by, campaign)
    _item_editable(campaign)
    item = Item.objects.get(pk=item.pk, campaign=campaign)
    item.name = name.strip()
    item.unit = unit
    item.case_size = case_size
    item.min_cases = min_cases or 0
    item.max_cases = max_cases
    tiers = _check_item(item, tiers)
    item.full_clean()
    item.save()
    item.tiers.all().delete()
    PriceTier.objects.bulk_create(
        PriceTier(item=item, min_cases=start, unit_price=price)
        for start, price in tiers
    )
    return item


@transaction.atomic
def remove_item(item: Item, *, removed_by) -> None:
    campaign = _lock(item.campaign)
    require_campaign_organiser(removed_by, campaign)
    _item_editable(campaign)
    if Pledge.objects.filter(item=item).exists():
        raise ValidationError(
            _("Members pledged for this item: it cannot be removed."), code="pledged"
        )
    item.delete()


# Opening and closing -------------------------------------------------------------


@transaction.atomic
def open_campaign(campaign: GroupPurchase, *, opened_by, now=None) -> GroupPurchase:
    """Draft → open: needs items with prices, a distribution and a closing
    date to come."""
    now = now or timezone.now()
    campaign = _lock(campaign)
    require_campaign_organiser(opened_by, campaign)
    if campaign.status == Status.OPEN:
        return campaign
    _refuse_unless(
        campaign, Status.DRAFT, message=_("Only a draft can be opened for pledges.")
    )
    problems = []
    items = list(campaign.items.prefetch_related("tiers"))
    if not items:
        problems.append(_("Add at least one item."))
    for item in items:
        if not any(tier.min_cases == 0 for tier in item.tiers.all()):
            problems.append(
                _("Give %(item)s a price from 0 cases.") % {"item": item.name}
            )
    if campaign.distribution_id is None:
        problems.append(_("Choose the distribution where members collect."))
    if campaign.closes_at <= now:
        problems.append(_("Choose a closing date in the future."))
    if problems:
        raise ValidationError(problems, code="incomplete")
    collective_ids = set(campaign.collectives.values_list("pk", flat=True))
    _check_campaign(
        campaign=campaign,
        collective_ids=collective_ids,
        allowed_collective_ids=collective_ids,
        previous_collective_ids=collective_ids,
    )
    campaign.status = Status.OPEN
    campaign.save(update_fields=["status"])
    return campaign


def _save_allocation(campaign: GroupPurchase, now: datetime) -> None:
    """Compute the allocation and store it; the campaign row is locked."""
    allocations = allocation.allocate(item_inputs(campaign), campaign.policy)
    shares = {}
    for result in allocations:
        shares.update(result.shares)
        Item.objects.filter(pk=result.key).update(
            cases_ordered=result.cases, final_unit_price=result.unit_price
        )
    pledges = list(Pledge.objects.filter(item__campaign=campaign).only("pk"))
    for pledge in pledges:
        pledge.allocated = shares.get(pledge.pk, 0)
    Pledge.objects.bulk_update(pledges, ["allocated"], batch_size=500)
    campaign.status = Status.ALLOCATED
    campaign.allocated_at = now
    campaign.closed_at = campaign.closed_at or now
    campaign.save(update_fields=["status", "allocated_at", "closed_at", "order_anyway"])
    enqueue_on_commit("amap.groupbuy.tasks.notify_allocation_task", campaign.pk)
    _touch_sheet(campaign)


def _touch_sheet(campaign: GroupPurchase) -> None:
    """What members collect and owe changed: the stored sheet of the
    campaign's distribution is regenerated after commit."""
    if campaign.distribution_id:
        sheet_touched_on_commit(campaign.distribution_id)


@transaction.atomic
def close_campaign(
    campaign: GroupPurchase, *, closed_by=None, now=None
) -> GroupPurchase:
    """Close pledges and allocate, or stop at "closed" when the minimum order
    is not met (the organisers are emailed to decide).

    Without `closed_by` (the scheduled task) only a campaign past its closing
    date closes; an organiser may close an open campaign early. Closing a
    campaign that is no longer open changes nothing.
    """
    now = now or timezone.now()
    campaign = _lock(campaign)
    if closed_by is not None:
        require_campaign_organiser(closed_by, campaign)
    if campaign.status != Status.OPEN:
        return campaign
    if campaign.closes_at > now:
        if closed_by is None:
            return campaign
        if campaign.opens_at >= now:
            raise ValidationError(
                _("Pledges have not opened yet: cancel the group purchase instead."),
                code="not_started",
            )
        campaign.closes_at = now
        campaign.save(update_fields=["closes_at"])
    total = allocation.campaign_total(
        allocation.allocate(item_inputs(campaign), campaign.policy)
    )
    campaign.closed_at = now
    if total >= campaign.minimum_order or campaign.order_anyway:
        _save_allocation(campaign, now)
    else:
        campaign.status = Status.CLOSED
        campaign.save(update_fields=["status", "closed_at"])
        enqueue_on_commit(
            "amap.groupbuy.tasks.notify_minimum_not_met_task", campaign.pk
        )
    return campaign


def close_due_campaigns(now=None) -> int:
    """Close every open campaign past its closing date, each in its own
    transaction; returns how many changed status."""
    now = now or timezone.now()
    closed = 0
    for pk in GroupPurchase.objects.due_for_closing(now).values_list("pk", flat=True):
        try:
            campaign = close_campaign(GroupPurchase(pk=pk), now=now)
        except Exception:
            logger.exception("Group purchase %s could not be closed", pk)
            continue
        closed += campaign.status != Status.OPEN
    return closed


@transaction.atomic
def extend_campaign(
    campaign: GroupPurchase, *, closes_at: datetime, extended_by, now=None
) -> GroupPurchase:
    """Minimum not met: pledges open again until `closes_at`."""
    now = now or timezone.now()
    campaign = _lock(campaign)
    require_campaign_organiser(extended_by, campaign)
    _refuse_unless(
        campaign,
        Status.CLOSED,
        message=_("Only a group purchase awaiting a decision can be extended."),
    )
    if closes_at <= now:
        raise ValidationError(
            {"closes_at": _("Choose a closing date in the future.")}, code="past"
        )
    if campaign.distribution_id:
        distribution = campaign.distribution
        if distribution.start_datetime <= closes_at:
            raise ValidationError(
                {
                    "closes_at": _(
                        "Pledges must close before the distribution of %(date)s."
                    )
                    % {"date": _date(distribution.start_datetime)}
                },
                code="after_distribution",
            )
    campaign.closes_at = closes_at
    campaign.closed_at = None
    campaign.status = Status.OPEN
    campaign.save(update_fields=["closes_at", "closed_at", "status"])
    return campaign


@transaction.atomic
def order_anyway(campaign: GroupPurchase, *, decided_by, now=None) -> GroupPurchase:
    """Minimum not met: allocate and order all the same."""
    now = now or timezone.now()
    campaign = _lock(campaign)
    require_campaign_organiser(decided_by, campaign)
    if campaign.order_anyway and campaign.status in SETTLED_STATUSES:
        return campaign
    _refuse_unless(
        campaign,
        Status.CLOSED,
        message=_("Only a group purchase awaiting a decision can be ordered anyway."),
    )
    campaign.order_anyway = True
    _save_allocation(campaign, now)
    return campaign


@transaction.atomic
def cancel_campaign(
    campaign: GroupPurchase, *, reason: str, cancelled_by, now=None
) -> GroupPurchase:
    """Cancel before the allocation; every member who pledged is told once."""
    now = now or timezone.now()
    campaign = _lock(campaign)
    require_campaign_organiser(cancelled_by, campaign)
    if campaign.status == Status.CANCELLED:
        return campaign
    _refuse_unless(
        campaign,
        Status.DRAFT,
        Status.OPEN,
        Status.CLOSED,
        message=_("An allocated group purchase can no longer be cancelled."),
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Tell members why the group purchase is cancelled.")},
            code="reason",
        )
    was_draft = campaign.status == Status.DRAFT
    campaign.status = Status.CANCELLED
    campaign.cancelled_at = now
    campaign.cancel_reason = reason
    campaign.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    if not was_draft:
        enqueue_on_commit("amap.groupbuy.tasks.notify_cancellation_task", campaign.pk)
    return campaign


@transaction.atomic
def mark_ordered(campaign: GroupPurchase, *, ordered_by, now=None) -> GroupPurchase:
    campaign = _lock(campaign)
    require_campaign_organiser(ordered_by, campaign)
    if campaign.status in (Status.ORDERED, Status.DELIVERED):
        return campaign
    _refuse_unless(
        campaign,
        Status.ALLOCATED,
        message=_("Only an allocated group purchase can be marked as ordered."),
    )
    campaign.status = Status.ORDERED
    campaign.ordered_at = now or timezone.now()
    campaign.save(update_fields=["status", "ordered_at"])
    return campaign


@transaction.atomic
def mark_delivered(campaign: GroupPurchase, *, delivered_by, now=None) -> GroupPurchase:
    campaign = _lock(campaign)
    require_campaign_organiser(delivered_by, campaign)
    if campaign.status == Status.DELIVERED:
        return campaign
    _refuse_unless(
        campaign,
        Status.ORDERED,
        message=_("Only an ordered group purchase can be marked as delivered."),
    )
    campaign.status = Status.DELIVERED
    campaign.delivered_at = now or timezone.now()
    campaign.save(update_fields=["status", "delivered_at"])
    return campaign


# Notifications (called by the tasks) -------------------------------------------


def _notify_members(campaign_id: int, *, template: str, now=None) -> int:
    """Email each member with a pledge not told yet, once: their pledges are
    marked told and the emails sent in one transaction, so a failed send
    leaves them to tell on the next try. Returns how many were emailed."""
    from amap.emails import send_templated_email

    now = now or timezone.now()
    with transaction.atomic():
        campaign = (
            GroupPurchase.objects.select_for_update(of=("self",))
            .select_related("distribution__pickup_point", "producer")
            .get(pk=campaign_id)
        )
        pledges = list(
            Pledge.objects.select_for_update(of=("self",))
            .filter(item__campaign=campaign, notified_at__isnull=True)
            .filter(Q(quantity__gt=0) | Q(allocated__gt=0))
            .select_related("member", "item")
            .order_by("member_id", "item__position", "item_id")
        )
        by_member: dict[int, list[Pledge]] = {}
        for pledge in pledges:
            by_member.setdefault(pledge.member_id, []).append(pledge)
        Pledge.objects.filter(pk__in=[p.pk for p in pledges]).update(notified_at=now)
        for member_pledges in by_member.values():
            member = member_pledges[0].member
            lines = [
                {
                    "pledge": pledge,
                    "item": pledge.item,
                    "amount": line_amount(
                        pledge.allocated or 0, pledge.item.final_unit_price
                    ),
                }
                for pledge in member_pledges
            ]
            send_templated_email(
                template=template,
                to=[member.email],
                context={
                    "campaign": campaign,
                    "member": member,
                    "lines": lines,
                    "total": sum((line["amount"] for line in lines), ZERO),
                },
            )
    return len(by_member)


def notify_allocation(campaign_id: int) -> int:
    campaign = GroupPurchase.objects.get(pk=campaign_id)
    if campaign.status not in SETTLED_STATUSES:
        return 0
    return _notify_members(campaign_id, template="emails/groupbuy/allocated")


def notify_cancellation(campaign_id: int) -> int:
    campaign = GroupPurchase.objects.get(pk=campaign_id)
    if campaign.status != Status.CANCELLED:
        return 0
    return _notify_members(campaign_id, template="emails/groupbuy/cancelled")


def notify_minimum_not_met(campaign_id: int) -> int:
    """Email the organisers of the campaign's collectives: they decide."""
    from amap.emails import send_templated_email
    from amap.members.models import Membership

    campaign = GroupPurchase.objects.get(pk=campaign_id)
    if campaign.status != Status.CLOSED:
        return 0
    total = allocation.campaign_total(
        allocation.allocate(item_inputs(campaign), campaign.policy)
    )
    emails = sorted(
        set(
            Membership.objects.organisers()
            .filter(collective__in=campaign.collectives.all())
            .values_list("user__email", flat=True)
        )
    )
    if emails:
        send_templated_email(
            template="emails/groupbuy/minimum_not_met",
            to=emails,
            context={"campaign": campaign, "total": total},
        )
    return len(emails)


# Payments ----------------------------------------------------------------------


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


@transaction.atomic
def record_payment(
    *,
    campaign: GroupPurchase,
    member,
    amount: Decimal,
    method: str,
    received_by,
    reference: str = "",
    received_at: datetime | None = None,
) -> Payment:
    """Money received from a member for their allocation; never more than
    what is still due."""
    campaign = _lock(campaign)
    require_campaign_organiser(received_by, campaign)
    _refuse_unless(
        campaign,
        *SETTLED_STATUSES,
        message=_("Payments are recorded once the group purchase is allocated."),
    )
    errors = {}
    if method not in PaymentMethod.values:
        errors["method"] = _("Choose how the money was received.")
    reference = (reference or "").strip()
    if len(reference) > 100:
        errors["reference"] = _("A reference has at most 100 characters.")
    owed = member_amount(campaign, member)
    paid = sum(
        Payment.objects.filter(
            campaign=campaign, member=member, cancelled_at__isnull=True
        ).values_list("amount", flat=True),
        ZERO,
    )
    due = owed - paid
    if amount is None or amount <= 0:
        errors["amount"] = _("The amount must be positive.")
    elif owed == 0:
        errors["amount"] = _(
            "This member was allocated nothing in this group purchase."
        )
    elif amount > due:
        errors["amount"] = _("This is more than the %(due)s € still due.") % {
            "due": formats.number_format(due, 2)
        }
    if errors:
        raise ValidationError(errors)
    payment = Payment(
        campaign=campaign,
        member=member,
        amount=amount,
        method=method,
        reference=reference,
        received_at=received_at or timezone.now(),
        recorded_by=received_by,
    )
    payment.full_clean()
    payment.save()
    _touch_sheet(payment.campaign)
    return payment


@transaction.atomic
def cancel_payment(*, payment: Payment, cancelled_by, now=None) -> Payment:
    """Undo a payment recorded by mistake; it stays in the history."""
    campaign = _lock(payment.campaign)
    require_campaign_organiser(cancelled_by, campaign)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.cancelled_at is not None:
        raise ValidationError(
            _("This payment is already cancelled."), code="already_cancelled"
        )
    payment.cancelled_at = now or timezone.now()
    payment.save(update_fields=["cancelled_at"])
    logger.info(
        "Group purchase payment %s cancelled by user %s", payment.pk, cancelled_by.pk
    )
    _touch_sheet(payment.campaign)
    return payment
