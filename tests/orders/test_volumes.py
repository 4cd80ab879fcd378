"""Volumes on a map: per pickup point, per farm, and the food miles."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from geopy.distance import geodesic

from amap.orders.models import Order, OrderLine
from amap.orders.volumes import (
    Selection,
    distance_km,
    food_miles,
    pickup_point_volumes,
)
from amap.producers.models import Product
from tests.factories import (
    DistributionFactory,
    OfferFactory,
    OrderCycleFactory,
    PickupPointFactory,
    ProducerFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
NANTES = (Decimal("47.221900"), Decimal("-1.588300"))
CLISSON = (Decimal("47.087000"), Decimal("-1.282200"))
REZE = (Decimal("47.181000"), Decimal("-1.549000"))
ORVAULT = (Decimal("47.271000"), Decimal("-1.622000"))


def order(distribution, *lines, status=Order.Status.CONFIRMED):
    """An order of (offer, quantity) lines, amounts rounded at the line."""
    amounts = [(offer, Decimal(q), (Decimal(q) * offer.price)) for offer, q in lines]
    placed = Order.objects.create(
        member=UserFactory(),
        distribution=distribution,
        status=status,
        total=sum(amount for *_, amount in amounts),
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=placed,
            offer=offer,
            quantity=quantity,
            unit_price=offer.price,
            amount=amount.quantize(Decimal("0.01")),
        )
        for offer, quantity, amount in amounts
    )
    return placed


def place(factory, position, **kwargs):
    latitude, longitude = position if position else (None, None)
    return factory(latitude=latitude, longitude=longitude, **kwargs)


@pytest.fixture
def network(collective, other_collective):
    """A closed cycle at three pickup points (one without a position) over two
    days, three farms (one without a position), and an open cycle after it."""
    today = timezone.localdate()
    now = timezone.now()
    cycle = OrderCycleFactory(
        collective=collective,
        name="Semaine 46",
        opens_at=now - DAY * 12,
        closes_at=now - DAY * 9,
    )
    current = OrderCycleFactory(collective=collective, name="Semaine 48")
    nantes = place(PickupPointFactory, NANTES, collective=collective, name="Nantes")
    reze = place(PickupPointFactory, REZE, collective=collective, name="Rezé")
    nowhere = place(PickupPointFactory, None, collective=collective, name="Grange")
    clisson = place(ProducerFactory, CLISSON, name="Ferme de Clisson")
    orvault = place(ProducerFactory, ORVAULT, name="Fournil d'Orvault")
    lost = place(ProducerFactory, None, name="Rucher perdu")

    def offer(producer, unit, price, in_cycle=cycle):
        product = ProductFactory(producer=producer, unit=unit, price=Decimal(price))
        return OfferFactory(product=product, cycle=in_cycle, quantity_available=None)

    carrots = offer(clisson, Product.Unit.KG, "3.20")
    eggs = offer(clisson, Product.Unit.DOZEN, "4.00")
    bread = offer(orvault, Product.Unit.PIECE, "2.50")
    honey = offer(lost, Product.Unit.JAR, "7.00")
    day1 = today - DAY * 8
    day2 = today - DAY * 7
    at_nantes = DistributionFactory(cycle=cycle, pickup_point=nantes, date=day1)
    at_nantes_2 = DistributionFactory(cycle=cycle, pickup_point=nantes, date=day2)
    at_reze = DistributionFactory(cycle=cycle, pickup_point=reze, date=day1)
    at_grange = DistributionFactory(cycle=cycle, pickup_point=nowhere, date=day1)
    order(at_nantes, (carrots, "2"), (bread, "1"))
    order(at_nantes, (carrots, "1.5"))
    order(at_nantes_2, (eggs, "2"))
    order(at_reze, (bread, "2"), (honey, "1"))
    order(at_grange, (carrots, "1"))
    order(at_nantes, (carrots, "10"), status=Order.Status.CANCELLED)
    # The open cycle, and another collective buying from the same farm.
    later = DistributionFactory(cycle=current, pickup_point=nantes, date=today + DAY)
    order(later, (offer(clisson, Product.Unit.KG, "3.20", current), "4"))
    elsewhere = DistributionFactory(
        cycle=OrderCycleFactory(
            collective=other_collective,
            opens_at=now - DAY * 12,
            closes_at=now - DAY * 9,
        ),
        pickup_point=place(PickupPointFactory, REZE, collective=other_collective),
        date=day1,
    )
    order(elsewhere, (carrots, "8"))
    return {
        "cycle": cycle,
        "current": current,
        "points": (nantes, reze, nowhere),
        "producers": (clisson, orvault, lost),
        "day1": day1,
    }


def page_url(collective, **params):
    url = reverse("orders:volumes_map", args=[collective.slug])
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{url}?{query}" if query else url


def geojson_url(name, collective, **params):
    url = reverse(f"orders:volumes_{name}_geojson", args=[collective.slug])
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{url}?{query}" if query else url


def test_distance_nantes_clisson_is_the_geodesic_one():
    km = distance_km(NANTES, CLISSON)

    assert km == Decimal(str(geodesic(NANTES, CLISSON).km)).quantize(Decimal("0.1"))
    assert Decimal("25") < km < Decimal("28")
    assert distance_km(NANTES, (None, None)) is None


def test_pickup_points_get_orders_euros_kilos_and_a_breakdown_per_farm(
    network, collective
):
    points = {
        p.name: p
        for p in pickup_point_volumes(Selection(collective, cycle=network["cycle"]))
    }

    nantes = points["Nantes"]
    assert nantes.orders == 3
    assert nantes.euros == Decimal("21.70")  # 6.40 + 2.50 + 4.80 + 8.00
    assert nantes.kilos == Decimal("3.5")  # eggs are not sold by the kg
    breakdown = {share.name: share for share in nantes.producers}
    assert breakdown["Ferme de Clisson"].orders == 3
    assert breakdown["Ferme de Clisson"].euros == Decimal("19.20")
    assert breakdown["Fournil d'Orvault"].orders == 1
    assert breakdown["Fournil d'Orvault"].kilos == 0
    assert points["Rezé"].orders == 1
    assert points["Rezé"].euros == Decimal("12.00")
    assert not points["Grange"].has_position
    assert set(points) == {"Nantes", "Rezé", "Grange"}


def test_food_miles_count_one_trip_per_delivery_day(network, collective):
    miles = food_miles(Selection(collective, cycle=network["cycle"]))
    producers = {p.name: p for p in miles.producers}
    one_way = distance_km(CLISSON, NANTES)

    clisson = producers["Ferme de Clisson"]
    routes = {route.point_name: route for route in clisson.routes}
    assert routes["Nantes"].deliveries == 2
    assert routes["Nantes"].km == one_way
    assert routes["Nantes"].total_km == one_way * 2
    assert routes["Grange"].km is None
    assert clisson.km == one_way * 2
    orvault = producers["Fournil d'Orvault"]
    assert orvault.km == distance_km(ORVAULT, NANTES) + distance_km(ORVAULT, REZE)
    assert producers["Rucher perdu"].km == 0
    assert miles.km == clisson.km + orvault.km
    assert [cycle.name for cycle in miles.cycles] == ["Semaine 46"]
    assert miles.cycles[0].km == miles.km


def test_a_date_range_spans_cycles_and_keeps_a_total_per_cycle(network, collective):
    today = timezone.localdate()
    selection = Selection(collective, start=network["day1"], end=today + DAY * 7)

    miles = food_miles(selection)
    points = {p.name: p for p in pickup_point_volumes(selection)}

    assert points["Nantes"].orders == 4
    assert [cycle.name for cycle in miles.cycles] == ["Semaine 46", "Semaine 48"]
    assert sum(cycle.km for cycle in miles.cycles) == miles.km


def test_the_pickup_points_endpoint_is_one_aggregate_query(
    network, collective, organiser, as_user, django_assert_max_num_queries
):
    client = as_user(organiser)
    url = geojson_url("pickup_points", collective, cycle=network["cycle"].pk)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    data = response.json()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert sum("orders_orderline" in q["sql"] for q in queries.captured_queries) == 1
    assert len(queries) <= 5  # session, user, collective, cycles, the aggregate
    features = {f["properties"]["name"]: f for f in data["features"]}
    assert set(features) == {"Nantes", "Rezé"}
    nantes = features["Nantes"]
    assert nantes["geometry"]["coordinates"] == [-1.5883, 47.2219]
    assert nantes["properties"]["orders"] == 3
    assert Decimal(nantes["properties"]["euros"]) == Decimal("21.70")
    assert Decimal(nantes["properties"]["kilos"]) == Decimal("3.5")
    assert [p["name"] for p in nantes["properties"]["producers"]] == [
        "Ferme de Clisson",
        "Fournil d'Orvault",
    ]
    assert data["missing_positions"] == [
        {"id": network["points"][2].pk, "name": "Grange"}
    ]


def test_the_producers_endpoint_draws_farms_and_routes_in_one_query(
    network, collective, organiser, as_user
):
    client = as_user(organiser)
    url = geojson_url("producers", collective, cycle=network["cycle"].pk)
    with CaptureQueriesContext(connection) as queries:
        data = client.get(url).json()

    assert sum("orders_orderline" in q["sql"] for q in queries.captured_queries) == 1
    assert len(queries) <= 5
    farms = [f for f in data["features"] if f["properties"]["kind"] == "producer"]
    routes = [f for f in data["features"] if f["properties"]["kind"] == "route"]
    assert {f["properties"]["name"] for f in farms} == {
        "Ferme de Clisson",
        "Fournil d'Orvault",
    }
    # Clisson → Nantes, Orvault → Nantes, Orvault → Rezé: the other routes
    # have an end without a position.
    assert len(routes) == 3
    clisson = next(
        f for f in routes if f["properties"]["producer"] == "Ferme de Clisson"
    )
    assert clisson["geometry"]["coordinates"] == [[-1.2822, 47.087], [-1.5883, 47.2219]]
    assert Decimal(clisson["properties"]["km"]) == distance_km(CLISSON, NANTES)
    assert clisson["properties"]["deliveries"] == 2
    assert (
        Decimal(data["total_km"])
        == food_miles(Selection(collective, cycle=network["cycle"])).km
    )
    assert data["missing_positions"][0]["name"] == "Rucher perdu"


def test_the_query_count_does_not_grow_with_the_orders(
    network, collective, organiser, as_user
):
    client = as_user(organiser)
    urls = [
        page_url(collective, cycle=network["cycle"].pk),
        geojson_url("pickup_points", collective, cycle=network["cycle"].pk),
        geojson_url("producers", collective, cycle=network["cycle"].pk),
    ]
    before = []
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        before.append(len(queries))
    nantes, reze, _ = network["points"]
    cycle = network["cycle"]
    for n in range(30):
        point = PickupPointFactory(collective=collective, latitude=47 + n / 100)
        farm = ProducerFactory(latitude=Decimal("47.1"), longitude=Decimal("-1.3"))
        offer = OfferFactory(product__producer=farm, cycle=cycle)
        order(DistributionFactory(cycle=cycle, pickup_point=point), (offer, "2"))
    for url, count in zip(urls, before, strict=True):
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        assert len(queries) == count, url


def test_the_page_shows_tables_food_miles_and_missing_positions(
    network, collective, organiser, as_user, english
):
    response = as_user(organiser).get(page_url(collective))
    html = response.content.decode()

    # The default is the latest cycle that has opened: the current one.
    assert response.context["selection"].cycle == network["current"]
    response = as_user(organiser).get(page_url(collective, cycle=network["cycle"].pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Order cycle: Semaine 46" in html
    assert "21.70\xa0€" in html
    km = distance_km(CLISSON, NANTES)
    assert f"{km} km × 2 trips = {km * 2} km" in html
    assert "Position missing" in html
    assert f'data-missing-pickup-point="{network["points"][2].pk}"' in html
    assert f'data-missing-producer="{network["producers"][2].pk}"' in html
    assert 'id="volumes-map"' in html
    assert f"cycle={network['cycle'].pk}" in html


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"du": "2026-13-01", "au": "2026-12-01"}, "du", "Enter a date"),
        ({"du": "2025-01-01", "au": "2026-06-01"}, "au", "one year at most"),
        ({"du": "2026-06-01", "au": "2026-01-01"}, "au", "comes before its start"),
        ({"du": "2026-06-01"}, "au", "Give the end of the period too."),
        ({"cycle": "999999"}, "cycle", "Choose one of the collective's cycles."),
        ({"measure": "litres"}, "measure", "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_message_never_a_500(
    collective, organiser, as_user, english, params, field, message
):
    client = as_user(organiser)

    page = client.get(page_url(collective, **params))
    assert page.status_code == 400
    assert any(message in error for error in page.context["form"].errors[field])
    assert message.split("'")[0] in page.content.decode()
    for name in ("pickup_points", "producers"):
        response = client.get(geojson_url(name, collective, **params))
        assert response.status_code == 400
        assert message in json.dumps(response.json()["errors"][field])


def test_another_collectives_cycle_is_refused(
    collective, other_collective, organiser, as_user, english
):
    theirs = OrderCycleFactory(collective=other_collective)
    response = as_user(organiser).get(
        geojson_url("pickup_points", collective, cycle=theirs.pk)
    )

    assert response.status_code == 400


def test_without_any_cycle_the_page_says_so(collective, organiser, as_user, english):
    response = as_user(organiser).get(page_url(collective))

    assert response.status_code == 200
    assert "No order cycle yet" in response.content.decode()
    assert as_user(organiser).get(geojson_url("producers", collective)).json() == {
        "type": "FeatureCollection",
        "features": [],
    }


@pytest.mark.parametrize("view", ["page", "pickup_points", "producers"])
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
def test_permission_matrix(request, collective, as_user, producer, view, who, status):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    url = page_url(collective) if view == "page" else geojson_url(view, collective)
    response = as_user(user).get(url)

    assert response.status_code == status
    if status == 302:
        assert "/compte/login/" in response["Location"]
