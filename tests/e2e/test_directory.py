"""A visitor looks for a cheese maker near a town and opens the farm's profile."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The markers' features as Leaflet holds them: what the visitor can click.
MAP_FEATURES = """
() => {
  const features = [];
  document.getElementById("directory-map").amapMap.eachLayer((layer) => {
    if (layer.feature) { features.push(layer.feature.properties); }
  });
  return features;
}
"""


@pytest.fixture
def cheese_makers(db):
    from amap.producers.models import Product
    from tests.factories import ProducerFactory, ProductFactory

    near = ProducerFactory(
        name="Chèvrerie des Moulins",
        slug="chevrerie-moulins",
        activity="Fromages de chèvre",
        postcode="44330",
        town="Vallet",
        latitude=Decimal("47.161700"),
        longitude=Decimal("-1.266100"),
    )
    ProductFactory(producer=near, name="Crottin", category=Product.Category.CHEESE)
    far = ProducerFactory(
        name="Fromagerie de Paris",
        slug="fromagerie-paris",
        postcode="75001",
        town="Paris",
        latitude=Decimal("48.862725"),
        longitude=Decimal("2.287592"),
    )
    ProductFactory(producer=far, name="Brie", category=Product.Category.CHEESE)
    # Near Clisson, but waiting for its first approval: not public yet.
    waiting = ProducerFactory(
        name="Fromagerie en attente", slug="fromagerie-attente", published_at=None
    )
    ProductFactory(producer=waiting, name="Tomme", category=Product.Category.CHEESE)
    # In Clisson itself, but no cheese.
    ProducerFactory(name="Maraîchage de Clisson", slug="maraichage-clisson")
    return near


def test_a_visitor_finds_a_cheese_maker_near_a_town_and_opens_the_profile(
    desktop, live_server, directory, cheese_makers
):
    # No internet in tests: map tiles are refused at once rather than awaited.
    desktop.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    desktop.goto(f"{live_server.url}/producteurs/")
    expect(desktop.locator("#directory-map")).to_have_attribute(
        "data-feature-count", "3"
    )

    desktop.select_option("select[name=category]", "cheese")
    desktop.fill("input[name=near]", "Clisson")
    desktop.select_option("select[name=distance]", "30")
    desktop.locator("form.directory-filters button[type=submit]").click()
    desktop.wait_for_url("**/producteurs/?*near=Clisson*")

    cards = desktop.locator("ul.cards [data-producer]")
    expect(cards).to_have_count(1)
    expect(cards.first).to_have_attribute("data-producer", "chevrerie-moulins")
    expect(cards.first.locator("[data-distance]")).to_have_attribute(
        "data-distance", "8.4"
    )
    map_element = desktop.locator("#directory-map")
    expect(map_element).to_have_attribute("data-feature-count", "1")
    features = desktop.evaluate(MAP_FEATURES)
    assert [feature["name"] for feature in features] == ["Chèvrerie des Moulins"]
    assert features[0]["url"] == "/producteurs/chevrerie-moulins/"
    markers = map_element.locator(".leaflet-marker-icon")
    expect(markers).to_have_count(1)
    # A screen reader hears the farm's name, not Leaflet's "Marker".
    expect(markers).to_have_attribute("alt", "Chèvrerie des Moulins")
    # Leaflet's own words come from the page's translations.
    labels = desktop.evaluate(
        "() => JSON.parse(document.getElementById('map-labels').textContent)"
    )
    expect(map_element.locator(".leaflet-control-zoom-in")).to_have_attribute(
        "aria-label", labels["zoom_in"]
    )
    expect(
        map_element.locator(
            ".leaflet-control-attribution a[href='https://leafletjs.com']"
        )
    ).to_have_attribute("title", labels["leaflet_title"])

    markers.click()
    popup_link = desktop.locator(".leaflet-popup a", has_text="Chèvrerie des Moulins")
    expect(popup_link).to_be_visible()
    expect(desktop.locator(".leaflet-popup-close-button")).to_have_attribute(
        "aria-label", labels["close_popup"]
    )
    popup_link.click()
    desktop.wait_for_url("**/producteurs/chevrerie-moulins/")

    expect(desktop.locator("h1")).to_have_text("Chèvrerie des Moulins")
    expect(desktop.get_by_text("Crottin")).to_be_visible()
