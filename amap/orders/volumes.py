"""Volumes on a map: what each pickup point received, from which farm, and
the network's food miles, for one order cycle or a range of dates.

What counts: the lines of confirmed orders at the collective's distributions
that were not cancelled. Contract baskets are not order lines and do not
count. Kilos: the quantity of the lines whose product is sold by the kg; the
catalogue records no weight for other units (pieces, bunches, jars…), so
those count 0 kg.

Food miles: each day a farm delivers at a pickup point (at least one line of
its products in an order there) counts as one trip, farm → pickup point, one
way, measured as the crow flies on the ellipsoid (geopy's geodesic). A route's
km are its distance times its delivery days; a farm's km the sum of its
routes; the selection's km the sum of its farms. Roads are longer, and a
round trip twice as long: the figure is a floor, comparable from one cycle
to the next.

Each aggregate is one query; everything else here is pure Python on its rows.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from geopy.distance import geodesic

from amap.distribution.geojson import feature_collection, point_feature
from amap.distribution.models import OrderCycle
from amap.money import QUANTITY_STEP, ZERO, plain_quantity, round_cents
from amap.producers.models import Product

from .models import Order, OrderLine

KM_STEP = Decimal("0.1")
MAX_RANGE_DAYS = 366

PICKUP_POINT = "pickup_point"
PRODUCER = "producer"
ROUTE = "route"

QUANTITY = DecimalField(max_digits=14, decimal_places=3)
MONEY = DecimalField(max_digits=14, decimal_places=2)


MEASURES = {
    "orders": _("Orders"),
    "euros": _("Euros"),
    "kilos": _("Kilos"),
}


@dataclass(frozen=True)
class Selection:
    """One cycle, or the distributions from `start` to `end` included."""

    collective: object
    cycle: OrderCycle | None = None
    start: date | None = None
    end: date | None = None

    def lines(self):
        """The order lines that count, of the collective only."""
        return OrderLine.objects.live().filter(self._filter("order__distribution__"))

    def _filter(self, prefix: str) -> Q:
        q = Q(
            **{
                f"{prefix}cycle__collective": self.collective,
                f"{prefix}cancelled": False,
            }
        )
        if self.cycle is not None:
            return q & Q(**{f"{prefix}cycle": self.cycle})
        return q & Q(
            **{f"{prefix}date__gte": self.start, f"{prefix}date__lte": self.end}
        )

    def query_params(self) -> dict:
        if self.cycle is not None:
            return {"cycle": self.cycle.pk}
        return {"du": self.start.isoformat(), "au": self.end.isoformat()}


def _confirmed(lines):
    return lines.filter(order__status=Order.Status.CONFIRMED)


def _point_fields(*names) -> dict:
    """`point_<name>` for each field of the line's pickup point."""
    return {
        f"point_{name}": F(f"order__distribution__pickup_point__{name}")
        for name in names
    }


def _producer_fields(*names) -> dict:
    """`producer_<name>` for each field of the line's farm."""
    return {
        f"producer_{name}": F(f"offer__product__producer__{name}") for name in names
    }


def _kilos():
    return Coalesce(
        Sum(
            Case(
                When(offer__product__unit=Product.Unit.KG, then=F("quantity")),
                default=Value(ZERO),
                output_field=QUANTITY,
            )
        ),
        Value(ZERO),
        output_field=QUANTITY,
    )


# Pickup points ----------------------------------------------------------------


@dataclass
class ProducerShare:
    producer_id: int
    name: str
    orders: int
    euros: Decimal
    kilos: Decimal


@dataclass
class PointVolume:
    id: int
    name: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    orders: int = 0
    producers: list[ProducerShare] = field(default_factory=list)

    @property
    def euros(self) -> Decimal:
        return sum((share.euros for share in self.producers), ZERO)

    @property
    def kilos(self) -> Decimal:
        return sum((share.kilos for share in self.producers), ZERO)

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def _pickup_point_rows(selection: Selection):
    """Order lines grouped by pickup point and farm; a point's order count
    (an order may hold several farms' products) is a subquery over the same
    lines."""
    point_orders = (
        _confirmed(selection.lines())
        .filter(order__distribution__pickup_point=OuterRef("point_id"))
        .order_by()
        .values("order__distribution__pickup_point")
        .annotate(count=Count("order", distinct=True))
        .values("count")
    )
    return (
        _confirmed(selection.lines())
        .order_by()
        .values(
            **_point_fields("id", "name", "street", "postcode", "town"),
            **_point_fields("latitude", "longitude"),
            **_producer_fields("id", "name"),
        )
        .annotate(
            orders=Count("order", distinct=True),
            euros=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY),
            kilos=_kilos(),
            point_orders=Subquery(point_orders),
        )
        .order_by("point_name", "point_id", "producer_name", "producer_id")
    )


