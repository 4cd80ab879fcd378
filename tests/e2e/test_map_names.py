"""Names on the maps are shown as text: a pickup point or a farm named with
HTML in it runs no script in the browser of whoever opens its tooltip or popup.

Every map of the site is visited: the organiser's volumes map, a collective's
public map, the farm directory, a farm's profile and the member's pickup point.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amap.distribution.models import UsualPickupPoint
from amap.orders.models import Order, OrderLine
from tests.e2e.conftest import log_in
from tests.factories import (
    DistributionFactory,
    OfferFactory,
    OrderCycleFactory,
    PartnershipFactory,
    PickupPointFactory,
    ProducerFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

IMG = "<img src=x onerror=\"document.title='pwned'\">"
SCRIPT = "<script>document.title='pwned'</script>"
POINT_NAMES = ["X" + IMG, "Y" + SCRIPT]
FARM_NAMES = ["F" + IMG, "G" + SCRIPT]
OVERLAYS = ".leaflet-tooltip, .leaflet-popup"


@pytest.fixture
def hostile(collective):
    """Two pickup points and two farms with HTML in their names, each farm
    delivering one point during a past cycle and partner of the collective."""
    now = timezone.now()
    cycle = OrderCycleFactory(
        collective=collective,
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=7),
    )
    points = [
        PickupPointFactory(
            collective=collective,
            name=POINT_NAMES[0],
            street="1 rue " + IMG,
            latitude=Decimal("47.221900"),
            longitude=Decimal("-1.588300"),
        ),
        PickupPointFactory(
            collective=collective,
            name=POINT_NAMES[1],
            street="2 place " + SCRIPT,
            latitude=Decimal("47.181000"),
            longitude=Decimal("-1.549000"),
        ),
    ]
    farms = [
        ProducerFactory(name=FARM_NAMES[0], slug="ferme-img"),
        ProducerFactory(
            name=FARM_NAMES[1],
            slug="ferme-script",
            latitude=Decimal("47.350600"),
            longitude=Decimal("-1.400000"),
        ),
    ]
    day = timezone.localdate() - timedelta(days=5)
    for point, farm in zip(points, farms, strict=True):
        PartnershipFactory(producer=farm, collective=collective)
        offer = OfferFactory(
            product=ProductFactory(producer=farm, price=Decimal("2.00")),
            cycle=cycle,
            quantity_available=None,
        )
        distribution = DistributionFactory(cycle=cycle, pickup_point=point, date=day)
        order = Order.objects.create(
            member=UserFactory(), distribution=distribution, total=Decimal("2.00")
        )
        OrderLine.objects.create(
            order=order,
            offer=offer,
            quantity=Decimal("1"),
            unit_price=offer.price,
            amount=Decimal("2.00"),
        )
    return {"points": points, "farms": farms}


@pytest.fixture
def page(desktop):
    """The desktop page, with map tiles refused and every dialog recorded."""
    desktop.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    desktop.dialogs = []

    def record(dialog):
        desktop.dialogs.append(dialog.message)
        dialog.dismiss()

    desktop.on("dialog", record)
    return desktop


def assert_shown_as_text(page, overlay, names, title):
    """The names are read in the open tooltip or popup, nothing in it is an
    element built from a name, and no script ran."""
    overlay.wait_for()
    text = overlay.inner_text()
    for name in names:
        assert name in text
    assert overlay.locator(":is(img, script)").count() == 0
    page.wait_for_timeout(300)  # time for a broken image's onerror to run
    assert page.title() == title
    assert page.dialogs == []


def open_marker_popups(page, map_selector, title):
    """Clicks each marker of the map, named after its place, and checks the
    popup that opens; returns the names of the places."""
    markers = page.locator(f"{map_selector} .leaflet-marker-icon")
    names = []
    for index in range(markers.count()):
        marker = markers.nth(index)
        name = marker.get_attribute("title")
        marker.dispatch_event("click")
        popup = page.locator(f"{map_selector} .leaflet-popup", has_text=name)
        assert_shown_as_text(page, popup, [name], title)
        names.append(name)
    return names


def test_the_volumes_map_shows_hostile_names_as_text(
    page, live_server, organiser, collective, hostile
):
    log_in(page, live_server, organiser.email)
    page.goto(f"{live_server.url}/organisation/{collective.slug}/volumes/")
    page.locator("#volumes-map[data-ready=true]").wait_for()
    title = page.title()

    # Each route's tooltip names its farm and its pickup point.
    for point, farm in zip(hostile["points"], hostile["farms"], strict=True):
        route = page.locator(f"path[data-route='{farm.pk}-{point.pk}']")
        route.dispatch_event("mouseover")
        tooltip = page.locator(".leaflet-tooltip").last
        assert_shown_as_text(page, tooltip, [farm.name, point.name], title)
        route.dispatch_event("mouseout")

    # Each pickup point's popup, with the farm that supplied it.
    for point, farm in zip(hostile["points"], hostile["farms"], strict=True):
        page.locator(f"path[data-pickup-point='{point.pk}']").dispatch_event("click")
        popup = page.locator(f".volumes-popup[data-pickup-point='{point.pk}']")
        assert_shown_as_text(page, popup, [point.name, farm.name], title)

    # Each farm's popup; the marker is named after the farm.
    for farm in hostile["farms"]:
        icon = page.locator(f".leaflet-marker-icon[data-producer='{farm.pk}']")
        assert icon.get_attribute("title") == farm.name
        icon.dispatch_event("click")
        popup = page.locator(".leaflet-popup", has_text=farm.name)
        assert_shown_as_text(page, popup, [farm.name], title)


def test_the_collective_map_shows_hostile_names_as_text(
    page, live_server, collective, hostile
):
    page.goto(f"{live_server.url}/collectifs/{collective.slug}/carte/")
    page.locator("#collective-map[data-feature-count='4']").wait_for()
    names = open_marker_popups(page, "#collective-map", page.title())
    assert sorted(names) == sorted(POINT_NAMES + FARM_NAMES)


def test_the_farm_directory_and_profile_maps_show_hostile_names_as_text(
    page, live_server, directory, hostile
):
    page.goto(f"{live_server.url}/producteurs/")
    page.locator("#directory-map[data-feature-count='2']").wait_for()
    names = open_marker_popups(page, "#directory-map", page.title())
    assert sorted(names) == sorted(FARM_NAMES)

    for farm in hostile["farms"]:
        page.goto(
            live_server.url
            + directory.url
            + directory.reverse_subpage("producer", args=[farm.slug])
        )
        page.locator("#producer-map .leaflet-marker-icon").wait_for()
        names = open_marker_popups(page, "#producer-map", page.title())
        assert names == [farm.name]


def test_the_member_pickup_point_map_shows_a_hostile_name_as_text(
    page, live_server, member, collective, hostile
):
    log_in(page, live_server, member.email)
    for point in hostile["points"]:
        UsualPickupPoint.objects.update_or_create(
            user=member, collective=collective, defaults={"pickup_point": point}
        )
        page.goto(f"{live_server.url}/mon-lieu/")
        map_selector = f"#point-map-{point.pk}"
        page.locator(f"{map_selector} .leaflet-marker-icon").wait_for()
        names = open_marker_popups(page, map_selector, page.title())
        assert names == [point.name]
