import pytest

from amap.groupbuy.models import Pledge
from tests.e2e.conftest import log_in
from tests.factories import (
    GroupItemFactory,
    GroupPurchaseFactory,
    PledgeFactory,
    PriceTierFactory,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_member_completes_a_case_live_then_saves_on_a_phone(
    phone, live_server, member, collective
):
    campaign = GroupPurchaseFactory(collectives=[collective], title="Café du Chiapas")
    coffee = GroupItemFactory(campaign=campaign, name="Café en grains", case_size=6)
    PriceTierFactory(item=coffee, min_cases=0, unit_price="14.00")
    PledgeFactory(item=coffee, quantity=4, tolerance=0)
    page = phone
    log_in(page, live_server, member.email)

    page.goto(f"{live_server.url}/achats-groupes/{campaign.pk}/")
    item = page.locator(f"[data-progress-panel] [data-item='{coffee.pk}']")
    assert item.get_attribute("data-full-cases") == "0"
    assert item.get_attribute("data-missing") == "2"

    before = int(item.get_attribute("data-case-percent"))

    # Typing is enough: the panel shows what the figures would be. One more
    # unit moves the bar and leaves one unit missing…
    page.fill(f"input[name=quantity_{coffee.pk}]", "1")
    page.wait_for_selector(
        f"[data-progress-panel] [data-item='{coffee.pk}'][data-missing='1']"
    )
    item = page.locator(f"[data-progress-panel] [data-item='{coffee.pk}']")
    assert int(item.get_attribute("data-case-percent")) > before
    assert "1" in item.locator("[data-case-status]").inner_text()

    # … two complete the case.
    page.fill(f"input[name=quantity_{coffee.pk}]", "2")
    page.wait_for_selector(
        f"[data-progress-panel] [data-item='{coffee.pk}'][data-full-cases='1']"
    )
    panel = page.locator("[data-progress-panel]")
    assert panel.locator("[data-preview]").count() == 1
    assert not Pledge.objects.filter(member=member).exists()

    page.locator("#pledge-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    saved = Pledge.objects.get(member=member, item=coffee)
    assert (saved.quantity, saved.tolerance) == (2, 0)
    assert page.locator(f"input[name=quantity_{coffee.pk}]").input_value() == "2"
    item = page.locator(f"[data-progress-panel] [data-item='{coffee.pk}']")
    assert item.get_attribute("data-full-cases") == "1"
    assert page.locator("[data-progress-panel] [data-preview]").count() == 0
