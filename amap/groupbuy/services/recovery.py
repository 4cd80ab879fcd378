"""The group purchases' sweeper: members not told the result of a group
purchase (allocated or cancelled) because the task that emails them was lost
with its worker are emailed by a recurring task, a few minutes later.

Each pledge is marked told in the transaction that sends its email
(`notifications._notify_members`), so queuing again costs a no-op run, never
a second email.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from amap.background import enqueue_on_commit

from ..models import GroupPurchase, Pledge
from ..selectors.campaigns import SETTLED_STATUSES

logger = logging.getLogger(__name__)

# Campaigns settled longer ago than this are left alone: deploying the sweeper
# must not email members about old campaigns.
WINDOW = timedelta(days=7)
Status = GroupPurchase.Status


def _untold(now, *, statuses, field: str):
    grace = timedelta(seconds=settings.BACKGROUND_GRACE_SECONDS)
    untold = Pledge.objects.filter(
        Q(quantity__gt=0) | Q(allocated__gt=0),
        item__campaign=OuterRef("pk"),
        notified_at__isnull=True,
    )
    return (
        GroupPurchase.objects.filter(status__in=statuses)
        .filter(**{f"{field}__gte": now - WINDOW, f"{field}__lte": now - grace})
        .filter(Exists(untold))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def sweep(now=None) -> dict[str, int]:
    """Queue again the emails of settled or cancelled campaigns with a member
    not told; return how many campaigns of each."""
    now = now or timezone.now()
    counts = {"allocations": 0, "cancellations": 0}
    for pk in _untold(now, statuses=SETTLED_STATUSES, field="allocated_at"):
        enqueue_on_commit("amap.groupbuy.tasks.notify_allocation_task", pk)
        counts["allocations"] += 1
    for pk in _untold(now, statuses=[Status.CANCELLED], field="cancelled_at"):
        enqueue_on_commit("amap.groupbuy.tasks.notify_cancellation_task", pk)
        counts["cancellations"] += 1
    if any(counts.values()):
        logger.warning("Group purchase sweeper queued again: %s", counts)
    return counts
