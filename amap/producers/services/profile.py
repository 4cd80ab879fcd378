"""The farm itself: its profile and position, the accounts managing it, and
its partnerships with the network's collectives."""

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
from amap.members.models import Collective, Membership
from amap.members.permissions import organised_collectives, require_organiser

from ..models import Label, Partnership, Producer, ProfileSubmission
from ..permissions import require_producer_manager
from .moderation import MODERATED_FIELDS, PUBLIC_FIELDS, submit_profile_change

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
MAX_PHOTO_SIZE = 5 * 1024 * 1024


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS) - set(POSITION_FIELDS) - {"labels"}
    if unknown:
        raise TypeError(f"Unexpected producer fields: {sorted(unknown)}")


def _validate(producer: Producer) -> None:
    errors = {}
    photo = producer.photo
    if photo and not getattr(photo, "_committed", True) and photo.size > MAX_PHOTO_SIZE:
        errors["photo"] = [_("The photo is too big: 5 MB at most.")]
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
    managers: Iterable,
    collective: Collective | None = None,
    **fields,
) -> Producer:
    """Create a farm managed by `managers`; its position is looked up from the
    address in the background.

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
    managers = list(managers)
    if not managers:
        raise ValidationError(
            {"managers": _("Give at least one account that will manage the farm.")}
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
    producer.managers.set(managers)
    _save_labels(producer, labels)
    if collective is not None:
        is_organiser = (
            Membership.objects.organisers()
            .filter(user=created_by, collective=collective)
            .exists()
        )
        add_partnership(
            producer=producer,
            collective=collective,
            referent=created_by if is_organiser else None,
            added_by=created_by,
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
    (`moderation.submit_profile_change`), except for a superuser or a trusted
    farm. Contact,
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
    new_photo = proposed.get("photo")
    if new_photo and getattr(new_photo, "size", 0) > MAX_PHOTO_SIZE:
        raise ValidationError({"photo": [_("The photo is too big: 5 MB at most.")]})
    if updated_by.is_superuser:
        fields.update(proposed)
    elif proposed:
        submit_profile_change(
            producer=farm,
            submitted_by=updated_by,
            **{**{field: getattr(farm, field) for field in PUBLIC_FIELDS}, **proposed},
        )
        # A trusted farm's change is published at once, on the row: saving
        # `farm` below must not write the old page back.
        farm.refresh_from_db(fields=[*MODERATED_FIELDS, "published_at"])
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


# Partnerships ----------------------------------------------------------------


def _check_referent(referent, collective: Collective) -> None:
    if referent is None:
        return
    if (
        not Membership.objects.organisers()
        .filter(user=referent, collective=collective)
        .exists()
    ):
        raise ValidationError(
            {
                "referent": _(
                    "%(person)s is not an active organiser of %(collective)s; "
                    "choose the référent among its organisers."
                )
                % {"person": referent, "collective": collective.name}
            }
        )


def _locked(partnership: Partnership) -> Partnership:
    return (
        Partnership.objects.select_for_update()
        .select_related("producer", "collective")
        .get(pk=partnership.pk)
    )


@transaction.atomic
def add_partnership(
    *,
    producer: Producer,
    collective: Collective,
    added_by,
    referent=None,
) -> Partnership:
    """`producer` starts supplying `collective`, followed by `referent`."""
    require_organiser(added_by, collective)
    if not producer.active:
        raise ValidationError(
            {
                "producer": _("%(name)s no longer sells through the network.")
                % {"name": producer.name}
            }
        )
    existing = (
        Partnership.objects.select_for_update()
        .filter(producer=producer, collective=collective)
        .first()
    )
    if existing is not None:
        if existing.active:
            message = _("%(producer)s already supplies %(collective)s.")
        else:
            message = _(
                "%(producer)s used to supply %(collective)s: renew that "
                "partnership instead."
            )
        raise ValidationError(
            {
                "producer": message
                % {"producer": producer.name, "collective": collective.name}
            }
        )
    _check_referent(referent, collective)
    return Partnership.objects.create(
        producer=producer,
        collective=collective,
        referent=referent,
        since=timezone.localdate(),
        active=True,
    )


@transaction.atomic
def set_partnership_referent(
    partnership: Partnership, *, referent, changed_by
) -> Partnership:
    """Make `referent` (an active organiser, or None) the partnership's référent."""
    require_organiser(changed_by, partnership.collective)
    partnership = _locked(partnership)
    _check_referent(referent, partnership.collective)
    partnership.referent = referent
    partnership.save(update_fields=["referent"])
    return partnership


@transaction.atomic
def set_partnership_trust(
    partnership: Partnership, *, trusted: bool, changed_by
) -> Partnership:
    """The collective's organisers trust the farm (or no longer do): while
    they do, its changes to its public page and products are published
    without review. An organiser who manages the farm cannot decide it, as
    they cannot review its page."""
    require_organiser(changed_by, partnership.collective)
    partnership = _locked(partnership)
    if partnership.producer.managers.filter(pk=changed_by.pk).exists():
        raise ValidationError(
            _(
                "You manage this farm: another organiser of the collective "
                "decides whether to trust it."
            )
        )
    partnership.trusted = trusted
    partnership.save(update_fields=["trusted"])
    return partnership


@transaction.atomic
def end_partnership(partnership: Partnership, *, ended_by) -> Partnership:
    """The producer stops supplying the collective; the partnership stays on
    record, ended, and can be renewed."""
    require_organiser(ended_by, partnership.collective)
    partnership = _locked(partnership)
    if not partnership.active:
        raise ValidationError(
            _("%(producer)s already no longer supplies %(collective)s.")
            % {
                "producer": partnership.producer.name,
                "collective": partnership.collective.name,
            }
        )
    partnership.active = False
    partnership.save(update_fields=["active"])
    return partnership


@transaction.atomic
def renew_partnership(partnership: Partnership, *, renewed_by) -> Partnership:
    """An ended partnership starts again from today; a référent who no longer
    organises the collective is forgotten."""
    require_organiser(renewed_by, partnership.collective)
    partnership = _locked(partnership)
    names = {
        "producer": partnership.producer.name,
        "collective": partnership.collective.name,
    }
    if partnership.active:
        raise ValidationError(
            _("%(producer)s already supplies %(collective)s.") % names
        )
    if not partnership.producer.active:
        raise ValidationError(
            _("%(producer)s no longer sells through the network.") % names
        )
    partnership.active = True
    partnership.since = timezone.localdate()
    if partnership.referent_id is not None:
        try:
            _check_referent(partnership.referent, partnership.collective)
        except ValidationError:
            partnership.referent = None
    partnership.save(update_fields=["active", "since", "referent"])
    return partnership
