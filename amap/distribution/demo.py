"""Demo pickup points, a season of weekly distributions and partly filled shifts."""

import random
from datetime import time, timedelta
from decimal import Decimal

from django.utils import timezone

from amap.members.models import Membership

from .models import Distribution, PickupPoint, ShiftAssignment, UsualPickupPoint
from .recurrence import SeasonRule
from .services.calendar import generate_season
from .services.shifts import add_standard_shifts

PICKUP_POINTS = {
    "amap-dervallieres": [
        {
            "name": "Maison de quartier des Dervallières",
            "street": "5 rue Auguste Renoir",
            "postcode": "44100",
            "town": "Nantes",
            "latitude": Decimal("47.221900"),
            "longitude": Decimal("-1.588300"),
            "opening_notes": "Salle du rez-de-chaussée, entrée côté parking.",
            "capacity": 60,
        },
        {
            "name": "Solilab — Île de Nantes",
            "street": "8 rue de Saint-Domingue",
            "postcode": "44200",
            "town": "Nantes",
            "latitude": Decimal("47.204700"),
            "longitude": Decimal("-1.564000"),
            "opening_notes": "Hall d'entrée, à gauche après l'accueil.",
            "capacity": 30,
        },
    ],
    "amap-trentemoult": [
        {
            "name": "Préau de l'école du Port-au-Blé",
            "street": "2 rue du Port-au-Blé",
            "postcode": "44400",
            "town": "Rezé",
            "latitude": Decimal("47.194700"),
            "longitude": Decimal("-1.568000"),
            "opening_notes": "Portail vert ; vélos dans la cour.",
            "capacity": 50,
        },
    ],
    "groupement-clisson": [
        {
            "name": "Halles de Clisson",
            "street": "Place du Minage",
            "postcode": "44190",
            "town": "Clisson",
            "latitude": Decimal("47.086600"),
            "longitude": Decimal("-1.280800"),
            "opening_notes": "Sous la charpente, côté rue des Halles.",
            "capacity": None,
        },
    ],
}

# (weekday, start, end) per collective: Thursday evening, Tuesday evening,
# Saturday morning.
SCHEDULES = {
    "amap-dervallieres": (3, time(18, 0), time(19, 30)),
    "amap-trentemoult": (1, time(18, 30), time(19, 45)),
    "groupement-clisson": (5, time(10, 0), time(12, 0)),
}


def build_distribution(*, collectives: dict, admin) -> None:
    """Pickup points, a season from two months ago to next summer, shifts.

    Idempotent: a collective that already has order cycles is left alone.
    """
    rng = random.Random(44)
    today = timezone.localdate()
    for slug, collective in collectives.items():
        points = []
        for data in PICKUP_POINTS[slug]:
            point, _created = PickupPoint.objects.get_or_create(
                collective=collective,
                name=data["name"],
                defaults={
                    **data,
                    "position_source": PickupPoint.PositionSource.GEOCODED,
                    "geocode_status": PickupPoint.GeocodeStatus.FOUND,
                },
            )
            points.append(point)
        if collective.order_cycles.exists():
            continue
        weekday, start, end = SCHEDULES[slug]
        first = today - timedelta(weeks=8)
        last = today + timedelta(weeks=30)
        christmas = [
            d for d in _daterange(first, last) if (d.month, d.day) in _HOLIDAYS
        ]
        rule = SeasonRule(
            weekday=weekday,
            start_time=start,
            end_time=end,
            first_date=first,
            last_date=last,
            opens_days_before=6,
            opens_time=time(8, 0),
            closes_days_before=2,
            closes_time=time(20, 0),
            skip_dates=frozenset(christmas),
        )
        generate_season(
            collective=collective, pickup_points=points, rule=rule, created_by=admin
        )
        distributions = list(Distribution.objects.filter(cycle__collective=collective))
        add_standard_shifts(distributions=distributions, added_by=admin)
        _fill_shifts(collective, today, rng)
        _choose_usual_points(collective, points)


_HOLIDAYS = {(12, 24), (12, 25), (12, 26), (12, 29), (12, 31), (1, 1), (1, 2)}


def _daterange(first, last):
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def _fill_shifts(collective, today, rng) -> None:
    """Past shifts full, the next weeks mostly filled, later ones sparse."""
    members = list(
        Membership.objects.active()
        .filter(collective=collective)
        .values_list("user_id", flat=True)
    )
    assignments = []
    distributions = Distribution.objects.filter(
        cycle__collective=collective
    ).prefetch_related("shifts")
    for distribution in distributions:
        weeks_ahead = (distribution.date - today).days / 7
        fill = 1.0 if weeks_ahead < 0 else 0.7 if weeks_ahead < 3 else 0.25
        for shift in distribution.shifts.all():
            wanted = sum(rng.random() < fill for _ in range(shift.people_needed))
            for user_id in rng.sample(members, wanted):
                assignments.append(ShiftAssignment(shift=shift, user_id=user_id))
    ShiftAssignment.objects.bulk_create(assignments, ignore_conflicts=True)


def _choose_usual_points(collective, points) -> None:
    members = Membership.objects.active().filter(collective=collective)
    UsualPickupPoint.objects.bulk_create(
        [
            UsualPickupPoint(
                user_id=m.user_id,
                collective=collective,
                pickup_point=points[i % len(points)],
            )
            for i, m in enumerate(members.order_by("pk"))
        ],
        ignore_conflicts=True,
    )


def remove_demo_distribution(collective_slugs) -> None:
    """Distributions protect their cycle and pickup point; remove them first."""
    Distribution.objects.filter(cycle__collective__slug__in=collective_slugs).delete()
