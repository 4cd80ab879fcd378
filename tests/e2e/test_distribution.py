from datetime import timedelta

import pytest
from django.utils import timezone

from amap.distribution.models import Distribution, PickupPoint
from tests.e2e.conftest import log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_organiser_places_a_pickup_point_on_the_map_then_plans_a_season(
    desktop, live_server, organiser, collective, tmp_path
):
    page = desktop
    log_in(page, live_server, organiser.email)

    # A new pickup point, placed by clicking the map (tiles do not load here).
    page.goto(f"{live_server.url}/organisation/{collective.slug}/lieux/nouveau/")
    page.fill("input[name=name]", "Salle des fêtes du Breil")
    page.fill("input[name=street]", "12 rue du Breil")
    page.fill("input[name=postcode]", "44100")
    page.fill("input[name=town]", "Nantes")
    map_box = page.locator("#pickup-map")
    map_box.scroll_into_view_if_needed()
    map_box.click(position={"x": 200, "y": 120})
    assert page.locator("#pickup-map").get_attribute("data-position-set-by-hand") == (
        "true"
    )
    assert page.locator("#pickup-map-status").inner_text().strip() != ""
    page.locator("form.pickup-point-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    point = PickupPoint.objects.get(name="Salle des fêtes du Breil")
    assert point.position_source == PickupPoint.PositionSource.MANUAL
    assert point.latitude is not None and point.longitude is not None

    # A season of Thursday distributions at that point, previewed, then created.
    today = timezone.localdate()
    first = today + timedelta(days=14)
    last = first + timedelta(weeks=10)
    page.goto(f"{live_server.url}/organisation/{collective.slug}/saison/")
    page.select_option("select[name=weekday]", "3")
    page.fill("input[name=start_time]", "18:00")
    page.fill("input[name=end_time]", "19:30")
    page.fill("input[name=first_date]", first.isoformat())
    page.fill("input[name=last_date]", last.isoformat())
    page.get_by_label("Salle des fêtes du Breil").check()
    page.locator("button[value=preview]").click()
    page.wait_for_load_state("networkidle")
    confirm = page.locator("button[value=confirm]")
    assert confirm.is_visible()
    confirm.click()
    page.wait_for_load_state("networkidle")

    created = Distribution.objects.filter(pickup_point=point).count()
    assert created in (10, 11)
    # The calendar opens on the new season.
    assert f"/organisation/{collective.slug}/calendrier/" in page.url
    rows = page.locator("[data-distribution]", has_text="Salle des fêtes du Breil")
    assert rows.count() == created
    page.screenshot(path=str(tmp_path / "calendar.png"), full_page=True)
