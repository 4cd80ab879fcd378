"""Payments: organisers record money received, members see what they owe."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from amap.orders.models import (
    Instalment,
    Order,
    OrderPayment,
    PaymentMethod,
    Subscription,
)
from amap.orders.selectors.balances import member_balances
from amap.orders.services.payments import (
    cancel_instalment_payment,
    mark_instalments_paid,
    mark_orders_paid,
    record_order_payment,
)
from tests.factories import (
    ContractFactory,
    DistributionFactory,
    MembershipFactory,
    OrderFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def subscribe(member, collective, amounts=("50.00", "50.00"), contract=None):
    """An active subscription of `member` with one instalment per amount."""
    contract = contract or ContractFactory(collective=collective)
    total = sum(Decimal(a) for a in amounts)
    subscription = SubscriptionFactory(
        option__contract=contract,
        member=member,
        instalments=len(amounts),
        total=total,
    )
    today = timezone.localdate()
    Instalment.objects.bulk_create(
        Instalment(
            subscription=subscription,
            number=number,
            due_date=today + dt.timedelta(days=30 * (number - 1)),
            amount=Decimal(amount),
        )
        for number, amount in enumerate(amounts, start=1)
    )
    return subscription


def order_for(member, collective, total="30.00", **kwargs):
    distribution = DistributionFactory(cycle__collective=collective, **kwargs)
    return OrderFactory(member=member, distribution=distribution, total=Decimal(total))


# Services --------------------------------------------------------------------


def test_mark_instalments_paid_records_method_reference_and_who(
    member, organiser, collective
):
    subscription = subscribe(member, collective)
    instalments = list(subscription.schedule.all())
    mark_instalments_paid(
        instalments=instalments,
        method=PaymentMethod.CHEQUE,
        references={instalments[0].pk: "1234567", str(instalments[1].pk): " 7654321 "},
        recorded_by=organiser,
    )
    first, second = subscription.schedule.order_by("number")
    assert first.is_paid and second.is_paid
    assert (first.method, first.reference, first.recorded_by) == (
        "cheque",
        "1234567",
        organiser,
    )
    assert second.reference == "7654321"


def test_mark_instalments_paid_refuses_someone_who_is_not_organiser(
    member, other_organiser, collective
):
    instalment = subscribe(member, collective).schedule.first()
    for person in (member, other_organiser):
        with pytest.raises(PermissionDenied):
            mark_instalments_paid(
                instalments=[instalment],
                method=PaymentMethod.CASH,
                references={},
                recorded_by=person,
            )
    instalment.refresh_from_db()
    assert not instalment.is_paid


def test_mark_instalments_paid_refuses_mixing_in_another_collectives_instalment(
    member, other_member, organiser, collective, other_collective
):
    mine = subscribe(member, collective).schedule.first()
    theirs = subscribe(other_member, other_collective).schedule.first()
    with pytest.raises(PermissionDenied):
        mark_instalments_paid(
            instalments=[mine, theirs],
            method=PaymentMethod.CASH,
            references={},
            recorded_by=organiser,
        )
    assert not Instalment.objects.filter(paid_at__isnull=False).exists()


def test_mark_instalments_paid_refuses_an_instalment_already_paid_and_writes_nothing(
    english, member, organiser, collective
):
    first, second = subscribe(member, collective).schedule.order_by("number")
    mark_instalments_paid(
        instalments=[first], method="cash", references={}, recorded_by=organiser
    )
    with pytest.raises(ValidationError, match="already marked as received"):
        mark_instalments_paid(
            instalments=[first, second],
            method="transfer",
            references={},
            recorded_by=organiser,
        )
    second.refresh_from_db()
    assert not second.is_paid
    first.refresh_from_db()
    assert first.method == "cash"


def test_mark_instalments_paid_refuses_a_cancelled_subscription(
    english, member, organiser, collective
):
    subscription = subscribe(member, collective)
    Subscription.objects.filter(pk=subscription.pk).update(
        status=Subscription.Status.CANCELLED
    )
    with pytest.raises(ValidationError, match="cancelled"):
        mark_instalments_paid(
            instalments=list(subscription.schedule.all()),
            method="cash",
            references={},
            recorded_by=organiser,
        )


def test_mark_instalments_paid_refuses_no_selection_bad_method_long_reference(
    english,
    member,
    organiser,
    collective,
):
    instalment = subscribe(member, collective).schedule.first()
    with pytest.raises(ValidationError, match="at least one"):
        mark_instalments_paid(
            instalments=[], method="cash", references={}, recorded_by=organiser
        )
    with pytest.raises(ValidationError):
        mark_instalments_paid(
            instalments=[instalment],
            method="card",
            references={},
            recorded_by=organiser,
        )
    with pytest.raises(ValidationError, match="at most 100"):
        mark_instalments_paid(
            instalments=[instalment],
            method="cheque",
            references={instalment.pk: "9" * 101},
            recorded_by=organiser,
        )
    instalment.refresh_from_db()
    assert not instalment.is_paid


def test_cancel_instalment_payment_makes_it_due_again(member, organiser, collective):
    instalment = subscribe(member, collective).schedule.first()
    mark_instalments_paid(
        instalments=[instalment],
        method="cheque",
        references={instalment.pk: "42"},
        recorded_by=organiser,
    )
    cancel_instalment_payment(instalment=instalment, cancelled_by=organiser)
    instalment.refresh_from_db()
    assert instalment.paid_at is None
    assert (instalment.method, instalment.reference) == ("", "")
    assert instalment.recorded_by == organiser


def test_cancel_instalment_payment_refuses_an_unpaid_instalment_and_strangers(
    english, member, organiser, other_organiser, collective
):
    instalment = subscribe(member, collective).schedule.first()
    with pytest.raises(ValidationError, match="not marked as received"):
        cancel_instalment_payment(instalment=instalment, cancelled_by=organiser)
    mark_instalments_paid(
        instalments=[instalment], method="cash", references={}, recorded_by=organiser
    )
    with pytest.raises(PermissionDenied):
        cancel_instalment_payment(instalment=instalment, cancelled_by=other_organiser)
    instalment.refresh_from_db()
    assert instalment.is_paid


def test_record_order_payment_accepts_part_payments_up_to_the_total(
    member, organiser, collective
):
    order = order_for(member, collective, total="30.00")
    record_order_payment(
        order=order,
        amount=Decimal("10.00"),
        method="cash",
        reference="",
        received_by=organiser,
    )
    payment = record_order_payment(
        order=order,
        amount=Decimal("20.00"),
        method="transfer",
        reference="VIR MARTIN",
        received_by=organiser,
    )
    assert payment.recorded_by == organiser
    assert sum(p.amount for p in order.payments.all()) == Decimal("30.00")


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("0"),
        Decimal("-5"),
        Decimal("30.01"),
        Decimal("10.005"),
        Decimal("NaN"),
        Decimal("Infinity"),
        True,
    ],
)
def test_record_order_payment_refuses_an_amount_not_positive_or_above_what_is_due(
    member, organiser, collective, amount
):
    order = order_for(member, collective, total="30.00")
    with pytest.raises(ValidationError) as error:
        record_order_payment(
            order=order,
            amount=amount,
            method="cash",
            reference="",
            received_by=organiser,
        )
    assert "amount" in error.value.message_dict
    assert not OrderPayment.objects.exists()


def test_record_order_payment_refuses_more_than_what_is_still_due(
    english, member, organiser, collective
):
    order = order_for(member, collective, total="30.00")
    record_order_payment(
        order=order, amount=Decimal("25"), method="cash", received_by=organiser
    )
    with pytest.raises(ValidationError, match="Only 5.00"):
        record_order_payment(
            order=order, amount=Decimal("6"), method="cash", received_by=organiser
        )


def test_record_order_payment_refuses_a_cancelled_order_and_strangers(
    english, member, organiser, other_organiser, collective
):
    order = order_for(member, collective)
    with pytest.raises(PermissionDenied):
        record_order_payment(
            order=order, amount=Decimal("5"), method="cash", received_by=member
        )
    with pytest.raises(PermissionDenied):
        record_order_payment(
            order=order,
            amount=Decimal("5"),
            method="cash",
            received_by=other_organiser,
        )
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    with pytest.raises(ValidationError, match="cancelled"):
        record_order_payment(
            order=order, amount=Decimal("5"), method="cash", received_by=organiser
        )
    with pytest.raises(ValidationError):
        record_order_payment(
            order=order_for(member, collective),
            amount=Decimal("5"),
            method="bitcoin",
            received_by=organiser,
        )
    assert not OrderPayment.objects.exists()


def test_mark_orders_paid_records_what_is_still_due_and_refuses_a_paid_order(
    english, member, organiser, collective
):
    order = order_for(member, collective, total="30.00")
    record_order_payment(
        order=order, amount=Decimal("12.50"), method="cash", received_by=organiser
    )
    (payment,) = mark_orders_paid(
        orders=[order],
        method="cheque",
        references={order.pk: "889"},
        received_by=organiser,
    )
    assert (payment.amount, payment.reference) == (Decimal("17.50"), "889")
    with pytest.raises(ValidationError, match="already paid"):
        mark_orders_paid(
            orders=[order], method="cash", references={}, received_by=organiser
        )


def test_member_balances_add_up_per_collective(
    member, organiser, collective, other_collective
):
    MembershipFactory(user=member, collective=other_collective)
    subscription = subscribe(member, collective, amounts=("40.00", "40.00", "40.01"))
    mark_instalments_paid(
        instalments=[subscription.schedule.get(number=1)],
        method="cash",
        references={},
        recorded_by=organiser,
    )
    order = order_for(member, other_collective, total="12.30")
    OrderPayment.objects.create(
        order=order, amount=Decimal("2.30"), method="cash", received_at=timezone.now()
    )
    balances = member_balances(member)
    by_name = {b.collective.name: b for b in balances}
    first = by_name[collective.name]
    assert (first.total, first.paid, first.due) == (
        Decimal("120.01"),
        Decimal("40.00"),
        Decimal("80.01"),
    )
    second = by_name[other_collective.name]
    assert (second.total, second.paid, second.due) == (
        Decimal("12.30"),
        Decimal("2.30"),
        Decimal("10.00"),
    )


# Views -----------------------------------------------------------------------


def list_url(collective):
    return reverse("orders:payment_list", args=[collective.slug])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (None, 302),
        ("member", 404),
        ("other_member", 404),
        ("producer_user", 404),
        ("organiser", 200),
        ("other_organiser", 404),
    ],
)
def test_payment_list_permission_matrix(request, as_user, collective, who, expected):
    user = request.getfixturevalue(who) if who else None
    response = as_user(user).get(list_url(collective))
    assert response.status_code == expected
    if who is None:
        assert "/compte/login/" in response["Location"]


def test_payment_list_shows_unpaid_rows_and_filters(
    as_user, member, organiser, collective, english
):
    contract = ContractFactory(collective=collective, name="Légumes d'hiver")
    subscription = subscribe(member, collective, contract=contract)
    other = UserFactory(first_name="Zoé", last_name="Lambert")
    subscribe(other, collective, amounts=("99.00",))
    order = order_for(member, collective, total="18.40")
    client = as_user(organiser)

    page = client.get(list_url(collective)).content.decode()
    assert page.count("data-instalment=") == 3
    assert f'data-order="{order.pk}"' in page
    assert "18.40" in page

    page = client.get(list_url(collective), {"q": "lambert"}).content.decode()
    assert page.count("data-instalment=") == 1
    assert "data-order=" not in page

    page = client.get(
        list_url(collective), {"contract": contract.pk, "status": "all"}
    ).content.decode()
    assert page.count("data-instalment=") == 2
    assert "data-order=" not in page

    mark_instalments_paid(
        instalments=[subscription.schedule.get(number=1)],
        method="cash",
        references={},
        recorded_by=organiser,
    )
    page = client.get(list_url(collective), {"status": "paid"}).content.decode()
    assert page.count("data-instalment=") == 1
    assert "Undo" in page


def test_bulk_mark_received_with_cheque_numbers(
    as_user, member, organiser, collective, english
):
    first, second = subscribe(member, collective).schedule.order_by("number")
    order = order_for(member, collective, total="18.40")
    response = as_user(organiser).post(
        list_url(collective) + "?status=unpaid",
        {
            "method": "cheque",
            "instalment": [first.pk, second.pk],
            "order": [order.pk],
            f"ref-i-{first.pk}": "0001",
            f"ref-i-{second.pk}": "0002",
            f"ref-o-{order.pk}": "0003",
            "next_query": "status=unpaid",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("?status=unpaid")
    assert "3 payments marked as received." in response.content.decode()
    assert list(
        Instalment.objects.order_by("number").values_list("reference", flat=True)
    ) == ["0001", "0002"]
    payment = order.payments.get()
    assert (payment.amount, payment.reference) == (Decimal("18.40"), "0003")


def test_bulk_mark_received_shows_a_clear_error(
    as_user, member, organiser, collective, other_member, other_collective, english
):
    client = as_user(organiser)
    response = client.post(list_url(collective), {"method": "cheque"})
    assert response.status_code == 400
    assert "Tick at least one row" in response.content.decode()

    foreign = subscribe(other_member, other_collective).schedule.first()
    response = client.post(
        list_url(collective), {"method": "cash", "instalment": [foreign.pk]}
    )
    assert response.status_code == 400
    assert "The list has changed" in response.content.decode()
    foreign.refresh_from_db()
    assert not foreign.is_paid

    instalment = subscribe(member, collective).schedule.first()
    mark_instalments_paid(
        instalments=[instalment], method="cash", references={}, recorded_by=organiser
    )
    response = client.post(
        list_url(collective), {"method": "cash", "instalment": [instalment.pk]}
    )
    assert response.status_code == 400
    assert "already marked as received" in response.content.decode()

    response = client.post(
        list_url(collective), {"method": "cash", "instalment": ["abc"]}
    )
    assert response.status_code == 400


def test_undo_a_payment_from_the_list(
    as_user, member, organiser, other_organiser, collective
):
    instalment = subscribe(member, collective).schedule.first()
    mark_instalments_paid(
        instalments=[instalment], method="cash", references={}, recorded_by=organiser
    )
    url = reverse(
        "orders:instalment_payment_cancel", args=[collective.slug, instalment.pk]
    )
    assert as_user(other_organiser).post(url).status_code == 404
    assert as_user(member).post(url).status_code == 404
    assert as_user(organiser).get(url).status_code == 405
    response = as_user(organiser).post(url)
    assert response.status_code == 302
    instalment.refresh_from_db()
    assert not instalment.is_paid


def test_order_part_payment_page(
    as_user, member, organiser, other_organiser, collective, english
):
    order = order_for(member, collective, total="30.00")
    url = reverse("orders:order_payment_create", args=[collective.slug, order.pk])
    assert as_user(other_organiser).get(url).status_code == 404
    assert as_user(member).get(url).status_code == 404
    client = as_user(organiser)
    assert client.get(url).status_code == 200
    response = client.post(url, {"amount": "40", "method": "cash"})
    assert response.status_code == 400
    assert "Only 30.00" in response.content.decode()
    response = client.post(url, {"amount": "12", "method": "cash", "reference": ""})
    assert response.status_code == 302
    assert order.payments.get().amount == Decimal("12.00")


def test_payment_list_query_count_is_fixed(
    as_user, organiser, collective, django_assert_max_num_queries
):
    contract = ContractFactory(collective=collective)
    members = UserFactory.create_batch(100)
    for person in members:
        subscribe(person, collective, amounts=("30", "30", "30"), contract=contract)
    for person in members[:30]:
        order_for(person, collective, total="10.00")
    assert Instalment.objects.count() == 300
    client = as_user(organiser)
    with django_assert_max_num_queries(12):
        response = client.get(list_url(collective), {"status": "all"})
    assert response.content.decode().count("data-instalment=") == 300


def test_bulk_mark_received_query_count_is_fixed(
    as_user, organiser, collective, django_assert_max_num_queries
):
    contract = ContractFactory(collective=collective)
    for person in UserFactory.create_batch(100):
        subscribe(person, collective, amounts=("30", "30", "30"), contract=contract)
    ids = list(Instalment.objects.values_list("pk", flat=True))
    client = as_user(organiser)
    with django_assert_max_num_queries(20):
        response = client.post(
            list_url(collective), {"method": "transfer", "instalment": ids}
        )
    assert response.status_code == 302
    assert Instalment.objects.filter(paid_at__isnull=True).count() == 0


@pytest.mark.parametrize("who", [None, "member", "other_member", "organiser"])
def test_my_payments_permission_and_content(request, as_user, collective, who):
    user = request.getfixturevalue(who) if who else None
    response = as_user(user).get(reverse("orders:my_payments"))
    if who is None:
        assert response.status_code == 302
    else:
        assert response.status_code == 200


def test_my_payments_shows_only_my_instalments_and_orders(
    as_user,
    member,
    other_member,
    organiser,
    collective,
    other_collective,
    django_assert_max_num_queries,
):
    subscription = subscribe(member, collective, amounts=("45.00", "45.00"))
    mark_instalments_paid(
        instalments=[subscription.schedule.get(number=1)],
        method="cash",
        references={},
        recorded_by=organiser,
    )
    order_for(member, collective, total="12.00")
    theirs = subscribe(other_member, other_collective, amounts=("77.77",))
    client = as_user(member)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("orders:my_payments")).content.decode()
    assert 'data-total-due="57.00"' in page
    assert page.count("data-instalment=") == 2
    assert page.count("data-order=") == 1
    assert f'data-instalment="{theirs.schedule.first().pk}"' not in page
    assert "77.77" not in page
