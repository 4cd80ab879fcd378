"""Issue #16, finding 3: the queue down after a commit delays a task, never
loses it, and never answers 500 for a write that succeeded.

Tasks are recorded in the outbox with the write and handed to django-q2
after the commit; the dispatcher (schedule and `manage.py dispatch_outbox`)
hands over what is left, exactly once.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from amap.background import enqueue_on_commit
from amap.operations import outbox
from amap.operations.models import OutboxTask
from amap.orders.models import Order
from tests.factories import (
    DistributionFactory,
    OfferFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CONFIRMATION = "amap.orders.tasks.send_order_confirmation_task"


class BrokenQueue:
    """`async_task` with the broker unreachable; counts the attempts."""

    def __init__(self):
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:1.")


@pytest.fixture
def queue_down(monkeypatch):
    broken = BrokenQueue()
    monkeypatch.setattr("django_q.tasks.async_task", broken)
    # Where the code before the outbox looked it up.
    monkeypatch.setattr("amap.background.async_task", broken, raising=False)
    return broken


@pytest.fixture
def distribution(collective):
    return DistributionFactory(cycle__collective=collective)


@pytest.fixture
def carrots(distribution, producer):
    return OfferFactory(
        cycle=distribution.cycle,
        product=ProductFactory(producer=producer, name="Carottes", price="2.35"),
        quantity_available=Decimal("10"),
    )


def book(as_user, member, distribution, offer, capture):
    with capture(execute=True):
        return as_user(member).post(
            reverse("orders:booking", args=[distribution.pk]),
            {f"offer_{offer.pk}": "2"},
            follow=True,
        )


def test_an_order_placed_while_the_queue_is_down_is_saved_and_its_email_comes_later(
    as_user,
    member,
    distribution,
    carrots,
    queue_down,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    response = book(
        as_user, member, distribution, carrots, django_capture_on_commit_callbacks
    )

    assert response.status_code == 200
    assert "Your order is saved" in response.content.decode()
    order = Order.objects.get(member=member, distribution=distribution)
    assert order.status == Order.Status.CONFIRMED
    assert mail.outbox == []
    task = OutboxTask.objects.get()
    assert (task.func, task.args, task.dispatched_at) == (
        CONFIRMATION,
        [order.pk],
        None,
    )
    assert task.attempts == 1
    assert "ConnectionError" in task.last_error

    # The queue is back: the worker's schedule hands the task over, once.
    monkeypatch.undo()
    call_command("dispatch_outbox", "--queue-only")
    call_command("dispatch_outbox", "--queue-only")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member.email]
    assert OutboxTask.objects.get().dispatched_at is not None


def test_the_command_runs_the_tasks_itself_while_the_queue_is_still_down(
    member, distribution, carrots, queue_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order_id_for(member, distribution, carrots)
    assert mail.outbox == []

    call_command("dispatch_outbox", "--queue-only")
    assert mail.outbox == []
    assert OutboxTask.objects.pending().count() == 1

    call_command("dispatch_outbox")
    call_command("dispatch_outbox")
    assert len(mail.outbox) == 1
    assert OutboxTask.objects.pending().count() == 0


def order_id_for(member, distribution, offer) -> int:
    from amap.orders.services.booking import place_order

    with transaction.atomic():
        return place_order(
            member=member, distribution=distribution, lines={offer.pk: 1}
        ).order.pk


def test_with_the_queue_up_the_task_runs_at_commit_and_is_marked_dispatched(
    member, distribution, carrots, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order_id = order_id_for(member, distribution, carrots)

    assert len(mail.outbox) == 1
    task = OutboxTask.objects.get()
    assert task.args == [order_id]
    assert task.dispatched_at is not None
    call_command("dispatch_outbox")
    assert len(mail.outbox) == 1


def test_a_rolled_back_write_leaves_no_task(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue_on_commit(CONFIRMATION, 1)
        raise RuntimeError

    assert not OutboxTask.objects.exists()


def test_after_a_failed_handoff_a_web_process_leaves_the_queue_alone_for_a_while(
    queue_down, monkeypatch, django_capture_on_commit_callbacks
):
    now = [500.0]
    monkeypatch.setattr(outbox.time, "monotonic", lambda: now[0])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            enqueue_on_commit("amap.operations.tasks.dispatch_outbox_task")

    assert queue_down.calls == 1
    assert OutboxTask.objects.pending().count() == 5

    now[0] += outbox.QUEUE_RETRY_AFTER + 1
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit("amap.operations.tasks.dispatch_outbox_task")
    assert queue_down.calls == 2


def test_a_claimed_row_is_left_to_its_dispatcher_until_the_lease_expires(
    monkeypatch, db
):
    handed = []
    monkeypatch.setattr(outbox, "_queue", lambda task: handed.append(task.pk))
    now = timezone.now()
    taken = OutboxTask.objects.create(func=CONFIRMATION, args=[1], claimed_at=now)
    abandoned = OutboxTask.objects.create(
        func=CONFIRMATION, args=[2], claimed_at=now - outbox.LEASE - timedelta(1)
    )
    failing = OutboxTask.objects.create(
        func=CONFIRMATION, args=[3], attempts=outbox.MAX_ATTEMPTS
    )

    assert outbox.dispatch_pending() == 1

    assert handed == [abandoned.pk]
    taken.refresh_from_db()
    failing.refresh_from_db()
    assert taken.dispatched_at is None and failing.dispatched_at is None


def test_rows_handed_over_long_ago_are_deleted(db):
    now = timezone.now()
    old = OutboxTask.objects.create(func=CONFIRMATION)
    OutboxTask.objects.filter(pk=old.pk).update(
        dispatched_at=now - outbox.KEEP_DISPATCHED - timedelta(hours=1)
    )
    recent = OutboxTask.objects.create(func=CONFIRMATION, dispatched_at=now)
    pending = OutboxTask.objects.create(func=CONFIRMATION)

    assert outbox.prune_dispatched() == 1

    assert set(OutboxTask.objects.values_list("pk", flat=True)) == {
        recent.pk,
        pending.pk,
    }


def test_staff_see_the_outbox_in_the_admin_read_only(client, db):
    task = OutboxTask.objects.create(func=CONFIRMATION, last_error="ConnectionError")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    listing = client.get(reverse("admin:operations_outboxtask_changelist"))
    detail = client.get(reverse("admin:operations_outboxtask_change", args=[task.pk]))
    add = client.get(reverse("admin:operations_outboxtask_add"))

    assert CONFIRMATION in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="func"' not in detail.content.decode()
    assert add.status_code == 403
