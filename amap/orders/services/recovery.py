"""The sweeper: background work lost with a worker (killed, restarted) or with
the queue is queued again, a few minutes later, by a recurring task.

Every task it queues can run twice (documents are claimed with a lease, each
email is recorded as sent in the transaction that sends it), so queuing again
something that was merely slow costs a no-op run, never a duplicate.
"""

import logging

from django.db.models import Q
from django.utils import timezone

from amap.background import enqueue_on_commit
from amap.distribution.models import OrderCycle
from amap.members.models import Membership

from .. import sheet_exports
from ..models import Order, SheetLinksSent, StoredDocument
from ..picking import EMAIL_WINDOW
from .booking import CONFIRMATION_TASK
from .documents import (
    GENERATE_TASK,
    coming_distributions,
    frozen_since,
    grace_delay,
)

logger = logging.getLogger(__name__)

REQUEST_CYCLE_TASK = "amap.orders.tasks.request_cycle_documents_task"

Status = StoredDocument.Status


def abandoned_documents(now):
    """Documents waiting longer than the grace delay, or running under a lease
    that lapsed."""
    return StoredDocument.objects.filter(
        Q(status=Status.PENDING, requested_at__lt=now - grace_delay())
        | Q(status=Status.RUNNING, lease_expires_at__isnull=True)
        | Q(status=Status.RUNNING, lease_expires_at__lte=now)
    ).order_by("pk")


def _closed_cycles(now) -> list[OrderCycle]:
    """Cycles closed within the email window, at least the grace delay ago
    (before that, the tasks the close queued are still expected to run)."""
    since = now - EMAIL_WINDOW
    cycles = (
        OrderCycle.objects.closed(now)
        .filter(Q(closes_at__gte=since) | Q(closed_at__gte=since))
        .order_by("pk")
    )
    return [c for c in cycles if frozen_since(c) <= now - grace_delay()]


def _missing_documents(cycle: OrderCycle) -> bool:
    distributions = list(coming_distributions(cycle.pk).values_list("pk", flat=True))
    variants = len(sheet_exports.KINDS) * len(sheet_exports.FORMATS)
    expected = len(distributions) * variants
    stored = StoredDocument.objects.filter(
        distribution__in=distributions, landscape=False
    ).count()
    return stored < expected


def _unsent_sheet_links(cycle: OrderCycle) -> bool:
    if not coming_distributions(cycle.pk).exists():
        return False
    sent = SheetLinksSent.objects.filter(cycle=cycle).values("user")
    return (
        Membership.objects.organisers()
        .filter(collective_id=cycle.collective_id, user__is_active=True)
        .exclude(user__email="")
        .exclude(user__in=sent)
        .exists()
    )


def sweep(now=None) -> dict[str, int]:
    """Queue again what a lost task left undone; return how many of each.

    - documents waiting or abandoned (`abandoned_documents`): their generation;
    - recently closed cycles whose documents were never asked for (the close's
      task was lost): asking for them;
    - recently closed cycles with an organiser not yet sent the sheet links:
      sending them (the picking lists have their own schedule);
    - orders whose summary email is due since the grace delay: sending it.
    """
    now = now or timezone.now()
    counts = {
        "documents": 0,
        "cycle_documents": 0,
        "sheet_links": 0,
        "order_confirmations": 0,
    }
    for document_id in abandoned_documents(now).values_list("pk", flat=True):
        enqueue_on_commit(GENERATE_TASK, document_id)
        counts["documents"] += 1
    for cycle in _closed_cycles(now):
        if _missing_documents(cycle):
            enqueue_on_commit(REQUEST_CYCLE_TASK, cycle.pk)
            counts["cycle_documents"] += 1
        if _unsent_sheet_links(cycle):
            enqueue_on_commit("amap.orders.tasks.send_sheet_links_task", cycle.pk)
            counts["sheet_links"] += 1
    unconfirmed = Order.objects.confirmed().filter(
        confirmation_due_since__lt=now - grace_delay()
    )
    for order_id in unconfirmed.order_by("pk").values_list("pk", flat=True):
        enqueue_on_commit(CONFIRMATION_TASK, order_id)
        counts["order_confirmations"] += 1
    if any(counts.values()):
        logger.warning("Sweeper queued again: %s", counts)
    return counts
