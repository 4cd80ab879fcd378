from decimal import Decimal

import pytest

from amap.orders.models import Order
from amap.producers.models import Offer
from tests.e2e.conftest import log_in
from tests.factories import (
    DistributionFactory,
    OfferFactory,
    ProducerFactory,
    ProductFactory,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_member_books_three_products_on_a_phone_then_changes_one(
    phone, live_server, member, collective, producer, tmp_path
):
    distribution = DistributionFactory(
        cycle__collective=collective, pickup_point__name="Maison des Haubans"
    )
    cycle = distribution.cycle
    carrots = OfferFactory(
        cycle=cycle,
        product=ProductFactory(
            producer=producer, name="Carottes", price=Decimal("2.35")
        ),
        quantity_available=Decimal("30"),
    )
    eggs = OfferFactory(
        cycle=cycle,
        product=ProductFactory(
            producer=producer, name="Œufs", unit="dozen", price=Decimal("4.10")
        ),
        quantity_available=None,
    )
    bread = OfferFactory(
        cycle=cycle,
        product=ProductFactory(
            producer=ProducerFactory(name="Fournil du Bourg"),
            name="Pain de campagne",
            unit="piece",
            price=Decimal("4.50"),
        ),
        quantity_available=Decimal("12"),
    )
    page = phone
    log_in(page, live_server, member.email)

    # The member picks the distribution from the list of open ones.
    page.goto(f"{live_server.url}/commandes/")
    page.locator(f"[data-distribution='{distribution.pk}'] a.button").click()
    page.wait_for_load_state("networkidle")
    assert f"/commandes/distribution/{distribution.pk}/" in page.url

    page.fill(f"input[name=offer_{carrots.pk}]", "1,5")
    page.fill(f"input[name=offer_{eggs.pk}]", "1")
    page.fill(f"input[name=offer_{bread.pk}]", "2")
    page.locator("form.booking-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    # 1.5 × 2.35 = 3.53 (rounded at the line), 4.10, 2 × 4.50 = 9.00
    assert "16,63\xa0€" in page.locator("[data-order-total]").inner_text()
    order = Order.objects.get(member=member, distribution=distribution)
    assert order.total == Decimal("16.63")
    assert order.lines.count() == 3

    # One less loaf.
    assert page.locator(f"input[name=offer_{bread.pk}]").input_value() == "2"
    page.fill(f"input[name=offer_{bread.pk}]", "1")
    page.locator("form.booking-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    assert "12,13\xa0€" in page.locator("[data-order-total]").inner_text()
    order.refresh_from_db()
    assert order.total == Decimal("12.13")
    assert dict(order.lines.values_list("offer_id", "quantity")) == {
        carrots.pk: Decimal("1.5"),
        eggs.pk: Decimal("1"),
        bread.pk: Decimal("1"),
    }
    assert Offer.objects.get(pk=bread.pk).booked == 1
    assert page.locator(f"input[name=offer_{carrots.pk}]").input_value() == "1,5"
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(tmp_path / "booking.png"), full_page=True)
