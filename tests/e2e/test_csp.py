"""The site works under its Content-Security-Policy: the main pages of every
kind of person, opened in Chromium, log no "Refused to…" / "…violates the
Content Security Policy" message and throw no script error, and what runs on
them still runs: the maps draw their markers, the htmx panel follows what is
typed, the menu opens, the calendar address selects itself, the contract's
"Select none" unticks, the editors' admin opens its editor."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amap.orders.models import Order, OrderLine
from tests.e2e.conftest import log_in
from tests.factories import (
    DistributionFactory,
    GroupItemFactory,
    GroupPurchaseFactory,
    OfferFactory,
    OrderCycleFactory,
    PartnershipFactory,
    PickupPointFactory,
    PledgeFactory,
    PriceTierFactory,
    ProducerFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REFUSED = re.compile(r"Content Security Policy|Refused to|violates", re.I)


@pytest.fixture
def watched(desktop):
    """The desktop page, tiles refused (no network), every console message and
    script error recorded."""
    desktop.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    desktop.messages = []
    desktop.on(
        "console", lambda message: desktop.messages.append((desktop.url, message.text))
    )
    desktop.on(
        "pageerror", lambda error: desktop.messages.append((desktop.url, str(error)))
    )
    return desktop


def visit(page, url, ready=None):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if ready:
        page.locator(ready).first.wait_for()
    assert_nothing_refused(page)


def assert_nothing_refused(page):
    refused = [message for message in page.messages if REFUSED.search(message[1])]
    errors = [m for m in page.messages if "Error" in m[1] and "ERR_FAILED" not in m[1]]
    assert refused == []
    assert errors == []


@pytest.fixture
def world(collective, producer, member, organiser):
    """A farm and a pickup point on the map, a past week with orders (the
    volumes map), an open week to book in and a group purchase."""
    now = timezone.now()
    producer.latitude, producer.longitude = Decimal("47.3506"), Decimal("-1.4")
    producer.save()
    point = PickupPointFactory(
        collective=collective,
        name="Maison de quartier",
        latitude=Decimal("47.2219"),
        longitude=Decimal("-1.5883"),
    )
    past = OrderCycleFactory(
        collective=collective,
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=7),
    )
    offer = OfferFactory(
        cycle=past,
        product=ProductFactory(producer=producer, price=Decimal("2.00")),
        quantity_available=None,
    )
    delivered = DistributionFactory(
        cycle=past, pickup_point=point, date=timezone.localdate() - timedelta(days=5)
    )
    order = Order.objects.create(
        member=UserFactory(), distribution=delivered, total=Decimal("2.00")
    )
    OrderLine.objects.create(
        order=order,
        offer=offer,
        quantity=Decimal("1"),
        unit_price=offer.price,
        amount=Decimal("2.00"),
    )
    upcoming = DistributionFactory(cycle__collective=collective, pickup_point=point)
    OfferFactory(
        cycle=upcoming.cycle,
        product=ProductFactory(producer=producer, name="Carottes"),
        quantity_available=Decimal("30"),
    )
    campaign = GroupPurchaseFactory(collectives=[collective], title="Café du Chiapas")
    coffee = GroupItemFactory(campaign=campaign, name="Café en grains", case_size=6)
    PriceTierFactory(item=coffee, min_cases=0, unit_price="14.00")
    PledgeFactory(item=coffee, quantity=4, tolerance=0)
    other_farm = ProducerFactory(name="Fournil du Bourg", slug="fournil")
    PartnershipFactory(producer=other_farm, collective=collective)
    return {
        "upcoming": upcoming,
        "campaign": campaign,
        "coffee": coffee,
        "point": point,
        "past": past,
    }


def test_the_public_pages(watched, live_server, directory, producer, collective, world):
    page = watched
    visit(page, f"{live_server.url}/")
    visit(
        page,
        f"{live_server.url}/producteurs/",
        "#directory-map .leaflet-marker-icon",
    )
    farm_url = directory.url + directory.reverse_subpage(
        "producer", args=[producer.slug]
    )
    visit(page, live_server.url + farm_url, "#producer-map .leaflet-marker-icon")
    visit(
        page,
        f"{live_server.url}/collectifs/{collective.slug}/carte/",
        "#collective-map .leaflet-marker-icon",
    )
    visit(page, f"{live_server.url}/compte/login/")
    # site.js ran: on a wide screen the menu is open.
    assert page.locator("details.menu[open]").count() == 1
    visit(page, f"{live_server.url}/nexistepas/")


def test_a_members_pages(watched, live_server, member, world):
    page = watched
    log_in(page, live_server, member.email)
    assert_nothing_refused(page)
    visit(page, f"{live_server.url}/mon-espace/")
    visit(page, f"{live_server.url}/commandes/distribution/{world['upcoming'].pk}/")

    # The calendar address selects itself when clicked, ready to copy.
    visit(page, f"{live_server.url}/mon-calendrier/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    page.locator("#private-url").click()
    selected = page.evaluate(
        "() => { const f = document.getElementById('private-url');"
        " return f.selectionEnd - f.selectionStart; }"
    )
    assert selected == len(page.locator("#private-url").input_value()) > 0
    assert_nothing_refused(page)

    # The group purchase's live panel follows what is typed.
    coffee = world["coffee"]
    visit(page, f"{live_server.url}/achats-groupes/{world['campaign'].pk}/")
    item = page.locator(f"[data-progress-panel] [data-item='{coffee.pk}']")
    assert item.get_attribute("data-missing") == "2"
    page.fill(f"input[name=quantity_{coffee.pk}]", "1")
    page.wait_for_selector(
        f"[data-progress-panel] [data-item='{coffee.pk}'][data-missing='1']"
    )
    bar = page.locator(f"[data-progress-panel] [data-item='{coffee.pk}'] .gb-bar-base")
    assert int(bar.get_attribute("width")) > 0
    assert bar.bounding_box()["width"] > 0
    assert_nothing_refused(page)


def test_an_organisers_pages(watched, live_server, organiser, collective, world):
    page = watched
    log_in(page, live_server, organiser.email)
    slug = collective.slug
    visit(
        page,
        f"{live_server.url}/organisation/{slug}/volumes/?cycle={world['past'].pk}",
        "#volumes-map[data-ready=true]",
    )
    assert page.locator("#volumes-map path[data-route]").count() >= 1
    visit(page, f"{live_server.url}/organisation/{slug}/calendrier/")
    visit(page, f"{live_server.url}/organisation/{slug}/semaine/")
    visit(
        page,
        f"{live_server.url}/organisation/lieux/{world['point'].pk}/",
        "[data-map='place-form'] .leaflet-marker-icon",
    )

    # The contract form's buttons tick and untick every delivery.
    visit(page, f"{live_server.url}/organisation/{slug}/contrats/nouveau/")
    boxes = page.locator("input[name=deliveries]")
    assert boxes.count() >= 1
    page.locator("[data-check-boxes=all]").click()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.locator("[data-check-boxes=none]").click()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    assert_nothing_refused(page)


def test_the_admins(watched, live_server, db):
    from cms.models import HomePage

    UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    home = HomePage.objects.get()
    page = watched
    log_in(page, live_server, "root@example.org")
    visit(page, f"{live_server.url}/cms/")
    visit(page, f"{live_server.url}/cms/pages/{home.pk}/")
    # The page editor draws its fields (Wagtail's scripts ran).
    visit(page, f"{live_server.url}/cms/pages/{home.pk}/edit/", ".w-field__input")
    visit(page, f"{live_server.url}/cms/pages/add/cms/contentpage/{home.pk}/")
    visit(page, f"{live_server.url}/cms/images/")
    visit(page, f"{live_server.url}/admin/")
    visit(page, f"{live_server.url}/admin/members/user/")
    visit(page, f"{live_server.url}/admin/members/collective/add/")
