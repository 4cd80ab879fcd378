"""An organiser looks at the volumes map and switches the measure to euros."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amap.orders.models import Order, OrderLine
from amap.producers.models import Product
from tests.e2e.conftest import log_in
from tests.factories import (
    DistributionFactory,
    OfferFactory,
    OrderCycleFactory,
    PickupPointFactory,
    ProducerFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def book(distribution, offer, quantity):
    quantity = Decimal(quantity)
    amount = quantity * offer.price
    order = Order.objects.create(
        member=UserFactory(), distribution=distribution, total=amount
    )
    OrderLine.objects.create(
        order=order,
        offer=offer,
        quantity=quantity,
        unit_price=offer.price,
        amount=amount,
    )


def test_the_organiser_switches_the_circles_from_orders_to_euros(
    desktop, live_server, organiser, collective, tmp_path
):
    now = timezone.now()
    cycle = OrderCycleFactory(
        collective=collective,
        name="Semaine 46",
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=7),
    )
    many = PickupPointFactory(
        collective=collective,
        name="Dervallières",
        latitude=Decimal("47.221900"),
        longitude=Decimal("-1.588300"),
    )
    rich = PickupPointFactory(
        collective=collective,
        name="Rezé",
        latitude=Decimal("47.181000"),
        longitude=Decimal("-1.549000"),
    )
    farm = ProducerFactory(name="Ferme de Clisson")
    cheese = ProducerFactory(
        name="Chèvrerie", latitude=Decimal("47.350600"), longitude=Decimal("-1.4")
    )
    carrots = OfferFactory(
        product=ProductFactory(
            producer=farm, unit=Product.Unit.KG, price=Decimal("2.00")
        ),
        cycle=cycle,
        quantity_available=None,
    )
    tomme = OfferFactory(
        product=ProductFactory(
            producer=cheese, unit=Product.Unit.PIECE, price=Decimal("30.00")
        ),
        cycle=cycle,
        quantity_available=None,
    )
    day = timezone.localdate() - timedelta(days=5)
    at_many = DistributionFactory(cycle=cycle, pickup_point=many, date=day)
    at_rich = DistributionFactory(cycle=cycle, pickup_point=rich, date=day)
    for _ in range(3):
        book(at_many, carrots, "1.5")  # three small orders: 9 € in all
    book(at_rich, tomme, "2")  # one order of 60 €

    page = desktop
    log_in(page, live_server, organiser.email)
    page.goto(f"{live_server.url}/organisation/{collective.slug}/volumes/")
    map_box = page.locator("#volumes-map[data-ready=true]")
    map_box.wait_for()

    assert map_box.get_attribute("data-circle-count") == "2"
    many_circle = page.locator(f"path[data-pickup-point='{many.pk}']")
    rich_circle = page.locator(f"path[data-pickup-point='{rich.pk}']")

    def radius(circle):
        return float(circle.get_attribute("data-radius"))

    # By orders, the point with three orders is the larger circle.
    assert many_circle.get_attribute("data-value") == "3"
    assert radius(many_circle) > radius(rich_circle)
    # Two farms and their routes are drawn too.
    assert page.locator(".leaflet-marker-icon[data-producer]").count() == 2
    assert page.locator("path[data-route]").count() == 2

    page.select_option("#id_measure", "euros")
    assert map_box.get_attribute("data-measure") == "euros"
    assert rich_circle.get_attribute("data-measure") == "euros"
    assert rich_circle.get_attribute("data-value") == "60"
    assert many_circle.get_attribute("data-value") == "9"
    assert radius(rich_circle) > radius(many_circle)
    assert "measure=euros" in page.url

    # The routes end at the circle's centre and may lie on top of it: the
    # click goes to the circle itself, not to whatever is drawn at that pixel.
    rich_circle.dispatch_event("click")
    popup = page.locator(f".volumes-popup[data-pickup-point='{rich.pk}']")
    popup.wait_for()
    assert "Rezé" in popup.inner_text()
    assert "Chèvrerie" in popup.inner_text()
    total = popup.locator(".volumes-total td.is-measure")
    assert total.get_attribute("data-measure") == "euros"
    # 60,00 € in French, whatever space the browser puts before the sign.
    assert total.inner_text().replace("\u202f", " ").replace("\xa0", " ") == "60,00 €"
    screenshot = tmp_path / "volumes-euros.png"
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 0
