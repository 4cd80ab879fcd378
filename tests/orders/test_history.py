"""Nothing a dispute might need is hard-deleted: order lines set to 0 stay as
history and count nowhere, payments keep who changed what and when, and
organisers read it on the order's and the instalment's pages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from amap.money import format_euros, format_quantity
from amap.orders.models import Order, OrderLine
from amap.orders.permissions import member_orders
from amap.orders.picking import picking_list_csv
from amap.orders.selectors.booking import order_with_lines
from amap.orders.selectors.export import collective_export
from amap.orders.selectors.producer_bookings import producer_bookings
from amap.orders.services.booking import cancel_order, place_order
from amap.orders.services.payments import (
    cancel_instalment_payment,
    mark_instalments_paid,
    record_order_payment,
)
from amap.orders.sheets import distribution_sheet
from amap.producers.models import Offer
from tests.factories import (
    DistributionFactory,
    MembershipFactory,
    OfferFactory,
    ProductFactory,
)
from tests.orders.test_payments import subscribe

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
def leeks(distribution, producer):
    return OfferFactory(
        cycle=distribution.cycle,
        product=ProductFactory(producer=producer, name="Poireaux", price=D("3.00")),
        quantity_available=None,
    )


def booked(offer) -> Decimal:
    return Offer.objects.get(pk=offer.pk).booked


def test_a_line_set_to_0_is_kept_and_counted_nowhere(
    member, producer, collective, distribution, carrots, leeks
):
    place_order(
        member=member, distribution=distribution, lines={carrots.pk: 2, leeks.pk: 1}
    )
    order = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 2, leeks.pk: 0}
    ).order

    kept = OrderLine.objects.get(order=order, offer=leeks)
    assert kept.quantity == 0
    assert kept.amount == 0
    assert booked(leeks) == 0
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert order.total == D("4.70")
    # The member's page, the sheet, the picking list and the export.
    page = order_with_lines(member_orders(member), order.pk)
    assert [line.offer_id for line in page.lines.all()] == [carrots.pk]
    sheet = distribution_sheet(distribution)
    assert [total.name for total in sheet.product_totals] == ["Carottes"]
    assert sheet.amount == D("4.70")
    bookings = producer_bookings(producer, distribution.cycle)
    assert "Poireaux" not in picking_list_csv(bookings)
    assert bookings.amount == D("4.70")
    lines_table = next(
        t for t in collective_export(collective).tables if t.name == "order_lines"
    )
    assert [row[0] for row in lines_table.rows] == [
        OrderLine.objects.get(offer=carrots).pk
    ]


def test_a_line_set_to_0_can_be_booked_again(member, distribution, carrots, leeks):
    place_order(
        member=member, distribution=distribution, lines={carrots.pk: 2, leeks.pk: 1}
    )
    place_order(member=member, distribution=distribution, lines={carrots.pk: 2})
    order = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 2, leeks.pk: 3}
    ).order
    assert OrderLine.objects.get(order=order, offer=leeks).quantity == 3
    assert booked(leeks) == 3
    order.refresh_from_db()
    assert order.total == D("13.70")


def test_setting_every_line_to_0_cancels_like_the_cancel_button(
    member, distribution, carrots, leeks
):
    order = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 2, leeks.pk: 1}
    ).order
    result = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 0, leeks.pk: 0}
    )

    order.refresh_from_db()
    assert result.order.pk == order.pk
    assert order.status == Order.Status.CANCELLED
    assert order.cancelled_at is not None
    assert sorted(order.lines.values_list("offer_id", "quantity")) == sorted(
        [(carrots.pk, D("2")), (leeks.pk, D("1"))]
    )
    assert (booked(carrots), booked(leeks)) == (0, 0)
    assert distribution_sheet(distribution).product_totals == []

    # Booking again reactivates it, as after the Cancel button.
    place_order(member=member, distribution=distribution, lines={leeks.pk: 2})
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert order.total == D("6.00")
    assert (booked(carrots), booked(leeks)) == (0, 2)


def test_cancel_button_and_all_to_0_leave_the_same_lines(
    member, collective, distribution, carrots
):
    other_member = MembershipFactory(collective=collective).user
    first = place_order(
        member=member, distribution=distribution, lines={carrots.pk: 2}
    ).order
    second = place_order(
        member=other_member, distribution=distribution, lines={carrots.pk: 2}
    ).order
    cancel_order(first, cancelled_by=member)
    place_order(member=other_member, distribution=distribution, lines={carrots.pk: 0})
    assert list(first.lines.values_list("quantity", flat=True)) == list(
        second.lines.values_list("quantity", flat=True)
    )


def test_undoing_an_instalment_payment_keeps_the_earlier_values_in_history(
    member, organiser, collective
):
    instalment = subscribe(member, collective).schedule.first()
    mark_instalments_paid(
        instalments=[instalment],
        method="cheque",
        references={instalment.pk: "CHQ 4242"},
        recorded_by=organiser,
    )
    instalment.refresh_from_db()
    paid_at = instalment.paid_at
    cancel_instalment_payment(instalment=instalment, cancelled_by=organiser)

    records = list(instalment.history.order_by("history_date", "history_id"))
    paid = [r for r in records if r.paid_at is not None]
    assert [(r.paid_at, r.method, r.reference) for r in paid] == [
        (paid_at, "cheque", "CHQ 4242")
    ]
    assert paid[0].history_user == organiser
    assert records[-1].paid_at is None
    assert records[-1].history_user == organiser


def order_page(collective, order):
    return reverse("orders:order_payment_create", args=[collective.slug, order.pk])


def test_an_order_history_is_shown_to_its_organiser_only(
    as_user, member, organiser, other_organiser, collective, distribution, carrots
):
    client = as_user(member)
    url = reverse("orders:booking", args=[distribution.pk])
    client.post(url, {f"offer_{carrots.pk}": "3"})
    client.post(url, {f"offer_{carrots.pk}": "1"})
    order = Order.objects.get(member=member)
    record_order_payment(
        order=order,
        amount=D("2.35"),
        method="cheque",
        reference="CHQ 77",
        received_by=organiser,
    )

    assert (
        as_user(other_organiser).get(order_page(collective, order)).status_code == 404
    )
    assert as_user(member).get(order_page(collective, order)).status_code == 404
    page = as_user(organiser).get(order_page(collective, order)).content.decode()
    history = page[page.index('id="history"') :]
    assert "History" in history
    unit = carrots.product.unit
    before, after = format_quantity(D(3), unit), format_quantity(D(1), unit)
    assert f"Carottes: {before} → {after}." in history
    assert f"Carottes: {before} added." in history
    assert f"Payment of {format_euros(D('2.35'))} recorded" in history
    assert "CHQ 77" in history
    assert str(member.get_full_name() or member) in history
    assert str(organiser.get_full_name() or organiser) in history


def test_an_undone_instalment_payment_shows_by_whom_on_its_page(
    as_user, member, organiser, other_organiser, collective
):
    instalment = subscribe(member, collective).schedule.first()
    mark_instalments_paid(
        instalments=[instalment],
        method="cheque",
        references={instalment.pk: "CHQ 4242"},
        recorded_by=organiser,
    )
    as_user(organiser).post(
        reverse(
            "orders:instalment_payment_cancel", args=[collective.slug, instalment.pk]
        )
    )
    url = reverse("orders:instalment_history", args=[collective.slug, instalment.pk])
    assert as_user(other_organiser).get(url).status_code == 404
    assert as_user(member).get(url).status_code == 404
    page = as_user(organiser).get(url).content.decode()
    history = page[page.index('id="history"') :]
    assert "Payment undone" in history
    assert "CHQ 4242" in history
    assert str(organiser.get_full_name() or organiser) in history


def test_history_pages_take_a_fixed_number_of_queries(
    as_user,
    organiser,
    collective,
    distribution,
    producer,
    django_assert_max_num_queries,
):
    person = MembershipFactory(collective=collective).user
    offers = [
        OfferFactory(
            cycle=distribution.cycle,
            product=ProductFactory(producer=producer, price=D("1.00")),
            quantity_available=None,
        )
        for _ in range(6)
    ]
    for quantity in range(1, 8):
        place_order(
            member=person,
            distribution=distribution,
            lines={offer.pk: quantity for offer in offers},
        )
    order = Order.objects.get(member=person)
    for _ in range(4):
        record_order_payment(
            order=order, amount=D("1.00"), method="cash", received_by=organiser
        )
    assert order.history.count() >= 7
    client = as_user(organiser)
    with django_assert_max_num_queries(10):
        response = client.get(order_page(collective, order))
    assert response.status_code == 200

    instalment = subscribe(person, collective).schedule.first()
    for _ in range(5):
        mark_instalments_paid(
            instalments=[instalment], method="cash", recorded_by=organiser
        )
        cancel_instalment_payment(instalment=instalment, cancelled_by=organiser)
    url = reverse("orders:instalment_history", args=[collective.slug, instalment.pk])
    with django_assert_max_num_queries(7):
        response = client.get(url)
    assert response.content.decode().count("Payment undone") == 5
