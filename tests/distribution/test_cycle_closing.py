"""Closing order cycles at their deadline: each once, the registered apps told
once, the same way as a manual close, and orders frozen afterwards."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_q.models import Schedule

from amap import hooks
from amap.distribution.hooks import CYCLE_CLOSED
from amap.distribution.models import OrderCycle
from amap.distribution.services.calendar import close_due_cycles, close_order_cycle
from amap.distribution.tasks import close_due_cycles_task
from amap.orders.models import Order
from amap.orders.services.booking import cancel_order, place_order
from tests.factories import (
    DistributionFactory,
    OfferFactory,
    OrderCycleFactory,
    ProductFactory,
)

pytestmark = pytest.mark.usefixtures("english")


def due_cycle(collective, *, hours_ago=1):
    now = timezone.now()
    return OrderCycleFactory(
        collective=collective,
        opens_at=now - timedelta(days=5),
        closes_at=now - timedelta(hours=hours_ago),
    )


def refreshed(cycle):
    return OrderCycle.objects.get(pk=cycle.pk)


@pytest.fixture
def told():
    """The cycle ids the "cycle closed" hooks were called with, in order."""
    calls = []
    with hooks.register_temporarily(CYCLE_CLOSED, calls.append):
        yield calls


def test_close_due_cycles_closes_each_past_deadline_cycle_once(collective):
    first, second = due_cycle(collective, hours_ago=3), due_cycle(collective)
    open_cycle = OrderCycleFactory(collective=collective)

    assert close_due_cycles() == [first.pk, second.pk]
    assert close_due_cycles() == []

    assert refreshed(first).closed_at is not None
    assert refreshed(first).closed_by is None
    assert refreshed(second).closed_at is not None
    assert refreshed(open_cycle).closed_at is None


def test_close_due_cycles_leaves_a_cycle_before_its_deadline_open(collective):
    cycle = OrderCycleFactory(collective=collective)

    assert close_due_cycles(now=cycle.closes_at - timedelta(minutes=1)) == []
    assert close_due_cycles(now=cycle.closes_at) == [cycle.pk]


def test_close_due_cycles_leaves_an_already_closed_cycle_alone(collective, organiser):
    cycle = OrderCycleFactory(collective=collective)
    close_order_cycle(cycle, closed_by=organiser)
    closed_at = refreshed(cycle).closed_at

    assert close_due_cycles(now=cycle.closes_at + timedelta(hours=1)) == []
    assert refreshed(cycle).closed_at == closed_at
    assert refreshed(cycle).closed_by == organiser


def test_the_hooks_are_told_once_per_closed_cycle_after_commit(
    collective, told, django_capture_on_commit_callbacks
):
    cycle = due_cycle(collective)

    with django_capture_on_commit_callbacks(execute=True):
        close_due_cycles()
        assert told == []  # Not before commit.
    with django_capture_on_commit_callbacks(execute=True):
        close_due_cycles()

    assert told == [cycle.pk]


def test_a_manual_close_tells_the_hooks_like_the_deadline_task(
    collective, organiser, told, django_capture_on_commit_callbacks
):
    cycle = OrderCycleFactory(collective=collective)

    with django_capture_on_commit_callbacks(execute=True):
        assert close_order_cycle(cycle, closed_by=organiser) is True
    with django_capture_on_commit_callbacks(execute=True):
        assert close_order_cycle(cycle, closed_by=organiser) is False
        close_due_cycles(now=cycle.closes_at + timedelta(hours=1))

    assert told == [cycle.pk]


def test_a_failing_hook_neither_stops_the_others_nor_the_closing(
    collective, told, django_capture_on_commit_callbacks
):
    def broken(cycle_id):
        raise RuntimeError("mail server down")

    with hooks.register_temporarily(CYCLE_CLOSED, broken):
        first, second = due_cycle(collective, hours_ago=2), due_cycle(collective)
        with django_capture_on_commit_callbacks(execute=True):
            assert close_due_cycles() == [first.pk, second.pk]

    assert sorted(told) == [first.pk, second.pk]


def test_the_task_closes_due_cycles_and_runs_every_five_minutes(collective):
    cycle = due_cycle(collective)

    assert close_due_cycles_task() == [cycle.pk]
    schedule = Schedule.objects.get(name="close-due-cycles")
    assert schedule.func == "amap.distribution.tasks.close_due_cycles_task"
    assert schedule.schedule_type == Schedule.MINUTES
    assert schedule.minutes == 5
    assert schedule.repeats == -1


@pytest.fixture
def booked_order(collective, member, producer):
    """Marie's order for a distribution whose cycle is still open."""
    distribution = DistributionFactory(cycle__collective=collective)
    offer = OfferFactory(
        cycle=distribution.cycle,
        product=ProductFactory(producer=producer, name="Carottes"),
        quantity_available=Decimal("10"),
    )
    result = place_order(
        member=member, distribution=distribution, lines={offer.pk: Decimal("2")}
    )
    assert result.ok
    return result.order, offer


def test_orders_are_frozen_once_the_task_has_closed_the_cycle(member, booked_order):
    order, offer = booked_order
    cycle = order.distribution.cycle
    OrderCycle.objects.filter(pk=cycle.pk).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    assert close_due_cycles() == [cycle.pk]

    with pytest.raises(ValidationError, match="closed"):
        place_order(
            member=member,
            distribution=order.distribution,
            lines={offer.pk: Decimal("5")},
        )
    with pytest.raises(ValidationError, match="closed"):
        cancel_order(order, cancelled_by=member)
    assert Order.objects.get(pk=order.pk).status == Order.Status.CONFIRMED
    assert order.lines.get().quantity == Decimal("2")


def test_orders_are_frozen_once_an_organiser_closed_the_cycle_early(
    member, organiser, booked_order
):
    order, offer = booked_order
    close_order_cycle(order.distribution.cycle, closed_by=organiser)

    with pytest.raises(ValidationError, match="closed"):
        place_order(
            member=member,
            distribution=order.distribution,
            lines={offer.pk: Decimal("1")},
        )
    with pytest.raises(ValidationError, match="closed"):
        cancel_order(order, cancelled_by=member)
