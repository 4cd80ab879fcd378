"""Absences: a member will not collect at a distribution, and says what
becomes of their basket (given to a member, to the solidarity pool, kept)."""

from datetime import datetime
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amap.distribution.models import Distribution
from amap.history import changed_by
from amap.members.models import Membership
from amap.members.permissions import can_manage_collective

from ..models import Absence
from .documents import touch_distribution_sheets


def too_late_message() -> str:
    return _("It is too late to change: tell the organisers.")


def absence_deadline(distribution: Distribution) -> datetime:
    """Absences are announced until the distribution's order cycle closes."""
    return distribution.cycle.closes_at


def can_still_change(distribution: Distribution, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    cycle = distribution.cycle
    return (
        not distribution.cancelled
        and cycle.closed_at is None
        and now < absence_deadline(distribution)
    )


def _is_active_member(user, collective_id) -> bool:
    return (
        Membership.objects.active()
        .filter(user=user, collective_id=collective_id)
        .exists()
    )


@transaction.atomic
def record_absence(
    *,
    member,
    distribution: Distribution,
    fate: str,
    given_to=None,
    note: str = "",
) -> Absence:
    """Record that `member` will not collect at `distribution`.

    Refused after the cycle's deadline (`closes_at`), for a cancelled
    distribution, for someone who is not an active member of the collective,
    and twice for the same distribution (a partial unique constraint backs
    this against double submits).
    """
    distribution = Distribution.objects.select_related("cycle").get(pk=distribution.pk)
    collective_id = distribution.cycle.collective_id
    if not _is_active_member(member, collective_id):
        raise ValidationError(_("Only members of the collective can do this."))
    if not can_still_change(distribution):
        raise ValidationError(too_late_message())
    if fate not in Absence.Fate.values:
        raise ValidationError({"fate": _("Choose what becomes of your basket.")})
    if fate == Absence.Fate.GIVEN:
        if given_to is None:
            raise ValidationError(
                {"given_to": _("Choose the member you give your basket to.")}
            )
        if given_to.pk == member.pk:
            raise ValidationError(
                {"given_to": _("You cannot give your basket to yourself.")}
            )
        if not _is_active_member(given_to, collective_id):
            raise ValidationError(
                {
                    "given_to": _("%(name)s is not a member of the collective.")
                    % {"name": given_to}
                }
            )
    else:
        given_to = None
    if Absence.objects.filter(
        member=member, distribution=distribution, cancelled_at__isnull=True
    ).exists():
        raise ValidationError(
            _("You have already said you will be absent at this distribution.")
        )
    absence = Absence(
        member=member,
        distribution=distribution,
        fate=fate,
        given_to=given_to,
        note=note.strip(),
    )
    absence.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            absence.save()
    except IntegrityError:
        raise ValidationError(
            _("You have already said you will be absent at this distribution.")
        ) from None
    transaction.on_commit(partial(touch_distribution_sheets, [distribution.pk]))
    return absence


@transaction.atomic
def cancel_absence(absence: Absence, *, cancelled_by) -> Absence:
    """Withdraw an absence: its member before the deadline, an organiser of
    the collective at any time. The row stays, with `cancelled_at` set."""
    absence = (
        Absence.objects.select_for_update()
        .select_related("distribution__cycle")
        .get(pk=absence.pk)
    )
    distribution = absence.distribution
    if not can_manage_collective(cancelled_by, distribution.cycle.collective):
        if cancelled_by is None or cancelled_by.pk != absence.member_id:
            raise PermissionDenied(_("You cannot change this absence."))
        if not can_still_change(distribution):
            raise ValidationError(too_late_message())
    if absence.cancelled_at is not None:
        raise ValidationError(_("This absence is already cancelled."))
    absence.cancelled_at = timezone.now()
    changed_by(absence, cancelled_by)
    absence.save(update_fields=["cancelled_at"])
    transaction.on_commit(partial(touch_distribution_sheets, [distribution.pk]))
    return absence
