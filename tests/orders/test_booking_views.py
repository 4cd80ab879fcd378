"""The booking pages: who sees what, saving from the form, fixed query counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from amap.distribution.models import OrderCycle, UsualPickupPoint
from amap.orders.models import Order
from amap.orders.services.booking import place_order
from amap.producers.models import Offer
from tests.factories import (
    DistributionFactory,
    OfferFactory,
    OrderCycleFactory,
    PickupPointFactory,
    ProducerFactory,
    ProductFactory,
)

pytestmark = pytest.mark.usefixtures("english")

D = Decimal


@pytest.fixture
def distribution(collective):
    return DistributionFactory(
        cycle__collective=collective, pickup_point__name="Maison des Haubans"
    )


@pytest.fixture
def carrots(distribution, producer):
    return OfferFactory(
        cycle=distribution.cycle,
        product=ProductFactory(producer=producer, name="Carottes", price=D("2.35")),
        quantity_available=D("10"),
    )


@pytest.fixture
def bread(distribution):
    return OfferFactory(
        cycle=distribution.cycle,
        product=ProductFactory(
            producer=ProducerFactory(name="Fournil du Bourg"),
            name="Pain de campagne",
            unit="piece",
            price=D("4.50"),
        ),
        quantity_available=D("3"),
    )


@pytest.fixture
def order(member, distribution, carrots):
    return place_order(
        member=member, distribution=distribution, lines={carrots.pk: 2}
    ).order


def close(cycle):
    OrderCycle.objects.filter(pk=cycle.pk).update(
        opens_at=timezone.now() - timedelta(days=5),
        closes_at=timezone.now() - timedelta(hours=1),
    )


# Permission matrix -----------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        (None, 302),
        ("member", 200),
        ("organiser", 200),
        ("other_member", 404),
        ("other_organiser", 404),
        ("producer_user", 404),
    ],
)
def test_who_may_open_the_booking_page(
    request, as_user, distribution, carrots, person, expected
):
    user = request.getfixturevalue(person) if person else None
    response = as_user(user).get(reverse("orders:booking", args=[distribution.pk]))
    assert response.status_code == expected
    if person is None:
        assert "/compte/login/" in response["Location"]


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        (None, 302),
        ("member", 200),
        ("organiser", 404),
        ("other_member", 404),
        ("other_organiser", 404),
        ("producer_user", 404),
    ],
)
def test_an_order_is_seen_by_its_member_only(request, as_user, order, person, expected):
    user = request.getfixturevalue(person) if person else None
    response = as_user(user).get(reverse("orders:order_detail", args=[order.pk]))
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("person", "expected"),
    [(None, 302), ("organiser", 404), ("other_member", 404), ("producer_user", 404)],
)
def test_nobody_else_can_cancel_an_order(
    request, as_user, order, carrots, person, expected
):
    user = request.getfixturevalue(person) if person else None
    response = as_user(user).post(reverse("orders:order_cancel", args=[order.pk]))
    assert response.status_code == expected
    assert Order.objects.get(pk=order.pk).status == Order.Status.CONFIRMED
    assert Offer.objects.get(pk=carrots.pk).booked == 2


@pytest.mark.parametrize(("person", "expected"), [(None, 302), ("member", 200)])
def test_the_distribution_choice_needs_a_login(request, as_user, person, expected):
    user = request.getfixturevalue(person) if person else None
    response = as_user(user).get(reverse("orders:distribution_choice"))
    assert response.status_code == expected


def test_the_cancel_view_answers_post_only(as_user, member, order):
    response = as_user(member).get(reverse("orders:order_cancel", args=[order.pk]))
    assert response.status_code == 405


# Choosing a distribution ---------------------------------------------------------


def test_distribution_choice_lists_open_cycles_usual_point_first(
    as_user, member, collective, other_collective, distribution
):
    usual = DistributionFactory(
        cycle=distribution.cycle,
        pickup_point=PickupPointFactory(collective=collective, name="Salle du Breil"),
        date=distribution.date + timedelta(days=1),
    )
    UsualPickupPoint.objects.create(
        user=member, collective=collective, pickup_point=usual.pickup_point
    )
    closed = DistributionFactory(
        cycle=OrderCycleFactory(collective=collective),
        pickup_point__name="Fermé depuis hier",
    )
    close(closed.cycle)
    DistributionFactory(
        cycle__collective=other_collective, pickup_point__name="Chez les autres"
    )

    response = as_user(member).get(reverse("orders:distribution_choice"))

    listed = [d.pk for d in response.context["distributions"]]
    assert listed == [usual.pk, distribution.pk]
    content = response.content.decode()
    assert "My usual pickup point" in content
    assert "Fermé depuis hier" not in content
    assert "Chez les autres" not in content


# The booking page ------------------------------------------------------------------


def test_the_booking_page_shows_offers_by_producer_with_price_and_stock(
    as_user, member, distribution, carrots, bread
):
    Offer.objects.filter(pk=bread.pk).update(booked=2)
    Offer.objects.filter(pk=carrots.pk).update(quantity_available=5, booked=5)

    response = as_user(member).get(reverse("orders:booking", args=[distribution.pk]))

    content = response.content.decode()
    assert content.index("Fournil du Bourg") < content.index("Maraîchage de la Sèvre")
    assert "2.35\xa0€ / kg" in content
    assert "4.50\xa0€ / piece" in content
    assert "Only 1 left" in content
    assert "Sold out" in content
    assert 'inputmode="decimal"' in content


def test_the_booking_page_prices_are_in_french_for_french_members(
    client, member, distribution, carrots, settings
):
    settings.LANGUAGE_CODE = "fr"
    client.force_login(member)
    response = client.get(
        reverse("orders:booking", args=[distribution.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "2,35\xa0€" in response.content.decode()


def test_a_member_books_from_the_page_and_sees_the_total(
    as_user, member, distribution, carrots, bread
):
    client = as_user(member)
    url = reverse("orders:booking", args=[distribution.pk])

    response = client.post(
        url, {f"offer_{carrots.pk}": "1.5", f"offer_{bread.pk}": "2"}, follow=True
    )

    order = Order.objects.get(member=member, distribution=distribution)
    assert order.total == D("12.53")
    content = response.content.decode()
    assert "Your order is saved" in content
    assert "12.53\xa0€" in content
    assert 'value="1.5"' in content
    assert Offer.objects.get(pk=carrots.pk).booked == D("1.5")


def test_the_form_prefills_current_quantities(as_user, member, distribution, order):
    response = as_user(member).get(reverse("orders:booking", args=[distribution.pk]))
    assert 'value="2"' in response.content.decode()


def test_a_bad_quantity_is_shown_next_to_its_line_and_nothing_is_saved(
    as_user, member, distribution, carrots, bread
):
    response = as_user(member).post(
        reverse("orders:booking", args=[distribution.pk]),
        {f"offer_{carrots.pk}": "-2", f"offer_{bread.pk}": "beaucoup"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[f"offer_{carrots.pk}"] == ["A quantity cannot be negative."]
    assert "Enter a number" in form.errors[f"offer_{bread.pk}"][0]
    assert not Order.objects.exists()


def test_an_off_step_quantity_is_refused_next_to_its_line(
    as_user, member, distribution, carrots
):
    carrots.product.weight_step = D("0.5")
    carrots.product.save()
    response = as_user(member).post(
        reverse("orders:booking", args=[distribution.pk]),
        {f"offer_{carrots.pk}": "0.3"},
    )
    assert response.status_code == 400
    assert (
        "sold by 0.5\xa0kg" in response.context["form"].errors[f"offer_{carrots.pk}"][0]
    )


def test_a_line_above_the_stock_is_refused_next_to_it_and_the_rest_is_saved(
    as_user, member, distribution, carrots, bread
):
    response = as_user(member).post(
        reverse("orders:booking", args=[distribution.pk]),
        {f"offer_{carrots.pk}": "2", f"offer_{bread.pk}": "5"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Only 3\xa0pieces of Pain de campagne left" in content
    assert "except for one product" in content
    order = Order.objects.get(member=member)
    assert dict(order.lines.values_list("offer_id", "quantity")) == {carrots.pk: D("2")}
    assert "4.70\xa0€" in content


def test_an_empty_first_order_is_explained(as_user, member, distribution, carrots):
    response = as_user(member).post(
        reverse("orders:booking", args=[distribution.pk]), {f"offer_{carrots.pk}": ""}
    )
    assert response.status_code == 400
    assert "Your order is empty" in response.content.decode()


def test_after_the_close_the_page_is_read_only_and_posts_are_refused(
    as_user, member, distribution, order, carrots
):
    close(distribution.cycle)
    client = as_user(member)
    url = reverse("orders:booking", args=[distribution.pk])

    page = client.get(url).content.decode()
    assert "closed on" in page and "your order can no longer change" in page
    assert f'name="offer_{carrots.pk}"' not in page
    assert "4.70\xa0€" in page

    response = client.post(url, {f"offer_{carrots.pk}": "5"})
    assert response.status_code == 400
    assert Offer.objects.get(pk=carrots.pk).booked == 2


def test_order_detail_shows_lines_and_total(as_user, member, order):
    content = as_user(member).get(order.get_absolute_url()).content.decode()
    assert "Carottes" in content
    assert "4.70\xa0€" in content
    assert "Cancel my order" in content


def test_a_member_cancels_their_order(as_user, member, order, carrots):
    response = as_user(member).post(
        reverse("orders:order_cancel", args=[order.pk]), follow=True
    )
    assert "Your order is cancelled" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELLED
    assert Offer.objects.get(pk=carrots.pk).booked == 0


def test_cancelling_after_the_close_is_refused_with_the_message(
    as_user, member, order, distribution
):
    close(distribution.cycle)
    response = as_user(member).post(
        reverse("orders:order_cancel", args=[order.pk]), follow=True
    )
    assert "your order can no longer change" in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == Order.Status.CONFIRMED


# Query counts ----------------------------------------------------------------------

BOOKING_PAGE_MAX_QUERIES = 12


def _offers(distribution, count):
    producers = [ProducerFactory() for _ in range(5)]
    return [
        OfferFactory(
            cycle=distribution.cycle,
            product=ProductFactory(producer=producers[i % 5]),
            quantity_available=D("20") if i % 3 else None,
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("count", [5, 200])
def test_the_booking_page_has_a_fixed_number_of_queries(
    as_user, member, distribution, django_assert_max_num_queries, count
):
    offers = _offers(distribution, count)
    place_order(
        member=member,
        distribution=distribution,
        lines={offer.pk: 1 for offer in offers[:5]},
    )
    client = as_user(member)
    url = reverse("orders:booking", args=[distribution.pk])
    with django_assert_max_num_queries(BOOKING_PAGE_MAX_QUERIES):
        response = client.get(url)
    assert len(response.context["page"].offers) == count


@pytest.mark.parametrize("count", [5, 200])
def test_saving_from_the_page_stays_bounded_apart_from_the_lines(
    as_user, member, distribution, django_assert_max_num_queries, count
):
    """Posting a big form re-reads the page in the same few queries."""
    offers = _offers(distribution, count)
    client = as_user(member)
    url = reverse("orders:booking", args=[distribution.pk])
    data = {f"offer_{offer.pk}": "" for offer in offers}
    data[f"offer_{offers[0].pk}"] = "1"
    with django_assert_max_num_queries(30):
        response = client.post(url, data)
    assert response.status_code == 302


def test_order_detail_and_choice_have_a_fixed_number_of_queries(
    as_user, member, distribution, django_assert_max_num_queries, collective
):
    offers = _offers(distribution, 50)
    order = place_order(
        member=member, distribution=distribution, lines={o.pk: 1 for o in offers}
    ).order
    for _ in range(20):
        DistributionFactory(
            cycle=distribution.cycle, pickup_point__collective=collective
        )
    client = as_user(member)
    with django_assert_max_num_queries(10):
        client.get(order.get_absolute_url())
    with django_assert_max_num_queries(10):
        client.get(reverse("orders:distribution_choice"))


def test_a_first_order_for_a_sold_out_product_says_nothing_was_booked(
    as_user, member, distribution, carrots
):
    Offer.objects.filter(pk=carrots.pk).update(booked=10)
    response = as_user(member).post(
        reverse("orders:booking", args=[distribution.pk]), {f"offer_{carrots.pk}": "1"}
    )
    content = response.content.decode()
    assert "Nothing could be booked" in content
    assert "Only 0\xa0kg of Carottes left" in content
    assert not Order.objects.exists()
