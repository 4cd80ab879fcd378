"""Emails about a group purchase, sent by the tasks (amap/groupbuy/tasks.py)
once the change that calls for them is committed."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from amap.money import ZERO

from .. import allocation
from ..models import GroupPurchase, Pledge
from ..selectors.campaigns import SETTLED_STATUSES, item_inputs, line_amount

Status = GroupPurchase.Status


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
            lines: list[dict[str, Any]] = [
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
