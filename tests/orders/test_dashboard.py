"""The member's dashboard: what I collect next, open cycles, contracts, shifts,
what I owe, past orders."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from amap.orders.models import Absence, Instalment, Order
from tests.factories import (
    AbsenceFactory,
    ContractFactory,
    DistributionFactory,
    OfferFactory,
    OrderCycleFactory,
    OrderFactory,
    OrderLineFactory,
    ProducerFactory,
    ProductFactory,
    ShiftAssignmentFactory,
    ShiftFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("orders:dashboard")


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def test_anonymous_is_sent_to_login(as_user):
    response = as_user(None).get(URL)
    assert response.status_code == 302
    assert "/compte/login/" in response["Location"]


@pytest.mark.parametrize(
    "who", ["member", "other_member", "organiser", "producer_user"]
)
def test_everyone_logged_in_sees_their_own_dashboard(request, as_user, who, english):
    user = request.getfixturevalue(who)
    response = as_user(user).get(URL)
    assert response.status_code == 200
    assert "My dashboard" in response.content.decode()


@pytest.fixture
def week(collective):
    """This week's open cycle with a distribution in five days."""
    distribution = DistributionFactory(
        cycle__collective=collective,
        cycle__name="Semaine 47",
        pickup_point__name="Salle des Dervallières",
        date=days(5),
    )
    return distribution


def test_next_distribution_shows_my_lines_by_producer_and_my_baskets(
    as_user, member, collective, week, english
):
    bakery = ProducerFactory(name="Fournil du Pont")
    farm = ProducerFactory(name="Ferme des Prés")
    order = OrderFactory(member=member, distribution=week, total=Decimal("12.40"))
    OrderLineFactory(
        order=order,
        offer=OfferFactory(
            cycle=week.cycle,
            product=ProductFactory(producer=bakery, name="Pain de seigle"),
        ),
    )
    OrderLineFactory(
        order=order,
        offer=OfferFactory(
            cycle=week.cycle, product=ProductFactory(producer=farm, name="Poireaux")
        ),
        quantity=Decimal("1.5"),
    )
    contract = ContractFactory(collective=collective, name="Légumes d'hiver")
    contract.deliveries.add(week)
    SubscriptionFactory(
        option__contract=contract,
        option__name="Grand panier",
        member=member,
        quantity=2,
    )
    page = as_user(member).get(URL).content.decode()
    card = page[page.index(f'data-distribution="{week.pk}"') :]
    assert "Salle des Dervallières" in card
    assert card.index("Ferme des Prés") < card.index("Poireaux")
    assert card.index("Fournil du Pont") < card.index("Pain de seigle")
    assert "1.5\xa0kg" in card
    assert "Order total: 12.40\xa0€" in card
    assert "Contract Légumes d&#x27;hiver — Grand panier × 2" in card
    assert reverse("orders:order_detail", args=[order.pk]) in card


def test_an_absence_shows_who_gets_the_basket(
    as_user, member, collective, week, english
):
    contract = ContractFactory(collective=collective)
    contract.deliveries.add(week)
    SubscriptionFactory(option__contract=contract, member=member)
    friend = UserFactory(first_name="Paulette", last_name="Roux")
    AbsenceFactory(
        member=member, distribution=week, fate=Absence.Fate.GIVEN, given_to=friend
    )
    page = as_user(member).get(URL).content.decode()
    assert "Absent — basket given to Paulette Roux" in page
    page = as_user(friend).get(URL).content.decode()
    assert f'data-distribution="{week.pk}"' in page
    assert "given to you" in page


def test_open_cycles_link_to_booking_and_show_what_is_booked(
    as_user, member, collective, other_collective, week, english
):
    second = DistributionFactory(cycle=week.cycle, date=days(6))
    OrderFactory(member=member, distribution=week)
    elsewhere = DistributionFactory(cycle__collective=other_collective, date=days(5))
    closed = DistributionFactory(
        cycle__collective=collective,
        cycle__opens_at=timezone.now() - dt.timedelta(days=5),
        cycle__closes_at=timezone.now() - dt.timedelta(days=1),
        date=days(2),
    )
    page = as_user(member).get(URL).content.decode()
    section = page[page.index('id="book-title"') : page.index('id="contracts-title"')]
    assert reverse("orders:booking", args=[week.pk]) in section
    assert reverse("orders:booking", args=[second.pk]) in section
    assert "booked, change" in section
    assert reverse("orders:booking", args=[elsewhere.pk]) not in section
    assert reverse("orders:booking", args=[closed.pk]) not in section


