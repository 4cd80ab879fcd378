"""Real threads on PostgreSQL: two dispatchers never hand the same outbox row
over twice (issue #16, finding 3)."""

import threading

import pytest
from django.db import connection, connections

from amap.operations import outbox
from amap.operations.models import OutboxTask

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent row locks (skip_locked) need PostgreSQL",
    ),
]


def test_dispatchers_racing_hand_each_row_over_exactly_once(monkeypatch):
    rows = [
        OutboxTask.objects.create(func="amap.orders.tasks.x", args=[n]).pk
        for n in range(60)
    ]
    handed: list[int] = []
    lock = threading.Lock()

    def queue(task):
        with lock:
            handed.append(task.pk)

    monkeypatch.setattr(outbox, "_queue", queue)
    barrier = threading.Barrier(4)
    errors = []

    def dispatcher(job):
        try:
            barrier.wait()
            job()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    jobs = [
        lambda: outbox.dispatch_pending(limit=25),
        lambda: outbox.dispatch_pending(limit=25),
        # The requests that wrote the rows, handing them over after commit.
        lambda: [outbox.hand_off(pk) for pk in rows],
        lambda: [outbox.hand_off(pk) for pk in reversed(rows)],
    ]
    threads = [threading.Thread(target=dispatcher, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outbox.dispatch_pending()

    assert errors == []
    assert sorted(handed) == rows
    assert not OutboxTask.objects.pending().exists()
