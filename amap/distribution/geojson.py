"""Pure GeoJSON serialisers for the maps: plain data in, plain dicts out.

No ORM query and no I/O here: views fetch the rows (for example with
`.values()`) and pass them in. Every feature carries a `kind` property, so
collections of different things (pickup points now, producers later) can be
merged into one map with `merge_feature_collections` and styled apart.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal

from amap.texts import published_text

PICKUP_POINT = "pickup_point"


def _coordinate(value) -> float:
    return round(float(Decimal(str(value))), 6)


def feature_collection(features: Iterable[dict]) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def point_feature(*, latitude, longitude, properties: dict) -> dict:
    """A GeoJSON Point feature: GeoJSON writes longitude first."""
    return {
        "type": "Feature",
        "geometry": {
            "type": "Point",
            "coordinates": [_coordinate(longitude), _coordinate(latitude)],
        },
        "properties": properties,
    }


def format_address(*, street: str, postcode: str, town: str) -> str:
    place = f"{postcode} {town}".strip()
    return ", ".join(part for part in (street, place) if part)


def pickup_point_feature(point: Mapping) -> dict | None:
    """The feature of one pickup point, None when it has no position yet.

    `point` holds `name`, `latitude`, `longitude`, and either `address` or
    `street`/`postcode`/`town`; optionally `id`, `opening_notes` and `url`.
    """
    latitude, longitude = point.get("latitude"), point.get("longitude")
    if latitude is None or longitude is None:
        return None
    address = point.get("address") or format_address(
        street=point.get("street", ""),
        postcode=point.get("postcode", ""),
        town=point.get("town", ""),
    )
    properties = {
        "kind": PICKUP_POINT,
        "name": point.get("name", ""),
        "address": address,
        "opening_notes": published_text(point.get("opening_notes", "")),
    }
    if point.get("id") is not None:
        properties["id"] = point["id"]
    if point.get("url"):
        properties["url"] = point["url"]
    return point_feature(latitude=latitude, longitude=longitude, properties=properties)


def pickup_points_feature_collection(points: Iterable[Mapping]) -> dict:
    """A FeatureCollection of the pickup points that have a position."""
    features = (pickup_point_feature(point) for point in points)
    return feature_collection(feature for feature in features if feature is not None)


def merge_feature_collections(*collections: Mapping) -> dict:
    """One FeatureCollection holding the features of all `collections`, in order."""
    return feature_collection(
        feature for collection in collections for feature in collection["features"]
    )


PRODUCER = "producer"


def producer_feature(producer: Mapping) -> dict | None:
    """The feature of one farm, None when it has no position yet.

    `producer` holds `name`, `latitude`, `longitude`, `street`/`postcode`/
    `town`; optionally `id`, `activity` and `url`.
    """
    feature = pickup_point_feature(producer)
    if feature is None:
        return None
    feature["properties"]["kind"] = PRODUCER
    feature["properties"].pop("opening_notes", None)
    if producer.get("activity"):
        feature["properties"]["activity"] = producer["activity"]
    return feature


def producers_feature_collection(producers: Iterable[Mapping]) -> dict:
    """A FeatureCollection of the farms that have a position."""
    features = (producer_feature(producer) for producer in producers)
    return feature_collection(feature for feature in features if feature is not None)
