"""The farm itself: its creation, profile and position (its managers are in
`managers`, its partnerships in `partnerships`)."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from amap.locations import (
    ADDRESS_FIELDS,
    POSITION_FIELDS,
    apply_place_edit,
    geocode_on_commit,
    geocode_place,
    hand_over_to_geocoding,
    validate_place,
)
from amap.members.models import Collective
from amap.members.permissions import organised_collectives, require_organiser
from amap.uploads import upload_errors

from ..models import Label, Producer, ProfileSubmission
from ..permissions import require_producer_manager
from .managers import send_manager_invitation
from .moderation import MODERATED_FIELDS, PUBLIC_FIELDS, submit_profile_change
from .partnerships import accept_on_creation

GEOCODE_TASK = "amap.producers.tasks.geocode_producer_task"
EDITABLE_FIELDS = (
    "name",
    "activity",
    "description",
    "photo",
    "email",
    "phone",
    "website",
    *ADDRESS_FIELDS,
)
# The photo is an upload: leaving it out keeps the current one, "" removes it.


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS) - set(POSITION_FIELDS) - {"labels"}
    if unknown:
        raise TypeError(f"Unexpected producer fields: {sorted(unknown)}")


def _validate(producer: Producer) -> None:
    errors = {}
    photo = producer.photo
    if photo and not getattr(photo, "_committed", True):
        errors.update(upload_errors("photo", photo))
    validate_place(producer, errors=errors)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:140].strip("-") or "producteur"
    taken = set(
        Producer.objects.filter(slug__startswith=base).values_list("slug", flat=True)
    )
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def _save_labels(producer: Producer, labels: Iterable[Label] | None) -> None:
    if labels is not None:
        producer.labels.set(labels)


@transaction.atomic
def create_producer(
    *,
    name: str,
    created_by,
    manager_emails: Iterable[str],
    collective: Collective | None = None,
    **fields,
) -> Producer:
    """Create a farm and invite `manager_emails` to manage it; its position is
    looked up from the address in the background.

    Nobody manages the farm until they accept their invitation
    (`managers.accept_manager_invitation`); the invitations go out whether
    or not an account uses the addresses, and nothing tells which.

    With a `collective`, `created_by` must organise it and the new farm
    supplies it at once (with `created_by` as référent·e when they are one of
    its active organisers). Without, `created_by` must be staff or organise
    some collective.
    """
    if collective is not None:
        require_organiser(created_by, collective)
    elif not (
        created_by.is_authenticated
        and (created_by.is_staff or organised_collectives(created_by).exists())
    ):
        raise PermissionDenied(_("Only organisers can add a producer to the network."))
    _check_fields(fields)
    labels = fields.pop("labels", None)
    for field in POSITION_FIELDS:
        fields.pop(field, None)
    manager_emails = [email for email in manager_emails if email.strip()]
    if not manager_emails:
        raise ValidationError(
            {
                "manager_emails": _(
                    "Give the email address of at least one person who will "
                    "manage the farm."
                )
            }
        )
    producer = Producer(name=name, slug=_unique_slug(name), **fields)
    if collective is not None:
        # The organiser adding the farm to their collective vouches for it:
        # its page is public at once. Otherwise it waits for an organiser of
        # a collective it will supply (moderation).
        producer.published_at = timezone.now()
    hand_over_to_geocoding(producer)
    _validate(producer)
    producer.save()
    if collective is None:
        ProfileSubmission.objects.create(
            producer=producer,
            submitted_by=created_by,
            **{field: getattr(producer, field) for field in PUBLIC_FIELDS},
        )
    for email in manager_emails:
        send_manager_invitation(producer=producer, email=email, invited_by=created_by)
    _save_labels(producer, labels)
    if collective is not None:
        accept_on_creation(
            producer=producer, collective=collective, created_by=created_by
        )
    geocode_on_commit(producer, task=GEOCODE_TASK)
    return producer


@transaction.atomic
def update_producer_profile(
    producer: Producer,
    *,
    updated_by,
    position_set_by_hand: bool = False,
    regeocode: bool = False,
    **fields,
) -> Producer:
    """Change a farm's profile; the position follows `apply_place_edit`.

    Its public text and photo (`MODERATED_FIELDS`) are not changed here: they
    become a change waiting for an organiser's approval
    (`moderation.submit_profile_change`), except for a superuser. Contact,
    address, position and labels change at once.

    `labels` (an iterable of Label) replaces the farm's labels when given;
    `photo` is left alone when absent and removed when "".
    """
    require_producer_manager(updated_by, producer)
    _check_fields(fields)
    farm = Producer.objects.select_for_update().get(pk=producer.pk)
    proposed = {
        field: fields.pop(field) for field in MODERATED_FIELDS if field in fields
    }
    if proposed.get("photo") == "":
        fields["photo"] = proposed.pop("photo")  # taking a photo down needs no review
    if proposed.get("photo") and (errors := upload_errors("photo", proposed["photo"])):
        raise ValidationError(errors)
    if updated_by.is_superuser:
        fields.update(proposed)
    elif proposed:
        submit_profile_change(
            producer=farm,
            submitted_by=updated_by,
            **{**{field: getattr(farm, field) for field in PUBLIC_FIELDS}, **proposed},
        )
    labels = fields.pop("labels", None)
    old_photo = farm.photo.name if farm.photo else ""
    apply_place_edit(
        farm, fields, position_set_by_hand=position_set_by_hand, regeocode=regeocode
    )
    _validate(farm)
    farm.save()
    _save_labels(farm, labels)
    if old_photo and "photo" in fields and farm.photo.name != old_photo:
        storage = farm.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    geocode_on_commit(farm, task=GEOCODE_TASK)
    return farm


def geocode_producer(*, producer_id: int) -> None:
    """Look the farm's address up (see `amap.locations.geocode_place`)."""
    geocode_place(Producer, producer_id, retry_task=GEOCODE_TASK)
