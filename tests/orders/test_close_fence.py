"""The close of a cycle is a fence: a booking, a change or a cancellation
commits before the close (so every list generated at the close has it) or is
refused as closed, never in between.

The PostgreSQL tests force the interleaving: the test holds a row lock in its
own connection so that the service under test is caught mid-way, then lets
the other party through.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from amap.distribution.models import OrderCycle
from amap.distribution.services.calendar import close_order_cycle
from amap.orders.models import Order
from amap.orders.services.booking import cancel_order, place_order
from amap.producers.models import Offer
from tests.concurrency import Attempt, wait_until_waiting_on_a_lock
from tests.factories import DistributionFactory, MembershipFactory, OfferFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Row locks (select_for_update) need PostgreSQL and real threads.",
)
threaded = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def booking(collective):
    distribution = DistributionFactory(cycle__collective=collective)
    offer = OfferFactory(cycle=distribution.cycle, quantity_available=Decimal("20"))
    member = MembershipFactory(collective=collective).user
    return distribution, offer, member


@postgresql_only
@threaded
def test_a_booking_under_way_when_the_cycle_closes_commits_before_the_close(
    booking, english
):
    """The booking has read the cycle open and waits on its offer; the close
    must wait for it, so the booking is on every list made at the close."""
    distribution, offer, member = booking
    with transaction.atomic():
        Offer.objects.select_for_update().get(pk=offer.pk)  # the test holds it
        booker = Attempt(
            lambda: place_order(
                member=member, distribution=distribution, lines={offer.pk: 5}
            )
        )
        booker.start()
        wait_until_waiting_on_a_lock(1, unless=booker)
        closer = Attempt(lambda: close_order_cycle(distribution.cycle, closed_by=None))
        closer.start()
        closer.join(timeout=1)
    booker.join(timeout=10)
    closer.join(timeout=10)

    assert closer.outcome is True
    cycle = OrderCycle.objects.get(pk=distribution.cycle_id)
    if isinstance(booker.outcome, ValidationError):
        assert booker.outcome.code == "closed"
        assert not Order.objects.filter(status=Order.Status.CONFIRMED).exists()
    else:
        order = Order.objects.get(member=member)
        assert order.status == Order.Status.CONFIRMED
        assert order.updated_at < cycle.closed_at


@postgresql_only
@threaded
def test_a_booking_arriving_during_the_close_is_refused_as_closed(booking, english):
    """The close holds the cycle: the booking waits, then reads it closed."""
    distribution, offer, member = booking
    with transaction.atomic():
        cycle = OrderCycle.objects.select_for_update().get(pk=distribution.cycle_id)
        booker = Attempt(
            lambda: place_order(
                member=member, distribution=distribution, lines={offer.pk: 5}
            )
        )
        booker.start()
        wait_until_waiting_on_a_lock(1, unless=booker)
        cycle.closed_at = timezone.now()
        cycle.save(update_fields=["closed_at"])
    booker.join(timeout=10)

    assert isinstance(booker.outcome, ValidationError), booker.outcome
    assert booker.outcome.code == "closed"
    assert "closed on" in booker.outcome.messages[0]
    assert not Order.objects.filter(status=Order.Status.CONFIRMED).exists()
    offer.refresh_from_db()
    assert offer.booked == 0


@postgresql_only
@threaded
def test_a_cancellation_arriving_during_the_close_is_refused_as_closed(
    booking, english
):
    distribution, offer, member = booking
    order = place_order(
        member=member, distribution=distribution, lines={offer.pk: 5}
    ).order
    with transaction.atomic():
        cycle = OrderCycle.objects.select_for_update().get(pk=distribution.cycle_id)
        canceller = Attempt(lambda: cancel_order(order, cancelled_by=member))
        canceller.start()
        wait_until_waiting_on_a_lock(1, unless=canceller)
        cycle.closed_at = timezone.now()
        cycle.save(update_fields=["closed_at"])
    canceller.join(timeout=10)

    assert isinstance(canceller.outcome, ValidationError), canceller.outcome
    assert canceller.outcome.code == "closed"
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    offer.refresh_from_db()
    assert offer.booked == 5


@postgresql_only
@threaded
def test_bookings_of_one_cycle_do_not_queue_behind_each_other(booking, collective):
    """The cycle lock is shared: a booking holding it does not stop another
    member's booking of the same cycle."""
    distribution, offer, member = booking
    other_offer = OfferFactory(cycle=distribution.cycle, quantity_available=None)
    other = MembershipFactory(collective=collective).user
    with transaction.atomic():
        Offer.objects.select_for_update().get(pk=offer.pk)
        stuck = Attempt(
            lambda: place_order(
                member=member, distribution=distribution, lines={offer.pk: 1}
            )
        )
        stuck.start()
        wait_until_waiting_on_a_lock(1, unless=stuck)
        free = Attempt(
            lambda: place_order(
                member=other, distribution=distribution, lines={other_offer.pk: 1}
            )
        )
        free.start()
        free.join(timeout=5)
        assert not free.is_alive()
        assert free.outcome.ok
    stuck.join(timeout=10)
    assert stuck.outcome.ok


@pytest.mark.django_db
def test_a_booking_after_the_deadline_is_refused_before_the_close_task_ran(
    booking, english
):
    """The row still says open (no `closed_at`): the deadline alone refuses."""
    distribution, offer, member = booking
    OrderCycle.objects.filter(pk=distribution.cycle_id).update(
        opens_at=timezone.now() - dt.timedelta(days=2),
        closes_at=timezone.now() - dt.timedelta(seconds=1),
    )
    assert OrderCycle.objects.get(pk=distribution.cycle_id).closed_at is None

    with pytest.raises(ValidationError) as refusal:
        place_order(member=member, distribution=distribution, lines={offer.pk: 1})

    assert refusal.value.code == "closed"
    assert not Order.objects.exists()
    offer.refresh_from_db()
    assert offer.booked == 0
