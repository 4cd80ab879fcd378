"""A group purchase's life after its draft: opening, closing with the
allocation, the decisions when the minimum order is not met, cancelling, the
order and the delivery. Members and organisers are emailed after commit
(amap/groupbuy/tasks.py, amap/groupbuy/services/notifications.py).
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from amap.background import enqueue_on_commit

from .. import allocation
from ..models import GroupPurchase, Item, Pledge
from ..permissions import require_campaign_organiser
from ..selectors.campaigns import SETTLED_STATUSES, item_inputs
from .campaigns import (
    check_campaign,
    lock_campaign,
    lock_campaign_for,
    refuse_unless,
    touch_sheet,
)

logger = logging.getLogger(__name__)

Status = GroupPurchase.Status


def _date(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


@transaction.atomic
def open_campaign(campaign: GroupPurchase, *, opened_by, now=None) -> GroupPurchase:
    """Draft → open: needs items with prices, a distribution and a closing
    date to come."""
    now = now or timezone.now()
    campaign = lock_campaign_for(opened_by, campaign)
    if campaign.status == Status.OPEN:
        return campaign
    refuse_unless(
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
    check_campaign(
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
    touch_sheet(campaign)


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
    campaign = lock_campaign(campaign)
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
    campaign = lock_campaign_for(extended_by, campaign)
    refuse_unless(
        campaign,
        Status.CLOSED,
        message=_("Only a group purchase awaiting a decision can be extended."),
    )
    if closes_at <= now:
        raise ValidationError(
            {"closes_at": _("Choose a closing date in the future.")}, code="past"
        )
    distribution = campaign.distribution
    if distribution is not None and distribution.start_datetime <= closes_at:
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
    campaign = lock_campaign_for(decided_by, campaign)
    if campaign.order_anyway and campaign.status in SETTLED_STATUSES:
        return campaign
    refuse_unless(
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
    campaign = lock_campaign_for(cancelled_by, campaign)
    if campaign.status == Status.CANCELLED:
        return campaign
    refuse_unless(
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
    campaign = lock_campaign_for(ordered_by, campaign)
    if campaign.status in (Status.ORDERED, Status.DELIVERED):
        return campaign
    refuse_unless(
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
    campaign = lock_campaign_for(delivered_by, campaign)
    if campaign.status == Status.DELIVERED:
        return campaign
    refuse_unless(
        campaign,
        Status.ORDERED,
        message=_("Only an ordered group purchase can be marked as delivered."),
    )
    campaign.status = Status.DELIVERED
    campaign.delivered_at = now or timezone.now()
    campaign.save(update_fields=["status", "delivered_at"])
    return campaign
