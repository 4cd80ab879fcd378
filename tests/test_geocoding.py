"""amap/geocoding.py: the fake backend and the geopy one, without the network."""

from decimal import Decimal

import pytest
from geopy.exc import GeocoderServiceError, GeocoderUnavailable
from geopy.geocoders import BANFrance
from geopy.location import Location

from amap import geocoding


@pytest.fixture
def ban(settings):
    settings.GEOCODER = {"backend": "ban", "timeout": 1}


def test_fake_backend_finds_a_known_town(settings):
    settings.GEOCODER = {"backend": "fake"}
    position = geocoding.geocode(
        street="5 rue Auguste Renoir", postcode="44100", town="Nantes"
    )
    assert position.latitude == Decimal("47.221900")
    assert position.longitude == Decimal("-1.588300")
    assert "5 rue Auguste Renoir" in position.label


def test_fake_backend_ignores_case_and_spaces_around_the_town(settings):
    settings.GEOCODER = {"backend": "fake"}
    position = geocoding.geocode(street="", postcode="44400", town="REZÉ")
    assert position is not None
    assert position.latitude == Decimal("47.183300")


def test_fake_backend_answers_none_for_an_unknown_address(settings):
    settings.GEOCODER = {"backend": "fake"}
    assert geocoding.geocode(street="1 rue X", postcode="12345", town="Nowhere") is None


def test_ban_backend_turns_an_unreachable_service_into_geocoding_unavailable(
    ban, monkeypatch
):
    def unavailable(self, query, **kwargs):
        raise GeocoderUnavailable("Service unavailable")

    monkeypatch.setattr(BANFrance, "geocode", unavailable)
    with pytest.raises(geocoding.GeocodingUnavailable):
        geocoding.geocode(
            street="5 rue Auguste Renoir", postcode="44100", town="Nantes"
        )


def test_ban_backend_turns_any_service_error_into_geocoding_unavailable(
    ban, monkeypatch
):
    def failing(self, query, **kwargs):
        raise GeocoderServiceError("HTTP 500")

    monkeypatch.setattr(BANFrance, "geocode", failing)
    with pytest.raises(geocoding.GeocodingUnavailable):
        geocoding.geocode(street="", postcode="44000", town="Nantes")


def test_ban_backend_answers_none_when_the_address_is_unknown(ban, monkeypatch):
    monkeypatch.setattr(BANFrance, "geocode", lambda self, query, **kwargs: None)
    assert geocoding.geocode(street="1 rue X", postcode="44000", town="Nantes") is None


def test_ban_backend_sends_the_whole_address_and_rounds_the_answer(ban, monkeypatch):
    queries = []

    def found(self, query, **kwargs):
        queries.append(query)
        return Location(
            "5 Rue Auguste Renoir 44100 Nantes", (47.2219004321, -1.5883009876), {}
        )

    monkeypatch.setattr(BANFrance, "geocode", found)
    position = geocoding.geocode(
        street="5 rue Auguste Renoir", postcode="44100", town="Nantes"
    )
    assert queries == ["5 rue Auguste Renoir, 44100 Nantes"]
    assert position.latitude == Decimal("47.221900")
    assert position.longitude == Decimal("-1.588301")
    assert position.label == "5 Rue Auguste Renoir 44100 Nantes"
