"""Pickup points: creating and editing them, finding their position, and the
pickup point each member usually collects at."""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.models import Schedule
from django_q.tasks import schedule

from amap import geocoding
from amap.background import enqueue_on_commit
from amap.members.models import Collective
from amap.members.permissions import (
    can_manage_collective,
    is_member,
    member_collectives,
)

from ..models import Distribution, PickupPoint, UsualPickupPoint

GEOCODE_TASK = "amap.distribution.tasks.geocode_pickup_point_task"
# After this many failed calls to an unavailable service, nobody tries again
# until the address changes or an organiser asks for it.
MAX_GEOCODE_ATTEMPTS = 3
GEOCODE_RETRY_DELAY = timedelta(minutes=5)

ADDRESS_FIELDS = ("street", "postcode", "town")
EDITABLE_FIELDS = (
    "name",
    *ADDRESS_FIELDS,
    "opening_notes",
    "capacity",
    "active",
)
POSITION_FIELDS = ("latitude", "longitude")

_POSTCODE_RE = re.compile(r"^\d{5}$")


def validate_french_postcode(value: str) -> None:
    """Five digits whose department part exists: 01–95, or 97/98 overseas."""
    if not _POSTCODE_RE.match(value or ""):
        raise ValidationError(
            _("Enter a postcode of 5 digits, for example 44000."), code="format"
        )
    department = int(value[:2])
    if not (1 <= department <= 95 or department in (97, 98)):
        raise ValidationError(_("Unknown postcode."), code="unknown")


