from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from amap.producers.models import Offer
from tests.e2e.conftest import log_in
from tests.factories import (
    DistributionFactory,
    OfferFactory,
    OrderCycleFactory,
    ProductFactory,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_producer_fills_the_weekly_stock_on_a_phone(
    phone, live_server, producer_user, producer, collective, tmp_path
):
    now = timezone.now()
    cycle = OrderCycleFactory(collective=collective, name="Semaine 48")
    later = OrderCycleFactory(
        collective=collective,
        name="Semaine 49",
        opens_at=now + timedelta(days=2),
        closes_at=now + timedelta(days=10),
    )
    DistributionFactory(cycle=cycle)
    carrots = ProductFactory(producer=producer, name="Carottes", price="2.40")
    leeks = ProductFactory(producer=producer, name="Poireaux", price="3.20")
    radishes = ProductFactory(
        producer=producer, name="Radis", unit="bunch", price="1.60"
    )
    salad = ProductFactory(producer=producer, name="Salade batavia", unit="piece")
    OfferFactory(product=leeks, cycle=cycle, quantity_available=10)
    OfferFactory(product=salad, cycle=later, quantity_available=8)

    page = phone
    log_in(page, live_server, producer_user.email)
    page.goto(f"{live_server.url}/producteur/{producer.slug}/stock/")

    # On a 360 px phone the grid scrolls sideways inside its box, not the page.
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.fill(f"input[name=q-{carrots.pk}-{cycle.pk}]", "12,5")
    page.fill(f"input[name=q-{leeks.pk}-{cycle.pk}]", "15")
    page.fill(f"input[name=q-{radishes.pk}-{cycle.pk}]", "20")
    page.fill(f"input[name=p-{carrots.pk}-{cycle.pk}]", "2,20")
    page.screenshot(path=str(tmp_path / "stock-filled.png"))
    page.locator("form.stock-grid-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    assert page.locator(".message-success").is_visible()
    assert page.input_value(f"input[name=q-{carrots.pk}-{cycle.pk}]") == "12,5"
    assert page.input_value(f"input[name=p-{carrots.pk}-{cycle.pk}]") == "2,20"
    assert page.input_value(f"input[name=q-{leeks.pk}-{cycle.pk}]") == "15"
    assert page.input_value(f"input[name=q-{radishes.pk}-{cycle.pk}]") == "20"
    assert page.input_value(f"input[name=q-{salad.pk}-{later.pk}]") == "8"

    offers = {offer.product_id: offer for offer in Offer.objects.filter(cycle=cycle)}
    assert set(offers) == {carrots.pk, leeks.pk, radishes.pk}
    assert offers[carrots.pk].quantity_available == Decimal("12.5")
    assert offers[carrots.pk].price == Decimal("2.20")
    assert offers[leeks.pk].quantity_available == 15
    assert offers[radishes.pk].price == Decimal("1.60")
    assert Offer.objects.get(cycle=later).quantity_available == 8
    page.screenshot(path=str(tmp_path / "stock-saved.png"), full_page=True)
