"""Handing the outbox's tasks to django-q2, exactly once each.

A task is recorded (`record`) in the transaction of the write that asks for
it; after the commit, `hand_off` gives it to the queue. If the queue is
unreachable then, the request still succeeds and the task stays pending:
`dispatch_pending`, run every minute by the workers' schedule and by
`manage.py dispatch_outbox`, hands it over later, or runs it right there when
the queue is still down.

A row is claimed before it is handed over (a conditional UPDATE, and
`select_for_update(skip_locked=True)` for a batch), so two dispatchers, or a
dispatcher and the request that wrote the row, never send it twice. A claim
whose handoff never finished (the process died) is taken over after `LEASE`;
the task may then run twice, which every task tolerates. Rows handed over are
deleted after `KEEP_DISPATCHED`.
"""

import logging
import threading
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import OutboxTask

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
KEEP_DISPATCHED = timedelta(days=7)
# Tasks that failed this many times are left for someone to look at (admin).
MAX_ATTEMPTS = 20
BATCH = 200
# Seconds during which a web process does not try the queue again after a
# failed handoff: the rows wait for the dispatcher instead of every request
# waiting for a dead queue.
QUEUE_RETRY_AFTER = 5.0

_pause_lock = threading.Lock()
_queue_down_until = 0.0


def record(func: str, args: tuple, kwargs: dict) -> OutboxTask:
    """Save the task; call inside the transaction of the write asking for it.
    Arguments must be JSON (ids, strings, numbers)."""
    return OutboxTask.objects.create(func=func, args=list(args), kwargs=kwargs)


def _claimable(now):
    return OutboxTask.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE),
        dispatched_at__isnull=True,
        attempts__lt=MAX_ATTEMPTS,
    )


def _queue(task: OutboxTask) -> None:
    from django_q.tasks import async_task

    async_task(task.func, *task.args, **task.kwargs)


def _run_here(task: OutboxTask) -> None:
    import_string(task.func)(*task.args, **task.kwargs)


def _deliver(task: OutboxTask, *, run_if_queue_down: bool) -> bool:
    """Hand over a claimed task; True when it was sent (or run)."""
    global _queue_down_until
    try:
        _queue(task)
    except Exception as error:  # noqa: BLE001 - any broker failure
        with _pause_lock:
            _queue_down_until = time.monotonic() + QUEUE_RETRY_AFTER
        if not run_if_queue_down:
            logger.warning(
                "Queue unreachable (%s); task %s kept for the dispatcher.",
                type(error).__name__,
                task.pk,
            )
            _release(task, error)
            return False
        try:
            _run_here(task)
        except Exception as run_error:  # noqa: BLE001 - recorded on the row
            logger.exception("Outbox task %s failed when run directly.", task.pk)
            _release(task, run_error)
            return False
    OutboxTask.objects.filter(pk=task.pk).update(dispatched_at=timezone.now())
    return True


def _release(task: OutboxTask, error: Exception) -> None:
    OutboxTask.objects.filter(pk=task.pk).update(
        claimed_at=None,
        attempts=F("attempts") + 1,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )


def hand_off(task_id: int) -> bool:
    """Give a just-committed task to the queue, if nobody else took it.

    Never raises: the write that asked for it has succeeded, and the task
    waits in the outbox if anything goes wrong here.
    """
    if time.monotonic() < _queue_down_until:
        return False
    try:
        now = timezone.now()
        if not _claimable(now).filter(pk=task_id).update(claimed_at=now):
            return False
        task = OutboxTask.objects.get(pk=task_id)
        return _deliver(task, run_if_queue_down=False)
    except Exception:  # noqa: BLE001 - the request must not fail for this
        logger.exception("Outbox task %s left for the dispatcher.", task_id)
        return False


def dispatch_pending(*, run_if_queue_down: bool = True, limit: int = BATCH) -> int:
    """Hand over the pending tasks (at most `limit`); the number handed over."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            _claimable(now)
            .select_for_update(skip_locked=True)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        OutboxTask.objects.filter(pk__in=ids).update(claimed_at=now)
    sent = 0
    for task in OutboxTask.objects.filter(pk__in=ids).order_by("created_at", "pk"):
        sent += _deliver(task, run_if_queue_down=run_if_queue_down)
    return sent


def prune_dispatched() -> int:
    """Delete the rows handed over more than `KEEP_DISPATCHED` ago."""
    deleted, _ = OutboxTask.objects.filter(
        dispatched_at__lt=timezone.now() - KEEP_DISPATCHED
    ).delete()
    return deleted


def reset_pause() -> None:
    """Forget a past queue failure (for tests)."""
    global _queue_down_until
    with _pause_lock:
        _queue_down_until = 0.0
