"""The weekly stock grid: saving it in one go, refusing bad cells next to the
cell, the shortcuts, and the sold-out / low-stock markers.

Pages are asked for in English (the `english` fixture).
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from amap.producers.models import Offer, Product
from amap.producers.selectors import stock as selectors
from amap.producers.selectors.stock import cell_name
from amap.producers.services import stock as services
from amap.producers.services.stock import StockCell
from tests.factories import (
    DistributionFactory,
    OfferFactory,
    OrderCycleFactory,
    PartnershipFactory,
    ProductFactory,
)

pytestmark = pytest.mark.usefixtures("english")


def days(n):
    return timezone.now() + dt.timedelta(days=n)


@pytest.fixture
def cycle(collective):
    """The next cycle of `collective`: open, closes in three days."""
    return OrderCycleFactory(collective=collective, name="Semaine 48")


@pytest.fixture
def later_cycle(collective):
    return OrderCycleFactory(
        collective=collective, name="Semaine 49", opens_at=days(2), closes_at=days(10)
    )


@pytest.fixture
def carrots(producer):
    return ProductFactory(
        producer=producer,
        name="Carottes",
        price=Decimal("2.40"),
        usual_quantity=Decimal("30"),
    )


@pytest.fixture
def leeks(producer):
    return ProductFactory(producer=producer, name="Poireaux", price=Decimal("3.00"))


def grid_url(producer):
    return reverse("producers:stock_grid", args=[producer.slug])


def grid_post(products, cycles, **values):
    """Every cell of the grid, empty, then `values` by cell name (q_1_2 → q-1-2)."""
    data = {}
    for product in products:
        for cycle in cycles:
            data[cell_name("q", product.pk, cycle.pk)] = ""
            data[cell_name("p", product.pk, cycle.pk)] = ""
    for name, value in values.items():
        data[name.replace("_", "-")] = value
    return data


def cell_html(response, product, cycle) -> str:
    html = response.content.decode()
    match = re.search(
        rf'<td[^>]*data-cell="{product.pk}-{cycle.pk}"[^>]*>(.*?)</td>', html, re.S
    )
    assert match, "cell not found"
    return match.group(1)


# The service --------------------------------------------------------------------


def test_save_stock_grid_creates_updates_and_removes_offers(
    producer, producer_user, carrots, leeks, cycle, later_cycle
):
    removed = OfferFactory(product=leeks, cycle=later_cycle)
    changed = OfferFactory(product=carrots, cycle=later_cycle, quantity_available=5)
    result = services.save_stock_grid(
        producer=producer,
        saved_by=producer_user,
        cells=[
            StockCell(carrots.pk, cycle.pk, quantity=Decimal("12.5")),
            StockCell(leeks.pk, cycle.pk, unlimited=True, price=Decimal("2.80")),
            StockCell(carrots.pk, later_cycle.pk, quantity=Decimal("8")),
            StockCell(leeks.pk, later_cycle.pk),
        ],
    )
    assert (result.created, result.updated, result.removed) == (2, 1, 1)
    new_carrots = Offer.objects.get(product=carrots, cycle=cycle)
    assert new_carrots.quantity_available == Decimal("12.5")
    assert new_carrots.price == Decimal("2.40")
    new_leeks = Offer.objects.get(product=leeks, cycle=cycle)
    assert new_leeks.quantity_available is None
    assert new_leeks.price == Decimal("2.80")
    changed.refresh_from_db()
    assert changed.quantity_available == 8
    assert not Offer.objects.filter(pk=removed.pk).exists()


def test_save_stock_grid_leaves_unchanged_offers_alone(
    producer, producer_user, carrots, cycle
):
    OfferFactory(product=carrots, cycle=cycle, quantity_available=10)
    result = services.save_stock_grid(
        producer=producer,
        saved_by=producer_user,
        cells=[StockCell(carrots.pk, cycle.pk, quantity=Decimal("10"))],
    )
    assert result.changed == 0


def test_save_stock_grid_is_for_the_farm_managers_only(
    producer, other_producer_user, carrots, cycle
):
    with pytest.raises(PermissionDenied):
        services.save_stock_grid(
            producer=producer,
            saved_by=other_producer_user,
            cells=[StockCell(carrots.pk, cycle.pk, quantity=Decimal("1"))],
        )
    assert not Offer.objects.exists()


@pytest.mark.parametrize(
    ("cell", "kind", "message"),
    [
        ({"quantity": Decimal("-1")}, "q", "cannot be negative"),
        ({"quantity": Decimal("1000000000")}, "q", "too much"),
        ({"quantity": Decimal("1.0001")}, "q", "At most 3 decimals"),
        ({"quantity": Decimal("1"), "price": Decimal("-2")}, "p", "cannot be negative"),
        ({"quantity": Decimal("1"), "price": Decimal("1000000")}, "p", "too high"),
        ({"quantity": Decimal("1"), "price": Decimal("1.234")}, "p", "2 decimals"),
        ({"quantity": Decimal("NaN")}, "q", "Enter a number"),
        ({"quantity": Decimal("Infinity")}, "q", "Enter a number"),
        ({"quantity": True}, "q", "Enter a number"),
        ({"quantity": Decimal("1"), "price": Decimal("NaN")}, "p", "Enter a number"),
        ({"quantity": Decimal("1"), "price": Decimal("-Infinity")}, "p", "number"),
        ({"quantity": Decimal("1"), "price": False}, "p", "Enter a number"),
    ],
)
def test_save_stock_grid_refuses_a_bad_cell_and_saves_nothing(
    producer, producer_user, carrots, leeks, cycle, cell, kind, message
):
    with pytest.raises(ValidationError) as raised:
        services.save_stock_grid(
            producer=producer,
            saved_by=producer_user,
            cells=[
                StockCell(leeks.pk, cycle.pk, quantity=Decimal("5")),
                StockCell(carrots.pk, cycle.pk, **cell),
            ],
        )
    errors = raised.value.message_dict
    assert list(errors) == [cell_name(kind, carrots.pk, cycle.pk)]
    assert message in errors[cell_name(kind, carrots.pk, cycle.pk)][0]
    assert not Offer.objects.exists()


def test_save_stock_grid_refuses_less_than_what_is_booked(
    producer, producer_user, carrots, cycle
):
    offer = OfferFactory(product=carrots, cycle=cycle, quantity_available=20)
    Offer.objects.filter(pk=offer.pk).update(booked=12)
    with pytest.raises(ValidationError) as raised:
        services.save_stock_grid(
            producer=producer,
            saved_by=producer_user,
            cells=[StockCell(carrots.pk, cycle.pk, quantity=Decimal("10"))],
        )
    assert raised.value.message_dict == {
        cell_name("q", carrots.pk, cycle.pk): [
            "12 already booked: you cannot offer less than that."
        ]
    }
    offer.refresh_from_db()
    assert offer.quantity_available == 20


def test_save_stock_grid_refuses_to_withdraw_a_booked_offer(
    producer, producer_user, carrots, cycle
):
    offer = OfferFactory(product=carrots, cycle=cycle, quantity_available=20)
    Offer.objects.filter(pk=offer.pk).update(booked=Decimal("2.5"))
    with pytest.raises(ValidationError) as raised:
        services.save_stock_grid(
            producer=producer,
            saved_by=producer_user,
            cells=[StockCell(carrots.pk, cycle.pk)],
        )
    assert "2.5 already booked" in str(raised.value)
    assert Offer.objects.filter(pk=offer.pk).exists()


def test_save_stock_grid_allows_exactly_what_is_booked_or_unlimited(
    producer, producer_user, carrots, leeks, cycle
):
    offer = OfferFactory(product=carrots, cycle=cycle, quantity_available=20)
    other = OfferFactory(product=leeks, cycle=cycle, quantity_available=20)
    Offer.objects.filter(pk__in=[offer.pk, other.pk]).update(booked=12)
    services.save_stock_grid(
        producer=producer,
        saved_by=producer_user,
        cells=[
            StockCell(carrots.pk, cycle.pk, quantity=Decimal("12")),
            StockCell(leeks.pk, cycle.pk, unlimited=True),
        ],
    )
    offer.refresh_from_db()
    other.refresh_from_db()
    assert offer.quantity_available == 12 and offer.is_sold_out
    assert other.quantity_available is None


def test_save_stock_grid_refuses_changes_to_a_closed_cycle(
    producer, producer_user, carrots, collective
):
    closed = OrderCycleFactory(
        collective=collective, opens_at=days(-10), closes_at=days(-1)
    )
    closing = OrderCycleFactory(collective=collective, closed_at=timezone.now())
    OfferFactory(product=carrots, cycle=closing, quantity_available=5)
    with pytest.raises(ValidationError) as raised:
        services.save_stock_grid(
            producer=producer,
            saved_by=producer_user,
            cells=[
                StockCell(carrots.pk, closed.pk, quantity=Decimal("3")),
                StockCell(carrots.pk, closing.pk, quantity=Decimal("9")),
            ],
        )
    errors = raised.value.message_dict
    for cycle in (closed, closing):
        assert (
            "Ordering for this cycle has closed"
            in (errors[cell_name("q", carrots.pk, cycle.pk)][0])
        )
    assert Offer.objects.get(cycle=closing).quantity_available == 5
    # Unchanged cells of a closed cycle are no error.
    services.save_stock_grid(
        producer=producer,
        saved_by=producer_user,
        cells=[StockCell(carrots.pk, closing.pk, quantity=Decimal("5"))],
    )


def test_save_stock_grid_refuses_other_farms_products_and_cycles(
    producer, producer_user, carrots, cycle, other_producer, other_collective
):
    foreign_product = ProductFactory(producer=other_producer)
    foreign_cycle = OrderCycleFactory(collective=other_collective)
    with pytest.raises(ValidationError) as raised:
        services.save_stock_grid(
            producer=producer,
            saved_by=producer_user,
            cells=[
                StockCell(foreign_product.pk, cycle.pk, quantity=Decimal("1")),
                StockCell(carrots.pk, foreign_cycle.pk, quantity=Decimal("1")),
            ],
        )
    assert len(raised.value.message_dict) == 2
    assert not Offer.objects.exists()


def test_save_stock_grid_refuses_an_archived_product(producer, producer_user, cycle):
    archived = ProductFactory(producer=producer, active=False)
    with pytest.raises(ValidationError, match="archived"):
        services.save_stock_grid(
            producer=producer,
            saved_by=producer_user,
            cells=[StockCell(archived.pk, cycle.pk, quantity=Decimal("1"))],
        )


def test_grid_cycles_are_the_next_ones_of_active_partnerships(
    producer, collective, other_collective, cycle, later_cycle
):
    OrderCycleFactory(collective=collective, opens_at=days(-9), closes_at=days(-2))
    OrderCycleFactory(collective=other_collective)  # not a partner
    ended = PartnershipFactory(producer=producer, active=False)
    OrderCycleFactory(collective=ended.collective)
    third = PartnershipFactory(producer=producer).collective
    soonest = OrderCycleFactory(collective=third, closes_at=days(1))
    assert selectors.grid_cycles(producer) == [soonest, cycle, later_cycle]
    assert selectors.grid_cycles(producer, count=1) == [soonest]


# Shortcuts ----------------------------------------------------------------------


def test_copy_last_week_takes_the_latest_earlier_cycle_with_offers(
    producer, carrots, leeks, cycle, collective
):
    older = OrderCycleFactory(
        collective=collective, opens_at=days(-20), closes_at=days(-14)
    )
    last = OrderCycleFactory(
        collective=collective, name="Semaine 47", opens_at=days(-10), closes_at=days(-7)
    )
    OrderCycleFactory(collective=collective, opens_at=days(-5), closes_at=days(-1))
    OfferFactory(product=carrots, cycle=older, quantity_available=99)
    OfferFactory(product=carrots, cycle=last, quantity_available=15)
    OfferFactory(product=leeks, cycle=last, quantity_available=None, price="2.90")
    prefill = selectors.prefill_column(
        producer=producer, cycle=cycle, fill="last", products=[carrots, leeks]
    )
    assert prefill.source == last
    assert prefill.values[carrots.pk] == {
        "quantity": Decimal("15"),
        "unlimited": False,
        "price": None,
    }
    assert prefill.values[leeks.pk]["unlimited"] is True
    assert prefill.values[leeks.pk]["price"] == Decimal("2.90")
    assert "Semaine 47" in prefill.notice


def test_shortcuts_prefill_the_grid_without_saving(
    as_user, producer, producer_user, carrots, leeks, cycle, later_cycle
):
    client = as_user(producer_user)
    response = client.get(
        grid_url(producer), {"fill": "usual", "cycle": later_cycle.pk}
    )
    assertContains(response, "check and save")
    form = response.context["form"]
    assert form[cell_name("q", carrots.pk, later_cycle.pk)].value() == 30
    assert form[cell_name("q", leeks.pk, later_cycle.pk)].value() is None
    assert form[cell_name("q", carrots.pk, cycle.pk)].value() is None
    assert 'value="30"' in cell_html(response, carrots, later_cycle)
    assert not Offer.objects.exists()

    response = client.get(grid_url(producer), {"fill": "last", "cycle": cycle.pk})
    assertContains(response, "Nothing to copy")


# The page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        (None, "login"),
        ("member", 404),
        ("organiser", 404),
        ("other_producer_user", 404),
        ("producer_user", 200),
    ],
)
def test_stock_grid_permissions(request, as_user, producer, cycle, person, expected):
    user = request.getfixturevalue(person) if person else None
    if person == "other_producer_user":
        request.getfixturevalue("other_producer")
    client = as_user(user)
    url = grid_url(producer)
    for response in (client.get(url), client.post(url, {})):
        if expected == "login":
            assert response.status_code == 302
            assert "/login/" in response["Location"]
        else:
            assert response.status_code in (
                (expected,) if expected == 404 else (200, 302)
            )


def test_stock_grid_shows_products_cycles_and_booked(
    as_user, producer, producer_user, carrots, cycle
):
    DistributionFactory(cycle=cycle, date=timezone.localdate() + dt.timedelta(days=5))
    offer = OfferFactory(
        product=carrots, cycle=cycle, quantity_available=20, price="2.60"
    )
    Offer.objects.filter(pk=offer.pk).update(booked=4)
    response = as_user(producer_user).get(grid_url(producer))
    assertContains(response, "AMAP des Dervallières")
    assertContains(response, "orders close")
    cell = cell_html(response, carrots, cycle)
    assert "booked: 4" in cell
    assert f'name="q-{carrots.pk}-{cycle.pk}"' in cell
    assert 'inputmode="decimal"' in cell
    assert 'value="20"' in cell and 'value="2.60"' in cell
    assertContains(response, "Quantity of Carottes for Semaine 48")
    assertContains(response, 'class="table-wrap stock-grid-wrap"')


def test_saving_the_grid_saves_every_cell_and_says_so(
    as_user, producer, producer_user, carrots, leeks, cycle, later_cycle
):
    products, cycles = [carrots, leeks], [cycle, later_cycle]
    url = grid_url(producer)
    response = as_user(producer_user).post(
        url,
        grid_post(
            products,
            cycles,
            **{
                f"q_{carrots.pk}_{cycle.pk}": "12.5",
                f"p_{carrots.pk}_{cycle.pk}": "2.20",
                f"u_{leeks.pk}_{later_cycle.pk}": "on",
            },
        ),
        follow=True,
    )
    assertRedirects(response, url)
    assertContains(response, "The stock has been saved: 2 new offers")
    offer = Offer.objects.get(product=carrots, cycle=cycle)
    assert (offer.quantity_available, offer.price) == (Decimal("12.5"), Decimal("2.2"))
    assert Offer.objects.get(product=leeks, cycle=later_cycle).is_unlimited
    assert Offer.objects.count() == 2


def test_a_french_comma_is_accepted_in_french(
    settings, as_user, producer, producer_user, carrots, cycle
):
    settings.LANGUAGE_CODE = "fr"
    as_user(producer_user).post(
        grid_url(producer),
        grid_post(
            [carrots],
            [cycle],
            **{
                f"q_{carrots.pk}_{cycle.pk}": "2,5",
                f"p_{carrots.pk}_{cycle.pk}": "3,20",
            },
        ),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    offer = Offer.objects.get()
    assert (offer.quantity_available, offer.price) == (Decimal("2.5"), Decimal("3.2"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("q", "-3", "The quantity cannot be negative."),
        ("q", "abc", "Enter a number"),
        ("q", "1000000000", "That is too much"),
        ("q", "10", "12 already booked: you cannot offer less than that."),
        ("p", "-1", "The price cannot be negative."),
        ("p", "cher", "Enter a price in euros"),
        ("p", "999999", "The price is too high"),
    ],
)
def test_a_bad_cell_is_refused_next_to_it_and_every_typed_value_is_kept(
    as_user, producer, producer_user, carrots, leeks, cycle, field, value, message
):
    booked = OfferFactory(product=leeks, cycle=cycle, quantity_available=30)
    Offer.objects.filter(pk=booked.pk).update(booked=12)
    values = {
        f"q_{carrots.pk}_{cycle.pk}": "7",
        f"p_{carrots.pk}_{cycle.pk}": "2.10",
        f"q_{leeks.pk}_{cycle.pk}": "40",
        f"{field}_{leeks.pk}_{cycle.pk}": value,
    }
    response = as_user(producer_user).post(
        grid_url(producer), grid_post([carrots, leeks], [cycle], **values)
    )
    assert response.status_code == 400
    bad = cell_html(response, leeks, cycle)
    assert message in bad
    assert f'value="{value}"' in bad
    good = cell_html(response, carrots, cycle)
    assert 'class="error"' not in good
    assert 'value="7"' in good and 'value="2.10"' in good
    assertContains(response, "Nothing has been saved", status_code=400)
    assert not Offer.objects.filter(product=carrots).exists()
    booked.refresh_from_db()
    assert booked.quantity_available == 30


def test_a_cycle_closed_since_the_page_was_opened_is_refused(
    as_user, producer, producer_user, carrots, cycle, later_cycle
):
    data = grid_post(
        [carrots],
        [cycle, later_cycle],
        **{
            f"q_{carrots.pk}_{cycle.pk}": "5",
            f"q_{carrots.pk}_{later_cycle.pk}": "6",
        },
    )
    type(cycle).objects.filter(pk=cycle.pk).update(closed_at=timezone.now())
    response = as_user(producer_user).post(grid_url(producer), data)
    assert response.status_code == 400
    assert "Ordering for this cycle has closed" in cell_html(response, carrots, cycle)
    assert not Offer.objects.exists()


def _many_products(producer, count):
    return Product.objects.bulk_create(
        [
            Product(
                producer=producer,
                name=f"Produit {n:02d}",
                category=Product.Category.VEGETABLES,
                unit=Product.Unit.KG,
                price=Decimal("2.00"),
            )
            for n in range(count)
        ]
    )


# 21 since saving checks that the producer accepted the current charter; 23
# since the changed offers' history is written (one bulk insert, and the
# savepoint around it).
QUERY_BOUND = 23


@pytest.mark.parametrize(("products", "cycles"), [(60, 4), (5, 1)])
def test_the_whole_grid_is_saved_in_a_fixed_number_of_queries(
    as_user,
    producer,
    producer_user,
    collective,
    django_assert_max_num_queries,
    products,
    cycles,
):
    items = _many_products(producer, products)
    columns = [
        OrderCycleFactory(collective=collective, closes_at=days(3 + 7 * n))
        for n in range(cycles)
    ]
    # Half the grid exists already: the save creates, updates and removes.
    for product in items[::2]:
        for column in columns:
            OfferFactory(product=product, cycle=column, quantity_available=1)
    values = {}
    for index, product in enumerate(items):
        for column in columns:
            if index % 4 != 2:
                values[f"q_{product.pk}_{column.pk}"] = "3.5" if index % 3 else "4"
    client = as_user(producer_user)
    data = grid_post(items, columns, **values)
    with django_assert_max_num_queries(QUERY_BOUND):
        response = client.post(grid_url(producer), data)
    assert response.status_code == 302
    with django_assert_max_num_queries(QUERY_BOUND):
        client.get(grid_url(producer))
    expected = sum(1 for index in range(products) if index % 4 != 2) * cycles
    assert Offer.objects.count() == expected


# Markers ----------------------------------------------------------------------


def test_a_cycles_offers_carry_the_stock_markers(
    producer, carrots, leeks, cycle, django_assert_num_queries
):
    sold_out = OfferFactory(product=carrots, cycle=cycle, quantity_available=10)
    low = OfferFactory(product=leeks, cycle=cycle, quantity_available=10)
    plenty = OfferFactory(
        product=ProductFactory(producer=producer, name="Radis"),
        cycle=cycle,
        quantity_available=10,
    )
    unlimited = OfferFactory(
        product=ProductFactory(producer=producer, name="Salade"),
        cycle=cycle,
        quantity_available=None,
    )
    OfferFactory(product=ProductFactory(producer=producer, active=False), cycle=cycle)
    Offer.objects.filter(pk=sold_out.pk).update(booked=10)
    Offer.objects.filter(pk=low.pk).update(booked=8)
    Offer.objects.filter(pk=plenty.pk).update(booked=2)
    with django_assert_num_queries(1):
        offers = {
            o.pk: o
            for o in Offer.objects.for_cycle(cycle)
            .filter(product__active=True)
            .with_product()
            .order_by("product__producer__name")
        }
        names = [o.product.producer.name for o in offers.values()]
    assert set(offers) == {sold_out.pk, low.pk, plenty.pk, unlimited.pk}
    assert names[0] == producer.name

    def badge(offer):
        return render_to_string(
            "producers/includes/offer_stock_badge.html", {"offer": offer}
        ).strip()

    assert offers[sold_out.pk].is_sold_out
    assert "Sold out" in badge(offers[sold_out.pk])
    assert offers[low.pk].is_low_stock and not offers[low.pk].is_sold_out
    assert "Only 2 left" in badge(offers[low.pk])
    assert badge(offers[plenty.pk]) == ""
    assert badge(offers[unlimited.pk]) == ""


def test_an_offer_with_orders_on_record_cannot_be_emptied(
    producer, producer_user, carrots, cycle
):
    from tests.factories import OrderLineFactory

    offer = OfferFactory(product=carrots, cycle=cycle, quantity_available=20)
    OrderLineFactory(offer=offer)
    with pytest.raises(ValidationError) as raised:
        services.save_stock_grid(
            producer=producer,
            saved_by=producer_user,
            cells=[StockCell(carrots.pk, cycle.pk)],
        )
    assert "set its quantity to 0" in str(raised.value)
    assert Offer.objects.filter(pk=offer.pk).exists()