def test_contracts_shifts_money_and_history(
    as_user, member, other_member, collective, week, english
):
    contract = ContractFactory(collective=collective, name="Œufs bio")
    contract.deliveries.add(week, DistributionFactory(cycle=week.cycle, date=days(12)))
    subscription = SubscriptionFactory(option__contract=contract, member=member)
    Instalment.objects.create(
        subscription=subscription, number=1, due_date=days(0), amount=Decimal("33.50")
    )
    ShiftAssignmentFactory(
        shift=ShiftFactory(distribution=week, role="Accueil"), user=member
    )
    ShiftAssignmentFactory(
        shift=ShiftFactory(distribution=week, role="Rangement"), user=other_member
    )
    past = DistributionFactory(
        cycle__collective=collective,
        cycle__opens_at=timezone.now() - dt.timedelta(days=20),
        cycle__closes_at=timezone.now() - dt.timedelta(days=15),
        date=days(-14),
    )
    old = OrderFactory(member=member, distribution=past, total=Decimal("21.30"))
    OrderFactory(member=other_member, distribution=past, total=Decimal("99.99"))
    page = as_user(member).get(URL).content.decode()
    assert f'data-subscription="{subscription.pk}"' in page
    assert "2 deliveries to come" in page
    assert "Accueil" in page and "Rangement" not in page
    assert 'data-total-due="54.80"' in page  # the instalment and the old order
    assert f'data-order="{old.pk}"' in page and "21.30\xa0€" in page
    assert "99.99" not in page


def test_history_keeps_the_last_ten(as_user, member, collective):
    for n in range(12):
        OrderFactory(
            member=member,
            distribution=DistributionFactory(
                cycle__collective=collective, date=days(-7 * (n + 1))
            ),
        )
    page = as_user(member).get(URL).content.decode()
    history = page[page.index('id="history-title"') :]
    assert history.count("data-order=") == 10


def _fill(member, collective, size):
    """`size` upcoming distributions with orders of 5 lines, contracts, shifts,
    absences, instalments and past orders."""
    producers = ProducerFactory.create_batch(3)
    contract = ContractFactory(collective=collective, producer=producers[0])
    subscription = SubscriptionFactory(option__contract=contract, member=member)
    for n in range(size):
        distribution = DistributionFactory(
            cycle__collective=collective, date=days(n + 1)
        )
        contract.deliveries.add(distribution)
        order = OrderFactory(
            member=member, distribution=distribution, total=Decimal("10")
        )
        for i in range(5):
            OrderLineFactory(
                order=order,
                offer=OfferFactory(
                    cycle=distribution.cycle,
                    product=ProductFactory(producer=producers[i % 3]),
                ),
            )
        ShiftAssignmentFactory(
            shift=ShiftFactory(distribution=distribution), user=member
        )
        if n % 2:
            AbsenceFactory(member=member, distribution=distribution)
        Instalment.objects.create(
            subscription=subscription,
            number=n + 1,
            due_date=days(n),
            amount=Decimal("10"),
        )
        OrderFactory(
            member=member,
            distribution=DistributionFactory(
                cycle__collective=collective, date=days(-n - 1)
            ),
            total=Decimal("5"),
        )
    OrderCycleFactory.create_batch(size // 5 + 1, collective=collective)


@pytest.mark.parametrize("size", [1, 25])
def test_dashboard_query_count_is_fixed(
    as_user, member, collective, django_assert_max_num_queries, size
):
    _fill(member, collective, size)
    assert Order.objects.filter(member=member).count() == 2 * size
    client = as_user(member)
    with django_assert_max_num_queries(16):
        response = client.get(URL)
    assert response.status_code == 200
