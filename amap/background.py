"""Queueing background work with django-q2 once the current transaction commits."""

from django.db import transaction
from django_q.tasks import async_task


def enqueue_on_commit(func: str, *args, **kwargs) -> None:
    """Queue `func` (a dotted path) after commit, so a rolled-back write sends nothing.

    In tests django-q2 runs in sync mode and the task runs at commit time.
    """
    transaction.on_commit(lambda: async_task(func, *args, **kwargs))
