"""The week's dashboard: what organisers see of the coming distributions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from amap.orders.models import (
    Absence,
    Instalment,
    Order,
    OrderLine,
    OrderPayment,
    PaymentMethod,
)
from amap.orders.week import week_dashboard
from tests.factories import (
    AbsenceFactory,
    ContractFactory,
    DistributionFactory,
    MembershipFactory,
    OfferFactory,
    OrderCycleFactory,
    PartnershipFactory,
    PickupPointFactory,
    ProducerFactory,
    ProductFactory,
    ShiftAssignmentFactory,
    ShiftFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

User = get_user_model()
DAY = dt.timedelta(days=1)


def week_url(collective, **params):
    url = reverse("orders:week", args=[collective.slug])
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def add_orders(distribution, offers, count, *, prefix):
    """`count` confirmed orders at `distribution`, each one unit of every offer."""
    users = User.objects.bulk_create(
        User(email=f"{prefix}{n}@example.org", last_name=f"{prefix}{n:03}")
        for n in range(count)
    )
    total = sum((offer.price for offer in offers), Decimal("0"))
    orders = Order.objects.bulk_create(
        Order(member=user, distribution=distribution, total=total) for user in users
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            offer=offer,
            quantity=Decimal("1"),
            unit_price=offer.price,
            amount=offer.price,
        )
        for order in orders
        for offer in offers
    )
    return orders


@pytest.fixture
def busy_week(collective):
    """Six distributions of an open cycle, 300 orders, ten partner farms of
    which three have published nothing, shifts, baskets and money due."""
    today = timezone.localdate()
    cycle = OrderCycleFactory(collective=collective, name="Semaine 48")
    points = [
        PickupPointFactory(collective=collective, name=name)
        for name in ("Bourderies", "Dervallières", "Zola")
    ]
    distributions = [
        DistributionFactory(
            cycle=cycle, pickup_point=points[n % 3], date=today + DAY * (1 + n // 3)
        )
        for n in range(6)
    ]
    producers = []
    for n in range(10):
        producer = ProducerFactory(
            name=f"Ferme {n:02}", email=f"ferme{n}@example.org" if n != 9 else ""
        )
        PartnershipFactory(producer=producer, collective=collective)
        producers.append(producer)
    producers[9].managers.add(UserFactory(email="gerant9@example.org"))
    offers = [
        OfferFactory(
            product=ProductFactory(producer=producer, price=Decimal("2.50")),
            cycle=cycle,
            quantity_available=None,
        )
        for producer in producers[:7]
    ]
    for n, distribution in enumerate(distributions):
        add_orders(distribution, offers[:2], 50, prefix=f"d{n}-")
    # A cancelled order counts for nothing.
    cancelled = add_orders(distributions[0], offers[:1], 1, prefix="x")[0]
    Order.objects.filter(pk=cancelled.pk).update(status=Order.Status.CANCELLED)

    short = ShiftFactory(distribution=distributions[0], people_needed=3)
    ShiftAssignmentFactory(shift=short, user=UserFactory())
    covered = ShiftFactory(distribution=distributions[1], people_needed=1)
    ShiftAssignmentFactory(shift=covered, user=UserFactory())

    contract = ContractFactory(collective=collective, producer=producers[0])
    contract.deliveries.add(distributions[0], distributions[3])
    subscriptions = [
        SubscriptionFactory(option__contract=contract, quantity=1) for _ in range(4)
    ]
    AbsenceFactory(
        member=subscriptions[0].member,
        distribution=distributions[0],
        fate=Absence.Fate.KEPT,
    )
    # Money: two instalments overdue, one not due yet, one received.
    for number, (due, paid) in enumerate(
        [(-10, False), (-3, False), (20, False), (-30, True)], start=1
    ):
        Instalment.objects.create(
            subscription=subscriptions[1],
            number=number,
            due_date=today + DAY * due,
            amount=Decimal("40.00"),
            paid_at=timezone.now() if paid else None,
        )
    past_cycle = OrderCycleFactory(
        collective=collective,
        opens_at=timezone.now() - DAY * 14,
        closes_at=timezone.now() - DAY * 10,
    )
    past = DistributionFactory(
        cycle=past_cycle, pickup_point=points[0], date=today - DAY * 7
    )
    unpaid, paid = (
        Order.objects.create(member=UserFactory(), distribution=past, total=total)
        for total in (Decimal("20.00"), Decimal("12.00"))
    )
    for order, amount in ((unpaid, "5.00"), (paid, "12.00")):
        OrderPayment.objects.create(
            order=order,
            amount=Decimal(amount),
            method=PaymentMethod.CASH,
            received_at=timezone.now(),
        )
    return {
        "cycle": cycle,
        "distributions": distributions,
        "producers": producers,
        "past": past,
    }


def test_the_dashboard_counts_orders_euros_baskets_and_volunteers(
    busy_week, collective
):
    week = week_dashboard(collective)
    rows = {row.distribution.pk: row for row in week.rows}
    first, second = busy_week["distributions"][:2]

    assert list(rows) == [d.pk for d in busy_week["distributions"]]
    assert rows[first.pk].orders == 50
    assert rows[first.pk].total == Decimal("250.00")
    assert week.total_orders == 300
    assert week.total_euros == Decimal("1500.00")
    # Four subscribers, one keeps their basket for later.
    assert rows[first.pk].baskets == 3
    assert rows[busy_week["distributions"][3].pk].baskets == 4
    assert rows[second.pk].baskets == 0
    assert (rows[first.pk].volunteers, rows[first.pk].people_needed) == (1, 3)
    assert rows[first.pk].short_of_volunteers
    assert not rows[second.pk].short_of_volunteers
    assert rows[first.pk].cycle_status == "open"


def test_missing_payments_are_overdue_instalments_and_unpaid_past_orders(
    busy_week, collective
):
    week = week_dashboard(collective)

    assert (week.unpaid_instalments.count, week.unpaid_instalments.amount) == (
        2,
        Decimal("80.00"),
    )
    assert (week.unpaid_orders.count, week.unpaid_orders.amount) == (
        1,
        Decimal("15.00"),
    )


def test_farms_without_stock_in_the_open_cycle_are_listed_with_a_mailto(
    busy_week, collective
):
    (entry,) = week_dashboard(collective).missing_offers
    producers = busy_week["producers"]

    assert entry.cycle == busy_week["cycle"]
    assert [p.name for p in entry.producers] == ["Ferme 07", "Ferme 08", "Ferme 09"]
    assert entry.producers[0].mailto.startswith("mailto:ferme7@example.org?subject=")
    # No contact address: the accounts managing the farm are written to.
    assert entry.producers[2].mailto.startswith("mailto:gerant9@example.org?")
    assert producers[0] not in entry.producers


def test_the_page_shows_the_week_in_a_fixed_number_of_queries(
    busy_week, collective, organiser, as_user, django_assert_max_num_queries, english
):
    client = as_user(organiser)
    with django_assert_max_num_queries(17):
        response = client.get(week_url(collective))

    assert response.status_code == 200
    html = response.content.decode()
    first = busy_week["distributions"][0]
    assert f'data-distribution="{first.pk}"' in html
    assert "50 orders" in html
    assert "1,500.00\xa0€" in html
    assert "1 / 3 places" in html
    assert "2 contract instalments due and not received: 80.00\xa0€" in html
    assert "1 order of a past distribution not fully paid: 15.00\xa0€" in html
    assert "mailto:ferme7@example.org" in html
    assert reverse("orders:distribution_documents", args=[first.pk]) in html


def test_the_query_count_does_not_grow_with_the_data(
    collective, organiser, as_user, django_assert_num_queries, busy_week
):
    """Same number of queries for one more distribution with orders."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(organiser)
    with CaptureQueriesContext(connection) as before:
        client.get(week_url(collective))
    extra = DistributionFactory(
        cycle=busy_week["cycle"],
        pickup_point=PickupPointFactory(collective=collective),
        date=timezone.localdate() + DAY * 5,
    )
    offer = OfferFactory(cycle=busy_week["cycle"])
    add_orders(extra, [offer], 20, prefix="extra")
    with django_assert_num_queries(len(before)):
        client.get(week_url(collective))


