"""Queueing background work with django-q2 once the current transaction commits."""

from django.db import transaction


def enqueue_on_commit(func: str, *args, **kwargs) -> None:
    """Queue `func` (a dotted path) after commit, so a rolled-back write sends nothing.

    The task is first recorded in the outbox, in the current transaction
    (amap/operations/outbox.py): if the queue is unreachable after the
    commit, the write still succeeds and the task is handed over later by the
    dispatcher. Arguments must be JSON (ids, not objects).

    In tests django-q2 runs in sync mode and the task runs at commit time.
    """
    from amap.operations import outbox

    task = outbox.record(func, args, kwargs)
    transaction.on_commit(lambda: outbox.hand_off(task.pk))
