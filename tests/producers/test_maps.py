import pytest
from django.urls import reverse

from tests.factories import PartnershipFactory, ProducerFactory

pytestmark = pytest.mark.django_db


def test_the_collective_map_shows_the_farms_that_supply_it(
    client, producer, collective
):
    ended = ProducerFactory(name="Ancienne ferme")
    PartnershipFactory(producer=ended, collective=collective, active=False)
    ProducerFactory(name="Ferme sans partenariat")
    waiting = ProducerFactory(name="Ferme pas encore validée", published_at=None)
    PartnershipFactory(producer=waiting, collective=collective)
    unplaced = ProducerFactory(
        name="Ferme sans position", latitude=None, longitude=None
    )
    PartnershipFactory(producer=unplaced, collective=collective)

    response = client.get(
        reverse("producers:collective_producers_geojson", args=[collective.slug])
    )

    features = response.json()["features"]
    assert [f["properties"]["name"] for f in features] == [producer.name]
    assert features[0]["properties"]["kind"] == "producer"
    assert features[0]["geometry"]["coordinates"] == [
        float(producer.longitude),
        float(producer.latitude),
    ]


def test_the_farms_of_a_collective_come_in_one_query(
    client, collective, django_assert_num_queries
):
    for _ in range(120):
        PartnershipFactory(producer=ProducerFactory(), collective=collective)
    url = reverse("producers:collective_producers_geojson", args=[collective.slug])
    with django_assert_num_queries(2):  # the collective, then the farms
        response = client.get(url)
    assert len(response.json()["features"]) == 120


def test_an_inactive_collective_has_no_farm_map(client, collective):
    collective.active = False
    collective.save()
    url = reverse("producers:collective_producers_geojson", args=[collective.slug])
    assert client.get(url).status_code == 404


def test_the_public_map_page_loads_both_layers(client, collective):
    response = client.get(
        reverse("distribution:collective_map", args=[collective.slug])
    )
    page = response.content.decode()
    assert (
        reverse("distribution:collective_pickup_points_geojson", args=[collective.slug])
        in page
    )
    assert (
        reverse("producers:collective_producers_geojson", args=[collective.slug])
        in page
    )
