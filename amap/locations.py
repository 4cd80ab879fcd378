"""Places with a French postal address and a position on the map.

Pickup points and farms share the same fields and the same rules: the
position is looked up from the address in a background task, unless someone
placed it by hand on the map, which always wins.
"""

import re
from datetime import timedelta
from decimal import Decimal
from typing import TypeGuard

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_q.models import Schedule
from django_q.tasks import schedule

from amap import geocoding
from amap.background import enqueue_on_commit

# After this many failed calls to an unavailable service, nobody tries again
# until the address changes or someone asks for it.
MAX_GEOCODE_ATTEMPTS = 3
GEOCODE_RETRY_DELAY = timedelta(minutes=5)
ADDRESS_FIELDS = ("street", "postcode", "town")
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


class PositionSource(models.TextChoices):
    NONE = "", gettext_lazy("No position yet")
    GEOCODED = "geocoded", gettext_lazy("Found from the address")
    MANUAL = "manual", gettext_lazy("Placed by hand on the map")


class GeocodeStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Looking up the address")
    FOUND = "found", gettext_lazy("Address found")
    NOT_FOUND = "not_found", gettext_lazy("Address not found")
    UNAVAILABLE = "unavailable", gettext_lazy("Address service unavailable")
    SKIPPED = "skipped", gettext_lazy("Position placed by hand")


def position_in_range() -> Q:
    """The condition of a check constraint: no position, or a valid one."""
    return Q(latitude__isnull=True, longitude__isnull=True) | Q(
        latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180
    )