def _require_organiser(user, collective: Collective) -> None:
    if not can_manage_collective(user, collective):
        raise PermissionDenied(_("Only the collective's organisers can do this."))


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS) - set(POSITION_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected pickup point fields: {sorted(unknown)}")


def _validate(point: PickupPoint) -> None:
    errors = {}
    try:
        validate_french_postcode(point.postcode)
    except ValidationError as error:
        errors["postcode"] = error.messages
    if point.capacity is not None and point.capacity < 1:
        errors["capacity"] = [
            _("The capacity must be at least 1 household; leave it empty if unlimited.")
        ]
    try:
        point.full_clean(exclude=["postcode", "capacity"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _set_hand_position(point: PickupPoint, latitude, longitude) -> None:
    if latitude is None or longitude is None:
        raise ValidationError(
            {
                "latitude": _(
                    "Place the point on the map: both the latitude and the "
                    "longitude are needed."
                )
            }
        )
    point.latitude = Decimal(latitude)
    point.longitude = Decimal(longitude)
    point.position_source = PickupPoint.PositionSource.MANUAL
    point.geocode_status = PickupPoint.GeocodeStatus.SKIPPED
    point.geocode_attempts = 0


def _hand_over_to_geocoding(point: PickupPoint) -> None:
    """Forget the position; the geocoding task will look the address up."""
    point.latitude = None
    point.longitude = None
    point.position_source = PickupPoint.PositionSource.NONE
    point.geocode_status = PickupPoint.GeocodeStatus.PENDING
    point.geocode_attempts = 0


@transaction.atomic
def create_pickup_point(
    *,
    collective: Collective,
    created_by,
    position_set_by_hand: bool = False,
    **fields,
) -> PickupPoint:
    """Create a pickup point; its position comes from the map when it was placed
    by hand, otherwise from the address, looked up in the background."""
    _require_organiser(created_by, collective)
    _check_fields(fields)
    latitude = fields.pop("latitude", None)
    longitude = fields.pop("longitude", None)
    point = PickupPoint(collective=collective, **fields)
    if position_set_by_hand:
        _set_hand_position(point, latitude, longitude)
    else:
        _hand_over_to_geocoding(point)
    _validate(point)
    point.save()
    if point.geocode_status == PickupPoint.GeocodeStatus.PENDING:
        enqueue_on_commit(GEOCODE_TASK, point.pk)
    return point


@transaction.atomic
def update_pickup_point(
    pickup_point: PickupPoint,
    *,
    updated_by,
    position_set_by_hand: bool = False,
    regeocode: bool = False,
    **fields,
) -> PickupPoint:
    """Change a pickup point.

    A position placed by hand stays, whatever the address becomes, until the
    organiser asks for `regeocode` (which wins over `position_set_by_hand`).
    A position found from the address is looked up again when the address
    changes. Submitted coordinates count only with `position_set_by_hand`.
    """
    _require_organiser(updated_by, pickup_point.collective)
    _check_fields(fields)
    point = PickupPoint.objects.select_for_update().get(pk=pickup_point.pk)
    latitude = fields.pop("latitude", None)
    longitude = fields.pop("longitude", None)
    address_changed = any(
        field in fields and fields[field] != getattr(point, field)
        for field in ADDRESS_FIELDS
    )
    for field, value in fields.items():
        setattr(point, field, value)
    if regeocode:
        _hand_over_to_geocoding(point)
    elif position_set_by_hand:
        _set_hand_position(point, latitude, longitude)
    elif address_changed and point.position_source != PickupPoint.PositionSource.MANUAL:
        _hand_over_to_geocoding(point)
    _validate(point)
    point.save()
    if point.geocode_status == PickupPoint.GeocodeStatus.PENDING:
        enqueue_on_commit(GEOCODE_TASK, point.pk)
    return point


def _still_waiting_for(point: PickupPoint | None, address: tuple) -> bool:
    return (
        point is not None
        and point.position_source != PickupPoint.PositionSource.MANUAL
        and point.geocode_status
        in (PickupPoint.GeocodeStatus.PENDING, PickupPoint.GeocodeStatus.UNAVAILABLE)
        and (point.street, point.postcode, point.town) == address
    )


def geocode_pickup_point(*, pickup_point_id: int) -> None:
    """Look the pickup point's address up and record what came of it.

    Idempotent: a point placed by hand, already found or not found is left
    alone. The service is called outside any transaction; the answer is
    written only if the point still waits for this very address.
    """
    point = PickupPoint.objects.filter(pk=pickup_point_id).first()
    if point is None:
        return
    address = (point.street, point.postcode, point.town)
    if not _still_waiting_for(point, address):
        return
    try:
        position = geocoding.geocode(
            street=point.street, postcode=point.postcode, town=point.town
        )
    except geocoding.GeocodingUnavailable:
        _record_unavailable(pickup_point_id, address)
        return
    with transaction.atomic():
        point = (
            PickupPoint.objects.select_for_update().filter(pk=pickup_point_id).first()
        )
        if not _still_waiting_for(point, address):
            return
        if position is None:
            point.geocode_status = PickupPoint.GeocodeStatus.NOT_FOUND
            point.save(update_fields=["geocode_status"])
            return
        point.latitude = position.latitude
        point.longitude = position.longitude
        point.position_source = PickupPoint.PositionSource.GEOCODED
        point.geocode_status = PickupPoint.GeocodeStatus.FOUND
        point.save(
            update_fields=[
                "latitude",
                "longitude",
                "position_source",
                "geocode_status",
            ]
        )


@transaction.atomic
def _record_unavailable(pickup_point_id: int, address: tuple) -> None:
    point = PickupPoint.objects.select_for_update().filter(pk=pickup_point_id).first()
    if not _still_waiting_for(point, address):
        return
    point.geocode_status = PickupPoint.GeocodeStatus.UNAVAILABLE
    point.geocode_attempts += 1
    point.save(update_fields=["geocode_status", "geocode_attempts"])
    if point.geocode_attempts < MAX_GEOCODE_ATTEMPTS:
        schedule(
            GEOCODE_TASK,
            point.pk,
            schedule_type=Schedule.ONCE,
            next_run=timezone.now() + GEOCODE_RETRY_DELAY * point.geocode_attempts,
        )


@transaction.atomic
def choose_usual_pickup_point(*, user, pickup_point: PickupPoint) -> UsualPickupPoint:
    """Make `pickup_point` the one `user` usually collects at in its collective."""
    collective = pickup_point.collective
    if not is_member(user, collective):
        raise PermissionDenied(
            _("Only the collective's members can choose one of its pickup points.")
        )
    if not pickup_point.active:
        raise ValidationError(
            _("%(name)s is no longer used for distributions; choose another place.")
            % {"name": pickup_point.name}
        )
    usual, _created = UsualPickupPoint.objects.update_or_create(
        user=user, collective=collective, defaults={"pickup_point": pickup_point}
    )
    return usual


# Reads ---------------------------------------------------------------------


@dataclass
class MemberPickup:
    """What the "my pickup point" page shows for one collective of a member."""

    collective: Collective
    points: list[PickupPoint]
    usual: PickupPoint | None
    distributions: list[Distribution]

    @property
    def usual_is_active(self) -> bool:
        return self.usual is not None and self.usual.active


def member_pickup_overview(
    user, *, today=None, distributions_per_point: int = 4
) -> list[MemberPickup]:
    """For each collective `user` is an active member of: its active pickup
    points, the user's usual one and its next distributions. Four queries at
    most, whatever the number of collectives, points and distributions."""
    collectives = list(member_collectives(user).order_by("name"))
    if not collectives:
        return []
    points = list(
        PickupPoint.objects.active().filter(collective__in=collectives).order_by("name")
    )
    usual = {
        choice.collective_id: choice.pickup_point
        for choice in UsualPickupPoint.objects.filter(
            user=user, collective__in=collectives
        ).select_related("pickup_point")
    }
    chosen_ids = [point.pk for point in usual.values() if point.active]
    distributions = []
    if chosen_ids:
        distributions = list(
            Distribution.objects.active()
            .upcoming(today)
            .filter(pickup_point__in=chosen_ids)
            .select_related("cycle")
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("pickup_point")],
                    order_by=[F("date").asc(), F("starts_at").asc()],
                )
            )
            .filter(rank__lte=distributions_per_point)
            .order_by("date", "starts_at")
        )
    overview = []
    for collective in collectives:
        chosen = usual.get(collective.pk)
        overview.append(
            MemberPickup(
                collective=collective,
                points=[p for p in points if p.collective_id == collective.pk],
                usual=chosen,
                distributions=[
                    d
                    for d in distributions
                    if chosen is not None and d.pickup_point_id == chosen.pk
                ],
            )
        )
    return overview