def test_previous_and_next_week_navigation(busy_week, collective, organiser, as_user):
    today = timezone.localdate()
    client = as_user(organiser)

    response = client.get(week_url(collective, du=(today - DAY * 7).isoformat()))
    rows = response.context["week"].rows
    assert [row.distribution for row in rows] == [busy_week["past"]]
    assert f"?du={today.isoformat()}" in response.content.decode()

    later = client.get(week_url(collective, du=(today + DAY * 14).isoformat()))
    assert later.context["week"].rows == []


def test_a_bad_date_gets_a_message_next_to_the_field(
    collective, organiser, as_user, english
):
    response = as_user(organiser).get(week_url(collective, du="tomorrow"))

    assert response.status_code == 400
    assert "Enter a date, for example 2026-11-26." in response.content.decode()


@pytest.mark.parametrize(
    "who, status",
    [
        ("anonymous", 302),
        ("member", 404),
        ("other_member", 404),
        ("producer_user", 404),
        ("other_producer_user", 404),
        ("organiser", 200),
        ("other_organiser", 404),
    ],
)
def test_permission_matrix(request, collective, as_user, producer, who, status):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    response = as_user(user).get(week_url(collective))

    assert response.status_code == status
    if status == 302:
        assert "/compte/login/" in response["Location"]


def test_a_member_who_organises_elsewhere_sees_nothing_here(
    collective, other_collective, as_user
):
    """Organising one collective gives nothing in another one."""
    organiser = MembershipFactory(collective=other_collective, role="organiser").user
    MembershipFactory(collective=collective, user=organiser)

    assert as_user(organiser).get(week_url(collective)).status_code == 404