class Located(models.Model):
    """An address and its position; subclasses add a check constraint on
    `position_in_range()` in their own Meta."""

    PositionSource = PositionSource
    GeocodeStatus = GeocodeStatus

    street = models.CharField(gettext_lazy("street"), max_length=200)
    postcode = models.CharField(gettext_lazy("postcode"), max_length=5)
    town = models.CharField(gettext_lazy("town"), max_length=100)
    latitude = models.DecimalField(
        gettext_lazy("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-90)), MaxValueValidator(Decimal(90))],
    )
    longitude = models.DecimalField(
        gettext_lazy("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(-180)), MaxValueValidator(Decimal(180))],
    )
    position_source = models.CharField(
        gettext_lazy("position source"),
        max_length=10,
        choices=PositionSource,
        default=PositionSource.NONE,
        blank=True,
    )
    geocode_status = models.CharField(
        gettext_lazy("geocoding"),
        max_length=12,
        choices=GeocodeStatus,
        default=GeocodeStatus.PENDING,
    )
    geocode_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.town}"

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def set_hand_position(place: Located, latitude, longitude) -> None:
    if latitude is None or longitude is None:
        raise ValidationError(
            {
                "latitude": _(
                    "Place the point on the map: both the latitude and the "
                    "longitude are needed."
                )
            }
        )
    place.latitude = Decimal(latitude)
    place.longitude = Decimal(longitude)
    place.position_source = PositionSource.MANUAL
    place.geocode_status = GeocodeStatus.SKIPPED
    place.geocode_attempts = 0


def hand_over_to_geocoding(place: Located) -> None:
    """Forget the position; the geocoding task will look the address up."""
    place.latitude = None
    place.longitude = None
    place.position_source = PositionSource.NONE
    place.geocode_status = GeocodeStatus.PENDING
    place.geocode_attempts = 0


def apply_position_change(
    place: Located,
    *,
    address_changed: bool,
    position_set_by_hand: bool,
    regeocode: bool,
    latitude=None,
    longitude=None,
) -> None:
    """The position rules for an edit, before saving.

    A position placed by hand stays, whatever the address becomes, until
    someone asks for `regeocode` (which wins over `position_set_by_hand`). A
    position found from the address is looked up again when the address
    changes. Submitted coordinates count only with `position_set_by_hand`.
    """
    if regeocode:
        hand_over_to_geocoding(place)
    elif position_set_by_hand:
        set_hand_position(place, latitude, longitude)
    elif address_changed and place.position_source != PositionSource.MANUAL:
        hand_over_to_geocoding(place)


def validate_place(
    place: Located, *, errors: dict | None = None, exclude: tuple = ()
) -> None:
    """Raise every error of the place at once, by field: its postcode, the
    caller's own `errors` (rules the model does not hold), then `full_clean`
    without `exclude`."""
    found: dict[str, list] = {}
    try:
        validate_french_postcode(place.postcode)
    except ValidationError as error:
        found["postcode"] = error.messages
    found.update(errors or {})
    try:
        place.full_clean(exclude=["postcode", *exclude])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            found.setdefault(field, []).extend(messages)
    if found:
        raise ValidationError(found)


def apply_place_edit(
    place: Located,
    fields: dict,
    *,
    position_set_by_hand: bool = False,
    regeocode: bool = False,
) -> None:
    """Set the edited `fields` on `place` (locked by the caller) and apply the
    position rules of `apply_position_change`, before validating and saving.

    `fields` may hold `latitude` and `longitude` from the map; the address
    counts as changed when one of `ADDRESS_FIELDS` differs from the place's.
    """
    fields = dict(fields)
    latitude = fields.pop("latitude", None)
    longitude = fields.pop("longitude", None)
    address_changed = any(
        field in fields and fields[field] != getattr(place, field)
        for field in ADDRESS_FIELDS
    )
    for field, value in fields.items():
        setattr(place, field, value)
    apply_position_change(
        place,
        address_changed=address_changed,
        position_set_by_hand=position_set_by_hand,
        regeocode=regeocode,
        latitude=latitude,
        longitude=longitude,
    )


def geocode_on_commit(place: Located, *, task: str) -> None:
    """Queue `task` (a dotted path taking the place's id) after commit when the
    saved place waits for its address to be looked up."""
    if place.geocode_status == GeocodeStatus.PENDING:
        enqueue_on_commit(task, place.pk)


def _still_waiting_for(place: Located | None, address: tuple) -> TypeGuard[Located]:
    return (
        place is not None
        and place.position_source != PositionSource.MANUAL
        and place.geocode_status in (GeocodeStatus.PENDING, GeocodeStatus.UNAVAILABLE)
        and (place.street, place.postcode, place.town) == address
    )


def geocode_place(model: type[Located], pk: int, *, retry_task: str) -> None:
    """Look the place's address up and record what came of it.

    Idempotent: a place positioned by hand, already found or not found is left
    alone. The service is called outside any transaction; the answer is
    written only if the place still waits for this very address. When the
    service is unavailable, `retry_task` is scheduled again, a few times.
    """
    place = model._default_manager.filter(pk=pk).first()
    if place is None:
        return
    address = (place.street, place.postcode, place.town)
    if not _still_waiting_for(place, address):
        return
    try:
        position = geocoding.geocode(
            street=place.street, postcode=place.postcode, town=place.town
        )
    except geocoding.GeocodingUnavailable:
        _record_unavailable(model, pk, address, retry_task)
        return
    with transaction.atomic():
        place = model._default_manager.select_for_update().filter(pk=pk).first()
        if not _still_waiting_for(place, address):
            return
        if position is None:
            place.geocode_status = GeocodeStatus.NOT_FOUND
            place.save(update_fields=["geocode_status"])
            return
        place.latitude = position.latitude
        place.longitude = position.longitude
        place.position_source = PositionSource.GEOCODED
        place.geocode_status = GeocodeStatus.FOUND
        place.save(
            update_fields=["latitude", "longitude", "position_source", "geocode_status"]
        )


@transaction.atomic
def _record_unavailable(model, pk: int, address: tuple, retry_task: str) -> None:
    place = model._default_manager.select_for_update().filter(pk=pk).first()
    if not _still_waiting_for(place, address):
        return
    place.geocode_status = GeocodeStatus.UNAVAILABLE
    place.geocode_attempts += 1
    place.save(update_fields=["geocode_status", "geocode_attempts"])
    if place.geocode_attempts < MAX_GEOCODE_ATTEMPTS:
        schedule(
            retry_task,
            place.pk,
            schedule_type=Schedule.ONCE,
            next_run=timezone.now() + GEOCODE_RETRY_DELAY * place.geocode_attempts,
        )
