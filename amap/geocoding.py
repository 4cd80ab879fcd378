"""Turning a French postal address into coordinates, behind one function.

The backend is chosen by `settings.GEOCODER`: "ban" (the national address
service, `geopy.geocoders.BANFrance`, the default), "nominatim"
(OpenStreetMap), or "fake" (a fixed table of towns, for tests and machines
without internet).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings


class GeocodingUnavailable(Exception):
    """The service could not be reached or failed; trying again later may work."""


@dataclass(frozen=True)
class Position:
    latitude: Decimal
    longitude: Decimal
    label: str = ""


def _quantize(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.000001"))


# Towns of the demo network and a few big cities, by postcode and name.
FAKE_PLACES = {
    "44000 nantes": (47.218371, -1.553621),
    "44100 nantes": (47.221900, -1.588300),
    "44300 nantes": (47.247900, -1.520900),
    "44400 rezé": (47.183300, -1.550000),
    "44190 clisson": (47.087000, -1.282200),
    "44120 vertou": (47.168900, -1.469700),
    "44800 saint-herblain": (47.212200, -1.649700),
    "44430 le loroux-bottereau": (47.237800, -1.345600),
    "44450 divatte-sur-loire": (47.281900, -1.333000),
    "44240 sucé-sur-erdre": (47.343300, -1.527500),
    "44330 vallet": (47.161700, -1.266100),
    "44340 bouguenais": (47.177800, -1.623900),
    "44470 carquefou": (47.297500, -1.491400),
    "44830 bouaye": (47.143600, -1.693300),
    "44690 la haie-fouassière": (47.155300, -1.397800),
    "44310 saint-philbert-de-grand-lieu": (47.035800, -1.640800),
    "44115 haute-goulaine": (47.198100, -1.430600),
    "44140 aigrefeuille-sur-maine": (47.076700, -1.401900),
    "75001 paris": (48.862725, 2.287592),
    "69001 lyon": (45.767000, 4.833500),
}


def _fake_geocode(address: str, postcode: str, town: str) -> Position | None:
    key = f"{postcode} {town}".strip().lower()
    found = FAKE_PLACES.get(key)
    if found is None and not (postcode and town):
        # A town or a postcode alone, as a visitor types it in a search box;
        # a town with several postcodes answers with the first (its centre).
        matches = [
            (place, position)
            for place, position in FAKE_PLACES.items()
            if key and key in (place[:5], place[6:])
        ]
        if matches:
            key, found = matches[0]
    if found is None:
        return None
    return Position(_quantize(found[0]), _quantize(found[1]), f"{address}, {key}")


def _geopy_geocoder():
    backend = settings.GEOCODER.get("backend", "ban")
    timeout = settings.GEOCODER.get("timeout", 10)
    if backend == "nominatim":
        from geopy.geocoders import Nominatim

        return Nominatim(
            user_agent=settings.GEOCODER.get("user_agent"), timeout=timeout
        )
    from geopy.geocoders import BANFrance

    return BANFrance(timeout=timeout)


def geocode(*, street: str, postcode: str, town: str) -> Position | None:
    """The position of an address, None when the service does not know it.

    Raises GeocodingUnavailable when the service cannot answer now.
    """
    if settings.GEOCODER.get("backend") == "fake":
        return _fake_geocode(street, postcode, town)
    from geopy.exc import GeopyError

    query = ", ".join(part for part in [street, f"{postcode} {town}".strip()] if part)
    try:
        location = _geopy_geocoder().geocode(query, exactly_one=True)
    except GeopyError as error:
        raise GeocodingUnavailable(str(error)) from error
    if location is None:
        return None
    return Position(
        _quantize(location.latitude), _quantize(location.longitude), location.address
    )
