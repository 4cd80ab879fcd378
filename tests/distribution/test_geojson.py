"""The pure GeoJSON serialisers and the public GeoJSON endpoint."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from amap.distribution.geojson import (
    merge_feature_collections,
    pickup_point_feature,
    pickup_points_feature_collection,
)
from amap.distribution.models import PickupPoint
from tests.factories import CollectiveFactory, PickupPointFactory

LA_HALLE = {
    "id": 7,
    "name": "La Halle",
    "street": "2 place du Marché",
    "postcode": "44190",
    "town": "Clisson",
    "latitude": Decimal("47.087000"),
    "longitude": Decimal("-1.282200"),
    "opening_notes": "Under the covered market.",
}


# Pure serialisers --------------------------------------------------------------


def test_a_feature_collection_lists_points_longitude_first():
    collection = pickup_points_feature_collection([LA_HALLE])
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [-1.2822, 47.087]}
    assert feature["properties"] == {
        "kind": "pickup_point",
        "id": 7,
        "name": "La Halle",
        "address": "2 place du Marché, 44190 Clisson",
        "opening_notes": "Under the covered market.",
    }


def test_points_without_a_position_are_left_out():
    lost = {**LA_HALLE, "name": "Lost", "latitude": None, "longitude": None}
    half = {**LA_HALLE, "name": "Half", "longitude": None}
    collection = pickup_points_feature_collection([lost, LA_HALLE, half])
    assert [f["properties"]["name"] for f in collection["features"]] == ["La Halle"]
    assert pickup_point_feature(lost) is None


def test_an_empty_list_gives_an_empty_collection():
    assert pickup_points_feature_collection([]) == {
        "type": "FeatureCollection",
        "features": [],
    }


def test_the_url_and_a_ready_made_address_are_used_when_given():
    feature = pickup_point_feature(
        {
            "name": "Ferme",
            "address": "Le Bourg, 44330 Vallet",
            "latitude": 47.1617,
            "longitude": -1.2661,
            "url": "/collectifs/vallet/",
        }
    )
    assert feature["properties"]["address"] == "Le Bourg, 44330 Vallet"
    assert feature["properties"]["url"] == "/collectifs/vallet/"
    assert "id" not in feature["properties"]


def test_the_collection_is_plain_json():
    """Decimals become numbers, so the dict goes straight to json.dumps."""
    text = json.dumps(pickup_points_feature_collection([LA_HALLE]))
    assert '"coordinates": [-1.2822, 47.087]' in text


def test_collections_merge_in_order_for_a_shared_map():
    points = pickup_points_feature_collection([LA_HALLE])
    farms = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [-1.3, 47.2]},
                "properties": {"kind": "producer", "name": "Ferme du Chêne"},
            }
        ],
    }
    merged = merge_feature_collections(points, farms)
    assert merged["type"] == "FeatureCollection"
    assert [f["properties"]["kind"] for f in merged["features"]] == [
        "pickup_point",
        "producer",
    ]


# Endpoint ------------------------------------------------------------------------


def geojson_url(collective):
    return reverse(
        "distribution:collective_pickup_points_geojson", args=[collective.slug]
    )


@pytest.mark.parametrize(
    "person",
    ["anonymous", "member", "other_member", "organiser", "other_organiser"],
)
def test_the_geojson_of_an_active_collective_is_public(
    request, person, collective, other_collective, as_user
):
    user = None if person == "anonymous" else request.getfixturevalue(person)
    PickupPointFactory(collective=collective, name="Maison de quartier")
    response = as_user(user).get(geojson_url(collective))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    names = [f["properties"]["name"] for f in response.json()["features"]]
    assert names == ["Maison de quartier"]


def test_the_geojson_shows_only_active_located_points_of_that_collective(
    client, collective, other_collective
):
    PickupPointFactory(collective=collective, name="Active")
    PickupPointFactory(collective=collective, name="Closed", active=False)
    PickupPointFactory(
        collective=collective,
        name="Not found",
        latitude=None,
        longitude=None,
        position_source="",
        geocode_status=PickupPoint.GeocodeStatus.NOT_FOUND,
    )
    PickupPointFactory(collective=other_collective, name="Elsewhere")
    data = client.get(geojson_url(collective)).json()
    [feature] = data["features"]
    assert feature["properties"]["name"] == "Active"
    assert feature["geometry"]["coordinates"] == [-1.5883, 47.2219]


def test_an_empty_collective_gives_an_empty_collection(client, collective):
    response = client.get(geojson_url(collective))
    assert response.status_code == 200
    assert response.json() == {"type": "FeatureCollection", "features": []}


def test_the_geojson_of_an_inactive_or_unknown_collective_is_not_found(client, db):
    closed = CollectiveFactory(slug="closed", active=False)
    PickupPointFactory(collective=closed)
    assert client.get(geojson_url(closed)).status_code == 404
    missing = reverse("distribution:collective_pickup_points_geojson", args=["nope"])
    assert client.get(missing).status_code == 404


def test_the_geojson_takes_one_query_for_250_points(
    client, collective, django_assert_num_queries
):
    PickupPointFactory.create_batch(250, collective=collective)
    with django_assert_num_queries(1):
        response = client.get(geojson_url(collective))
    assert len(response.json()["features"]) == 250