def pickup_point_volumes(selection: Selection) -> list[PointVolume]:
    """Each pickup point that received orders, with its breakdown per farm.
    One query."""
    points: dict[int, PointVolume] = {}
    for row in _pickup_point_rows(selection):
        point = points.get(row["point_id"])
        if point is None:
            point = points[row["point_id"]] = PointVolume(
                id=row["point_id"],
                name=row["point_name"],
                address=(
                    f"{row['point_street']}, {row['point_postcode']} "
                    f"{row['point_town']}"
                ),
                latitude=row["point_latitude"],
                longitude=row["point_longitude"],
                orders=row["point_orders"] or 0,
            )
        point.producers.append(
            ProducerShare(
                producer_id=row["producer_id"],
                name=row["producer_name"],
                orders=row["orders"],
                euros=round_cents(row["euros"]),
                kilos=row["kilos"].quantize(QUANTITY_STEP),
            )
        )
    return list(points.values())


def _text(value: Decimal) -> str:
    """Decimals travel as exact strings, without trailing zeros; the script
    formats them."""
    return format(plain_quantity(value), "f")


def pickup_points_feature_collection(points: list[PointVolume]) -> dict:
    """Features of the located points; the others under `missing_positions`."""
    features = []
    for point in points:
        if not point.has_position:
            continue
        features.append(
            point_feature(
                latitude=point.latitude,
                longitude=point.longitude,
                properties={
                    "kind": PICKUP_POINT,
                    "id": point.id,
                    "name": point.name,
                    "address": point.address,
                    "orders": point.orders,
                    "euros": _text(point.euros),
                    "kilos": _text(point.kilos),
                    "producers": [
                        {
                            "id": share.producer_id,
                            "name": share.name,
                            "orders": share.orders,
                            "euros": _text(share.euros),
                            "kilos": _text(share.kilos),
                        }
                        for share in point.producers
                    ],
                },
            )
        )
    collection = feature_collection(features)
    collection["missing_positions"] = [
        {"id": point.id, "name": point.name}
        for point in points
        if not point.has_position
    ]
    return collection


# Producers and routes ---------------------------------------------------------


def distance_km(start, end) -> Decimal | None:
    """Geodesic distance between two (latitude, longitude) pairs, to 0.1 km;
    None when either end has no position."""
    if None in (*start, *end):
        return None
    km = geodesic(tuple(map(float, start)), tuple(map(float, end))).km
    return Decimal(str(km)).quantize(KM_STEP)


@dataclass
class Route:
    producer_id: int
    point_id: int
    point_name: str
    point_latitude: Decimal | None
    point_longitude: Decimal | None
    km: Decimal | None  # one trip, one way
    deliveries: int = 0
    euros: Decimal = ZERO
    kilos: Decimal = ZERO

    @property
    def total_km(self) -> Decimal | None:
        return None if self.km is None else self.km * self.deliveries


@dataclass
class ProducerMiles:
    id: int
    name: str
    town: str
    latitude: Decimal | None
    longitude: Decimal | None
    routes: list[Route] = field(default_factory=list)

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def deliveries(self) -> int:
        return sum(route.deliveries for route in self.routes)

    @property
    def km(self) -> Decimal:
        """Food miles of the routes whose both ends have a position."""
        return sum(
            (route.total_km for route in self.routes if route.km is not None), ZERO
        )

    @property
    def routes_without_distance(self) -> list[Route]:
        return [route for route in self.routes if route.km is None]


@dataclass
class CycleMiles:
    id: int
    name: str
    km: Decimal = ZERO
    deliveries: int = 0


@dataclass
class FoodMiles:
    producers: list[ProducerMiles]
    cycles: list[CycleMiles]

    @property
    def km(self) -> Decimal:
        return sum((producer.km for producer in self.producers), ZERO)

    @property
    def deliveries(self) -> int:
        return sum(producer.deliveries for producer in self.producers)

    @property
    def routes_without_distance(self) -> list[Route]:
        return [r for p in self.producers for r in p.routes_without_distance]


