"""Real threads and real transactions on PostgreSQL: stock stays exact.

Each thread uses its own database connection (Django opens one per thread) and
closes it at the end; a barrier releases them all at the same moment.
"""

import random
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum

from amap.orders.models import Order, OrderLine
from amap.orders.services.booking import cancel_order, place_order
from tests.factories import (
    DistributionFactory,
    MembershipFactory,
    OfferFactory,
    ProductFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent row locks and conditional updates need PostgreSQL",
    ),
    pytest.mark.usefixtures("english"),
]


def run_together(jobs):
    """Run each callable in its own thread, all released at once; return
    (results, unexpected exceptions)."""
    barrier = threading.Barrier(len(jobs))
    results, unexpected = [], []
    lock = threading.Lock()

    def run(job):
        try:
            barrier.wait()
            outcome = job()
        except ValidationError as error:
            outcome = error
        except Exception as error:  # noqa: BLE001 - the test reports them all
            with lock:
                unexpected.append(error)
            return
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, unexpected


def booked_in_lines(offer) -> Decimal:
    return OrderLine.objects.filter(
        offer=offer, order__status=Order.Status.CONFIRMED
    ).aggregate(total=Sum("quantity"))["total"] or Decimal("0")


@pytest.fixture
def distribution(collective):
    return DistributionFactory(cycle__collective=collective)


def test_forty_members_racing_for_the_last_ten_units_book_exactly_ten(
    collective, distribution
):
    offer = OfferFactory(
        cycle=distribution.cycle,
        product=ProductFactory(name="Fraises", unit="piece"),
        quantity_available=Decimal("30"),
        booked=Decimal("20"),
    )
    members = [MembershipFactory(collective=collective).user for _ in range(40)]

    def book(member):
        return lambda: place_order(
            member=member, distribution=distribution, lines={offer.pk: Decimal("1")}
        )

    results, unexpected = run_together([book(member) for member in members])

    assert unexpected == []
    assert len(results) == 40
    assert not [r for r in results if isinstance(r, ValidationError)]
    booked = [r for r in results if r.ok]
    refused = [r for r in results if not r.ok]
    assert len(booked) == 10
    assert len(refused) == 30
    for result in refused:
        assert result.order is None
        assert result.refused[offer.pk].startswith("Only 0\xa0pieces of Fraises left")
    offer.refresh_from_db()
    assert offer.booked == Decimal("30") == offer.quantity_available
    assert booked_in_lines(offer) == 10
    assert Order.objects.filter(distribution=distribution).count() == 10


def test_a_double_submit_makes_one_order(collective, distribution):
    offer = OfferFactory(cycle=distribution.cycle, quantity_available=Decimal("50"))
    member = MembershipFactory(collective=collective).user

    results, unexpected = run_together(
        [
            lambda: place_order(
                member=member, distribution=distribution, lines={offer.pk: 3}
            )
            for _ in range(8)
        ]
    )

    assert unexpected == []
    assert all(result.ok for result in results)
    assert Order.objects.filter(member=member).count() == 1
    offer.refresh_from_db()
    assert offer.booked == 3


def test_a_member_increasing_while_another_cancels_keeps_the_stock_exact(
    collective, distribution
):
    offer = OfferFactory(cycle=distribution.cycle, quantity_available=Decimal("10"))
    alice = MembershipFactory(collective=collective).user
    bob = MembershipFactory(collective=collective).user
    outcomes = set()
    for _ in range(5):
        place_order(member=alice, distribution=distribution, lines={offer.pk: 4})
        bob_order = place_order(
            member=bob, distribution=distribution, lines={offer.pk: 6}
        ).order

        results, unexpected = run_together(
            [
                lambda: place_order(
                    member=alice, distribution=distribution, lines={offer.pk: 8}
                ),
                lambda bob_order=bob_order: cancel_order(bob_order, cancelled_by=bob),
            ]
        )

        assert unexpected == []
        alice_result = next(r for r in results if not isinstance(r, Order))
        alice_line = OrderLine.objects.get(order__member=alice, offer=offer)
        if alice_result.ok:
            assert alice_line.quantity == 8
            outcomes.add("increased")
        else:
            # Bob's stock was not released yet: Alice keeps her 4.
            assert "left" in alice_result.refused[offer.pk]
            assert alice_line.quantity == 4
            outcomes.add("refused")
        offer.refresh_from_db()
        assert offer.booked == booked_in_lines(offer) == alice_line.quantity
        assert offer.booked <= offer.quantity_available
        # Back to the start for the next round.
        place_order(member=alice, distribution=distribution, lines={offer.pk: 4})
    assert outcomes


def test_changing_quantities_concurrently_keeps_booked_equal_to_the_lines(
    collective, distribution
):
    offers = [
        OfferFactory(cycle=distribution.cycle, quantity_available=Decimal("40")),
        OfferFactory(cycle=distribution.cycle, quantity_available=Decimal("25")),
        OfferFactory(cycle=distribution.cycle, quantity_available=None),
    ]
    members = [MembershipFactory(collective=collective).user for _ in range(16)]
    rng = random.Random(42)

    def change(member, wanted):
        # Lines given in a shuffled order: the service sorts them itself.
        items = list(wanted.items())
        rng.shuffle(items)
        return lambda: place_order(
            member=member, distribution=distribution, lines=dict(items)
        )

    for _ in range(4):
        jobs = []
        for member in members:
            wanted = {offer.pk: Decimal(rng.randint(0, 6)) for offer in offers}
            if not any(wanted.values()):
                wanted[offers[2].pk] = Decimal("1")
            jobs.append(change(member, wanted))
        results, unexpected = run_together(jobs)

        assert unexpected == []
        for offer in offers:
            offer.refresh_from_db()
            assert offer.booked == booked_in_lines(offer)
            if offer.quantity_available is not None:
                assert offer.booked <= offer.quantity_available
        for order in Order.objects.filter(distribution=distribution):
            if order.status == Order.Status.CANCELLED:
                # Every quantity went to 0 (or was refused): cancelled, its
                # lines kept as history, nothing due.
                assert order.total == Decimal("0")
                continue
            assert order.total == sum(
                (line.amount for line in order.lines.all()), Decimal("0")
            )
