"""place_order and cancel_order, called directly: every rule and refusal."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from amap.distribution.hooks import concerned_people
from amap.distribution.models import OrderCycle
from amap.orders.models import Order, OrderLine
from amap.orders.services.booking import cancel_order, place_order
from amap.producers.models import Offer
from tests.factories import (
    DistributionFactory,
    MembershipFactory,
    OfferFactory,
    OrderCycleFactory,
    ProductFactory,
)

pytestmark = pytest.mark.usefixtures("english")

D = Decimal


@pytest.fixture
def distribution(collective):
    return DistributionFactory(cycle__collective=collective)


@pytest.fixture
def carrots(distribution, producer):
    return OfferFactory(
        cycle=distribution.cycle,
        product=ProductFactory(producer=producer, name="Carottes", price=D("2.35")),
        quantity_available=D("10"),
    )


@pytest.fixture
def eggs(distribution, producer):
    return OfferFactory(
        cycle=distribution.cycle,
        product=ProductFactory(
            producer=producer, name="Œufs", unit="dozen", price=D("4.10")
        ),
        quantity_available=None,
    )


def booked(offer) -> Decimal:
    return Offer.objects.get(pk=offer.pk).booked


def refresh(order):
    return Order.objects.get(pk=order.pk)


def test_place_order_books_lines_at_the_offer_price_and_totals_them(
    member, distribution, carrots, eggs
):
    result = place_order(
        member=member,
        distribution=distribution,
        lines={carrots.pk: D("1.5"), eggs.pk: 2},
    )

    assert result.ok
    order = result.order
    lines = {line.offer_id: line for line in order.lines.all()}
    assert lines[carrots.pk].unit_price == D("2.35")
    assert lines[carrots.pk].amount == D("3.53")  # 3.525 rounded half up, once
    assert lines[eggs.pk].amount == D("8.20")
    assert refresh(order).total == D("11.73")
    assert order.status == Order.Status.CONFIRMED
    assert booked(carrots) == D("1.5")
    assert booked(eggs) == D("2")


def test_place_order_sends_the_summary_by_email_after_commit(
    member, distribution, carrots, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        place_order(member=member, distribution=distribution, lines={carrots.pk: 2})

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert "Carottes" in message.body
    assert "4,70\xa0€" in message.body or "4.70\xa0€" in message.body


def test_saving_the_same_order_twice_sends_one_email(
    member, distribution, carrots, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        place_order(member=member, distribution=distribution, lines={carrots.pk: 2})
    with django_capture_on_commit_callbacks(execute=True):
        place_order(member=member, distribution=distribution, lines={carrots.pk: 2})
    assert len(mail.outbox) == 1


def test_changing_an_order_adjusts_the_stock_by_the_difference(
    member, distribution, carrots, eggs
):
    first = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 4, eggs.pk: 1}
    ).order
    second = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 1, eggs.pk: 0}
    ).order

    assert second.pk == first.pk
    assert Order.objects.filter(member=member).count() == 1
    assert booked(carrots) == D("1")
    assert booked(eggs) == D("0")
    assert list(second.lines.live().values_list("offer_id", "quantity")) == [
        (carrots.pk, D("1"))
    ]
    assert refresh(second).total == D("2.35")


def test_an_offer_left_out_of_the_lines_is_removed(member, distribution, carrots, eggs):
    place_order(
        member=member, distribution=distribution, lines={carrots.pk: 4, eggs.pk: 1}
    )
    order = place_order(member=member, distribution=distribution, lines={eggs.pk: 1})
    assert list(order.order.lines.live().values_list("offer_id", flat=True)) == [
        eggs.pk
    ]
    assert booked(carrots) == 0


def test_removing_every_line_cancels_the_order(member, distribution, carrots):
    place_order(member=member, distribution=distribution, lines={carrots.pk: 4})
    result = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 0}
    )
    assert result.order.status == Order.Status.CANCELLED
    assert booked(carrots) == 0


def test_an_empty_first_order_is_refused_and_leaves_nothing(
    member, distribution, carrots
):
    with pytest.raises(ValidationError, match="Your order is empty"):
        place_order(member=member, distribution=distribution, lines={carrots.pk: 0})
    assert not Order.objects.exists()


def test_a_cancelled_order_is_reactivated_by_booking_again(
    member, distribution, carrots, eggs
):
    order = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 3}
    ).order
    cancel_order(order, cancelled_by=member)
    assert booked(carrots) == 0

    again = place_order(member=member, distribution=distribution, lines={eggs.pk: 2})

    order = refresh(again.order)
    assert order.pk == again.order.pk
    assert order.status == Order.Status.CONFIRMED
    assert order.cancelled_at is None
    assert list(order.lines.live().values_list("offer_id", "quantity")) == [
        (eggs.pk, D("2"))
    ]
    assert booked(carrots) == 0
    assert booked(eggs) == 2
    assert order.total == D("8.20")


def test_reactivating_with_the_same_quantity_books_the_stock_again(
    member, distribution, carrots
):
    order = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 3}
    ).order
    cancel_order(order, cancelled_by=member)
    place_order(member=member, distribution=distribution, lines={carrots.pk: 3})
    assert booked(carrots) == 3
    assert refresh(order).status == Order.Status.CONFIRMED


def test_cancel_order_releases_the_stock_and_keeps_the_lines(
    member, distribution, carrots
):
    order = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 3}
    ).order
    cancel_order(order, cancelled_by=member)
    order = refresh(order)
    assert order.status == Order.Status.CANCELLED
    assert order.cancelled_at is not None
    assert booked(carrots) == 0
    assert OrderLine.objects.filter(order=order).count() == 1


def test_cancel_order_twice_is_refused(member, distribution, carrots):
    order = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 3}
    ).order
    cancel_order(order, cancelled_by=member)
    with pytest.raises(ValidationError, match="already cancelled"):
        cancel_order(order, cancelled_by=member)
    assert booked(carrots) == 0


def test_cancel_order_by_someone_else_is_refused(
    member, other_member, distribution, carrots
):
    order = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 3}
    ).order
    with pytest.raises(PermissionDenied):
        cancel_order(order, cancelled_by=other_member)
    assert booked(carrots) == 3


# Refusals of the whole request -----------------------------------------------


def close(cycle):
    OrderCycle.objects.filter(pk=cycle.pk).update(
        opens_at=timezone.now() - timedelta(days=5),
        closes_at=timezone.now() - timedelta(hours=1),
    )


def test_place_order_refuses_a_closed_cycle(member, distribution, carrots):
    close(distribution.cycle)
    with pytest.raises(ValidationError) as error:
        place_order(member=member, distribution=distribution, lines={carrots.pk: 1})
    assert "Ordering for this distribution closed on" in error.value.messages[0]
    assert "your order can no longer change" in error.value.messages[0]
    assert not Order.objects.exists()
    assert booked(carrots) == 0


def test_a_cycle_closed_by_an_organiser_before_its_deadline_is_closed(
    member, distribution, carrots
):
    OrderCycle.objects.filter(pk=distribution.cycle_id).update(closed_at=timezone.now())
    with pytest.raises(ValidationError, match="closed on"):
        place_order(member=member, distribution=distribution, lines={carrots.pk: 1})


def test_changes_and_cancellation_are_refused_once_the_cycle_closed(
    member, distribution, carrots
):
    order = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 2}
    ).order
    close(distribution.cycle)
    with pytest.raises(ValidationError, match="can no longer change"):
        place_order(member=member, distribution=distribution, lines={carrots.pk: 5})
    with pytest.raises(ValidationError, match="can no longer change"):
        cancel_order(order, cancelled_by=member)
    assert refresh(order).status == Order.Status.CONFIRMED
    assert booked(carrots) == 2


def test_place_order_refuses_a_cycle_not_open_yet(member, collective, producer):
    cycle = OrderCycleFactory(
        collective=collective,
        opens_at=timezone.now() + timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=3),
    )
    distribution = DistributionFactory(cycle=cycle)
    offer = OfferFactory(cycle=cycle, product=ProductFactory(producer=producer))
    with pytest.raises(ValidationError, match="opens on"):
        place_order(member=member, distribution=distribution, lines={offer.pk: 1})


def test_place_order_refuses_a_cancelled_distribution(member, distribution, carrots):
    distribution.cancelled = True
    distribution.save()
    with pytest.raises(ValidationError, match="cancelled"):
        place_order(member=member, distribution=distribution, lines={carrots.pk: 1})


def test_place_order_refuses_someone_outside_the_collective(
    other_member, distribution, carrots
):
    with pytest.raises(ValidationError, match="Only active members"):
        place_order(
            member=other_member, distribution=distribution, lines={carrots.pk: 1}
        )
    assert booked(carrots) == 0


def test_place_order_refuses_a_member_whose_membership_ended(
    collective, distribution, carrots
):
    user = MembershipFactory(collective=collective, status="inactive").user
    with pytest.raises(ValidationError, match="Only active members"):
        place_order(member=user, distribution=distribution, lines={carrots.pk: 1})


def test_place_order_refuses_an_offer_of_another_collectives_cycle(
    member, distribution, carrots, other_collective, other_producer
):
    foreign = OfferFactory(
        cycle=OrderCycleFactory(collective=other_collective),
        product=ProductFactory(producer=other_producer),
    )
    with pytest.raises(ValidationError, match="not on offer for this distribution"):
        place_order(
            member=member,
            distribution=distribution,
            lines={carrots.pk: 1, foreign.pk: 1},
        )
    assert booked(foreign) == 0
    assert booked(carrots) == 0
    assert not Order.objects.exists()


def test_place_order_refuses_an_unknown_offer(member, distribution):
    with pytest.raises(ValidationError, match="not on offer"):
        place_order(member=member, distribution=distribution, lines={987654: 1})


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (D("-1"), "cannot be negative"),
        (D("1000000"), "not a sensible quantity"),
        (D("1.0001"), "at most three decimals"),
        ("lots", "Enter a number"),
        (D("NaN"), "Enter a number"),
        (D("Infinity"), "Enter a number"),
        (float("nan"), "Enter a number"),
        (True, "Enter a number"),
        (False, "Enter a number"),
    ],
)
def test_place_order_refuses_a_bad_quantity_next_to_its_line(
    member, distribution, carrots, eggs, quantity, message
):
    with pytest.raises(ValidationError) as error:
        place_order(
            member=member,
            distribution=distribution,
            lines={carrots.pk: quantity, eggs.pk: 1},
        )
    assert message in error.value.message_dict[carrots.pk][0]
    assert "Carottes" in error.value.message_dict[carrots.pk][0]
    assert eggs.pk not in error.value.message_dict
    assert not Order.objects.exists()
    assert booked(eggs) == 0


def test_place_order_refuses_a_quantity_off_the_weight_step(
    member, distribution, carrots
):
    carrots.product.weight_step = D("0.5")
    carrots.product.save()
    with pytest.raises(ValidationError) as error:
        place_order(
            member=member, distribution=distribution, lines={carrots.pk: D("1.2")}
        )
    assert "sold by 0.5\xa0kg" in error.value.message_dict[carrots.pk][0]
    result = place_order(
        member=member, distribution=distribution, lines={carrots.pk: D("1.5")}
    )
    assert result.ok


# Refusals of one line, the rest saved ------------------------------------------


def test_a_line_above_what_remains_is_refused_and_the_rest_is_saved(
    member, distribution, carrots, eggs
):
    Offer.objects.filter(pk=carrots.pk).update(booked=D("7"))

    result = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 5, eggs.pk: 2}
    )

    assert result.refused == {
        carrots.pk: "Only 3\xa0kg of Carottes left: "
        "your quantity for it was not changed."
    }
    assert list(result.order.lines.values_list("offer_id", "quantity")) == [
        (eggs.pk, D("2"))
    ]
    assert booked(carrots) == 7
    assert booked(eggs) == 2
    assert refresh(result.order).total == D("8.20")


def test_a_refused_increase_keeps_the_previous_quantity(
    member, distribution, carrots, eggs
):
    place_order(member=member, distribution=distribution, lines={carrots.pk: 2})
    Offer.objects.filter(pk=carrots.pk).update(booked=D("10"))  # others took the rest

    result = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 4, eggs.pk: 1}
    )

    assert "Only 0\xa0kg of Carottes left" in result.refused[carrots.pk]
    lines = dict(result.order.lines.values_list("offer_id", "quantity"))
    assert lines == {carrots.pk: D("2"), eggs.pk: D("1")}
    assert booked(carrots) == 10


def test_the_last_units_can_be_booked_exactly(member, distribution, carrots):
    result = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 10}
    )
    assert result.ok
    assert booked(carrots) == 10


def test_a_first_order_with_every_line_refused_leaves_no_order(
    member, distribution, carrots
):
    Offer.objects.filter(pk=carrots.pk).update(booked=D("10"))
    result = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 1}
    )
    assert result.order is None
    assert "Only 0\xa0kg of Carottes left" in result.refused[carrots.pk]
    assert not Order.objects.exists()


def test_a_product_archived_meanwhile_is_refused_by_name(
    member, distribution, carrots, eggs
):
    carrots.product.active = False
    carrots.product.save()
    result = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 1, eggs.pk: 1}
    )
    assert result.refused[carrots.pk] == (
        "Carottes is no longer on sale: your quantity for it was not changed."
    )
    assert booked(carrots) == 0
    assert booked(eggs) == 1


def test_a_product_archived_after_booking_can_still_be_lowered(
    member, distribution, carrots
):
    place_order(member=member, distribution=distribution, lines={carrots.pk: 3})
    carrots.product.active = False
    carrots.product.save()
    result = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 1}
    )
    assert result.ok
    assert booked(carrots) == 1


def test_one_order_per_member_and_distribution_whatever_the_submits(
    member, distribution, carrots
):
    for _ in range(3):
        place_order(member=member, distribution=distribution, lines={carrots.pk: 2})
    assert Order.objects.count() == 1
    assert booked(carrots) == 2


def test_people_with_a_confirmed_order_are_concerned_by_the_distribution(
    member, distribution, carrots, collective
):
    someone = MembershipFactory(collective=collective).user
    place_order(member=member, distribution=distribution, lines={carrots.pk: 2})
    order = place_order(
        member=someone, distribution=distribution, lines={carrots.pk: 1}
    ).order
    cancel_order(order, cancelled_by=someone)
    assert concerned_people(distribution) == [member]