def _route_rows(selection: Selection):
    """Order lines grouped by farm, pickup point and cycle, with the number
    of delivery days."""
    return (
        _confirmed(selection.lines())
        .order_by()
        .values(
            **_producer_fields("id", "name", "town", "latitude", "longitude"),
            **_point_fields("id", "name", "latitude", "longitude"),
            cycle_id=F("order__distribution__cycle_id"),
            cycle_name=F("order__distribution__cycle__name"),
            cycle_opens_at=F("order__distribution__cycle__opens_at"),
        )
        .annotate(
            deliveries=Count("order__distribution__date", distinct=True),
            euros=Coalesce(Sum("amount"), Value(ZERO), output_field=MONEY),
            kilos=_kilos(),
        )
        .order_by("producer_name", "producer_id", "point_name", "cycle_opens_at")
    )


def food_miles(selection: Selection) -> FoodMiles:
    """The farms that delivered in the selection, their routes and km: one
    query; distances are computed here, once per route."""
    rows = _route_rows(selection)
    producers: dict[int, ProducerMiles] = {}
    routes: dict[tuple[int, int], Route] = {}
    cycles: dict[int, CycleMiles] = {}
    cycle_order: dict[int, object] = {}
    for row in rows:
        producer = producers.get(row["producer_id"])
        if producer is None:
            producer = producers[row["producer_id"]] = ProducerMiles(
                id=row["producer_id"],
                name=row["producer_name"],
                town=row["producer_town"],
                latitude=row["producer_latitude"],
                longitude=row["producer_longitude"],
            )
        key = (row["producer_id"], row["point_id"])
        route = routes.get(key)
        if route is None:
            route = routes[key] = Route(
                producer_id=row["producer_id"],
                point_id=row["point_id"],
                point_name=row["point_name"],
                point_latitude=row["point_latitude"],
                point_longitude=row["point_longitude"],
                km=distance_km(
                    (row["producer_latitude"], row["producer_longitude"]),
                    (row["point_latitude"], row["point_longitude"]),
                ),
            )
            producer.routes.append(route)
        route.deliveries += row["deliveries"]
        route.euros += round_cents(row["euros"])
        route.kilos += row["kilos"].quantize(QUANTITY_STEP)
        cycle = cycles.get(row["cycle_id"])
        if cycle is None:
            cycle = cycles[row["cycle_id"]] = CycleMiles(
                id=row["cycle_id"], name=row["cycle_name"]
            )
            cycle_order[row["cycle_id"]] = row["cycle_opens_at"]
        cycle.deliveries += row["deliveries"]
        if route.km is not None:
            cycle.km += route.km * row["deliveries"]
    return FoodMiles(
        producers=list(producers.values()),
        cycles=sorted(cycles.values(), key=lambda c: cycle_order[c.id]),
    )


def _coordinates(latitude, longitude) -> list[float]:
    return [round(float(longitude), 6), round(float(latitude), 6)]


def food_miles_feature_collection(miles: FoodMiles) -> dict:
    """A Point per located farm and a LineString per route with a distance;
    farms and routes that cannot be drawn are listed under
    `missing_positions`. `total_km` is the selection's food miles."""
    features = []
    for producer in miles.producers:
        if producer.has_position:
            features.append(
                point_feature(
                    latitude=producer.latitude,
                    longitude=producer.longitude,
                    properties={
                        "kind": PRODUCER,
                        "id": producer.id,
                        "name": producer.name,
                        "town": producer.town,
                        "deliveries": producer.deliveries,
                        "km": _text(producer.km),
                    },
                )
            )
        for route in producer.routes:
            if route.km is None:
                continue
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [
                            _coordinates(producer.latitude, producer.longitude),
                            _coordinates(route.point_latitude, route.point_longitude),
                        ],
                    },
                    "properties": {
                        "kind": ROUTE,
                        "producer_id": producer.id,
                        "producer": producer.name,
                        "pickup_point_id": route.point_id,
                        "pickup_point": route.point_name,
                        "km": _text(route.km),
                        "deliveries": route.deliveries,
                        "total_km": _text(route.total_km),
                    },
                }
            )
    collection = feature_collection(features)
    collection["total_km"] = _text(miles.km)
    collection["missing_positions"] = [
        {"id": producer.id, "name": producer.name}
        for producer in miles.producers
        if not producer.has_position
    ]
    return collection
