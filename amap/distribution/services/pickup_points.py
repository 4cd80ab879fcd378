"""Pickup points: creating and editing them, finding their position, and the
pickup point each member usually collects at."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from amap.locations import (
    ADDRESS_FIELDS,
    POSITION_FIELDS,
    apply_place_edit,
    geocode_on_commit,
    geocode_place,
    hand_over_to_geocoding,
    set_hand_position,
    validate_place,
)
from amap.members.models import Collective
from amap.members.permissions import (
    is_member,
    require_organiser,
)

from ..models import PickupPoint, UsualPickupPoint

GEOCODE_TASK = "amap.distribution.tasks.geocode_pickup_point_task"
EDITABLE_FIELDS = (
    "name",
    *ADDRESS_FIELDS,
    "opening_notes",
    "capacity",
    "active",
)


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS) - set(POSITION_FIELDS)
    if unknown:
        raise TypeError(f"Unexpected pickup point fields: {sorted(unknown)}")


def _validate(point: PickupPoint) -> None:
    errors = {}
    if point.capacity is not None and point.capacity < 1:
        errors["capacity"] = [
            _("The capacity must be at least 1 household; leave it empty if unlimited.")
        ]
    validate_place(point, errors=errors, exclude=("capacity",))


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
    require_organiser(created_by, collective)
    _check_fields(fields)
    latitude = fields.pop("latitude", None)
    longitude = fields.pop("longitude", None)
    point = PickupPoint(collective=collective, **fields)
    if position_set_by_hand:
        set_hand_position(point, latitude, longitude)
    else:
        hand_over_to_geocoding(point)
    _validate(point)
    point.save()
    geocode_on_commit(point, task=GEOCODE_TASK)
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
    """Change a pickup point; the position follows `apply_place_edit`."""
    require_organiser(updated_by, pickup_point.collective)
    _check_fields(fields)
    point = PickupPoint.objects.select_for_update().get(pk=pickup_point.pk)
    apply_place_edit(
        point, fields, position_set_by_hand=position_set_by_hand, regeocode=regeocode
    )
    _validate(point)
    point.save()
    geocode_on_commit(point, task=GEOCODE_TASK)
    return point


def geocode_pickup_point(*, pickup_point_id: int) -> None:
    """Look the pickup point's address up (see `amap.locations.geocode_place`)."""
    geocode_place(PickupPoint, pickup_point_id, retry_task=GEOCODE_TASK)


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
