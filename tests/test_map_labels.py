"""The words Leaflet shows on the maps come from Django's translations.

Leaflet writes "Zoom in", "Close popup"... in English; every page with a map
renders them in the visitor's language in a `#map-labels` JSON block that
static/js/maps.js hands to Leaflet (the browser side is checked by
tests/e2e/test_directory.py).
"""

import json
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LABELS = re.compile(
    r'<script id="map-labels" type="application/json">(.*?)</script>', re.S
)


def map_labels(response):
    assert response.status_code == 200
    found = LABELS.findall(response.content.decode())
    assert len(found) == 1, "one #map-labels block per page with a map"
    return json.loads(found[0])


@pytest.fixture
def placed_farm(producer):
    """`producer`, with a position, so its profile shows a map."""
    producer.latitude, producer.longitude = 47.1617, -1.2661
    producer.save()
    return producer


def map_pages(collective, producer):
    return [
        "/",
        "/producteurs/",
        f"/producteurs/{producer.slug}/",
        reverse("distribution:collective_map", args=[collective.slug]),
    ]


@pytest.mark.usefixtures("english")
def test_every_public_map_names_leaflets_controls_in_the_page_language(
    client, directory, collective, placed_farm
):
    for url in map_pages(collective, placed_farm):
        assert map_labels(client.get(url)) == {
            "zoom_in": "Zoom in",
            "zoom_out": "Zoom out",
            "close_popup": "Close popup",
            "leaflet_title": "A JavaScript library for interactive maps",
            "position": "Position on the map",
            "osm_contributors": "OpenStreetMap contributors",
        }, url


def test_a_french_visitor_gets_the_labels_from_the_french_catalogue(
    client, directory, collective, placed_farm
):
    """In the default language, whatever the translators wrote stays valid JSON."""
    labels = map_labels(client.get("/producteurs/"))
    assert set(labels) == {
        "zoom_in",
        "zoom_out",
        "close_popup",
        "leaflet_title",
        "position",
        "osm_contributors",
    }
    assert all(value.strip() for value in labels.values())
    assert labels["zoom_in"] == "Zoomer"
    assert labels["osm_contributors"] == "les contributeurs d’OpenStreetMap"


@pytest.mark.usefixtures("english")
def test_quotes_and_markup_in_a_translation_keep_the_block_valid(
    client, directory, monkeypatch
):
    from django.utils import translation

    tricky = "Close the \"popup\" </script><b>'now'</b> \\ ok"
    real_gettext = translation._trans.gettext

    def fake_gettext(message):
        return tricky if message == "Close popup" else real_gettext(message)

    # {% translate %} ends in translation.gettext, which asks _trans.
    monkeypatch.setattr(translation._trans, "gettext", fake_gettext)

    assert map_labels(client.get("/producteurs/"))["close_popup"] == tricky
