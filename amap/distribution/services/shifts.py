"""Volunteer shifts (permanences): who holds which slot at a distribution.

Every write locks the shift row before counting its volunteers, so two people
cannot take the last place of a shift at the same time.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from amap.emails import send_templated_email
from amap.members.models import Membership
from amap.members.permissions import can_manage_collective, require_organiser

from ..hooks import sheet_touched_on_commit
from ..models import Distribution, Shift, ShiftAssignment

# Helpers --------------------------------------------------------------------


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _format_moment(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _is_active_member(user, distribution: Distribution) -> bool:
    return (
        Membership.objects.active()
        .filter(user=user, collective_id=distribution.cycle.collective_id)
        .exists()
    )


def _locked_shift(shift: Shift) -> Shift:
    """The shift row, locked until the end of the transaction, with its context."""
    return (
        Shift.objects.select_for_update(of=("self",))
        .select_related("distribution__cycle__collective", "distribution__pickup_point")
        .get(pk=shift.pk)
    )


def _check_times(starts_at: datetime.time, ends_at: datetime.time) -> None:
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The shift must end after it starts.")})


def _check_open_distribution(distribution: Distribution, now) -> None:
    if distribution.cancelled:
        raise ValidationError(_("This distribution has been cancelled."))
    if distribution.end_datetime <= now:
        raise ValidationError(_("This distribution is over."))


def _check_room(shift: Shift) -> None:
    """Refuse when the shift is full; the shift row must already be locked."""
    if shift.assignments.count() >= shift.people_needed:
        raise ValidationError(
            _("This shift is full: %(count)d people are already signed up.")
            % {"count": shift.people_needed}
        )


def _create_assignment(*, shift: Shift, user, assigned_by, already: str):
    if shift.assignments.filter(user=user).exists():
        raise ValidationError(already)
    _check_room(shift)
    try:
        with transaction.atomic():
            return ShiftAssignment.objects.create(
                shift=shift, user=user, assigned_by=assigned_by
            )
    except IntegrityError:
        raise ValidationError(already) from None


# Shifts (organisers) ----------------------------------------------------------


def _save_shift(shift: Shift) -> Shift:
    shift.full_clean()
    shift.save()
    sheet_touched_on_commit(shift.distribution_id)
    return shift


@transaction.atomic
def add_shift(
    *,
    distribution: Distribution,
    role: str,
    starts_at: datetime.time,
    ends_at: datetime.time,
    people_needed: int,
    added_by,
) -> Shift:
    require_organiser(added_by, distribution.cycle.collective)
    if distribution.cancelled:
        raise ValidationError(_("This distribution has been cancelled."))
    _check_times(starts_at, ends_at)
    shift = Shift(
        distribution=distribution,
        role=role.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        people_needed=people_needed,
    )
    return _save_shift(shift)


@transaction.atomic
def update_shift(
    shift: Shift,
    *,
    role: str,
    starts_at: datetime.time,
    ends_at: datetime.time,
    people_needed: int,
    updated_by,
) -> Shift:
    shift = _locked_shift(shift)
    require_organiser(updated_by, shift.distribution.cycle.collective)
    _check_times(starts_at, ends_at)
    signed_up = shift.assignments.count()
    if people_needed is not None and people_needed < signed_up:
        raise ValidationError(
            {
                "people_needed": _(
                    "%(count)d people are already signed up: unassign some of "
                    "them before needing fewer people."
                )
                % {"count": signed_up}
            }
        )
    shift.role = role.strip()
    shift.starts_at = starts_at
    shift.ends_at = ends_at
    shift.people_needed = people_needed
    return _save_shift(shift)


@transaction.atomic
def remove_shift(shift: Shift, *, removed_by) -> None:
    """Delete a shift nobody holds; volunteers must be unassigned first."""
    shift = _locked_shift(shift)
    require_organiser(removed_by, shift.distribution.cycle.collective)
    if shift.assignments.exists():
        raise ValidationError(
            _(
                "Volunteers are signed up for “%(role)s”: unassign them before "
                "removing the shift."
            )
            % {"role": shift.role}
        )
    sheet_touched_on_commit(shift.distribution_id)
    shift.delete()


def _shifted(day: datetime.date, time: datetime.time, minutes: int) -> datetime.time:
    """`time` moved by `minutes`, kept within the same day."""
    moment = datetime.datetime.combine(day, time) + datetime.timedelta(minutes=minutes)
    if moment.date() < day:
        return datetime.time(0, 0)
    if moment.date() > day:
        return datetime.time(23, 59)
    return moment.time()


def standard_shifts(distribution: Distribution) -> list[Shift]:
    """The usual set-up, welcome and tidying shifts of a distribution (unsaved)."""
    day, start, end = distribution.date, distribution.starts_at, distribution.ends_at
    return [
        Shift(
            distribution=distribution,
            role=_("Set-up"),
            starts_at=_shifted(day, start, -15),
            ends_at=_shifted(day, start, 30),
            people_needed=2,
        ),
        Shift(
            distribution=distribution,
            role=_("Welcome and sign-in sheet"),
            starts_at=start,
            ends_at=end,
            people_needed=2,
        ),
        Shift(
            distribution=distribution,
            role=_("Tidying up"),
            starts_at=_shifted(day, end, -15),
            ends_at=_shifted(day, end, 15),
            people_needed=1,
        ),
    ]


@transaction.atomic
def add_standard_shifts(*, distributions: Iterable[Distribution], added_by) -> int:
    """Give each distribution without any shift the standard set.

    Cancelled distributions are skipped. Returns how many distributions got
    shifts; running it twice adds nothing the second time.
    """
    ids = [d.pk for d in distributions]
    locked = list(
        Distribution.objects.select_for_update(of=("self",))
        .select_related("cycle__collective")
        .filter(pk__in=ids, cancelled=False, shifts__isnull=True)
        .order_by("pk")
    )
    for collective in {d.cycle.collective for d in locked}:
        if not can_manage_collective(added_by, collective):
            raise PermissionDenied(_("Only the collective's organisers can do this."))
    Shift.objects.bulk_create(
        [shift for distribution in locked for shift in standard_shifts(distribution)]
    )
    return len(locked)


# Sign-ups -----------------------------------------------------------------


@transaction.atomic
def sign_up_for_shift(*, shift: Shift, user, now=None) -> ShiftAssignment:
    """Sign a member up, before the change deadline and while there is room.

    "Now" is read after the shift's lock: a sign-up that waited for another
    one is checked against the deadline at the moment it goes through.
    """
    shift = _locked_shift(shift)
    now = _now(now)
    distribution = shift.distribution
    if not _is_active_member(user, distribution):
        raise PermissionDenied(
            _("Only active members of %(collective)s can sign up for its shifts.")
            % {"collective": distribution.cycle.collective.name}
        )
    _check_open_distribution(distribution, now)
    deadline = distribution.shift_change_deadline
    if now >= deadline:
        raise ValidationError(
            _(
                "Sign-ups for this shift closed on %(date)s. Please contact the "
                "organisers if you can still help."
            )
            % {"date": _format_moment(deadline)}
        )
    sheet_touched_on_commit(distribution.pk)
    return _create_assignment(
        shift=shift,
        user=user,
        assigned_by=user,
        already=_("You are already signed up for this shift."),
    )


@transaction.atomic
def withdraw_from_shift(*, shift: Shift, user, now=None) -> None:
    """Take a member off a shift before the change deadline ("now" read after
    the shift's lock, as for `sign_up_for_shift`)."""
    shift = _locked_shift(shift)
    now = _now(now)
    assignment = shift.assignments.filter(user=user).first()
    if assignment is None:
        raise ValidationError(_("You are not signed up for this shift."))
    deadline = shift.distribution.shift_change_deadline
    if now >= deadline:
        raise ValidationError(
            _(
                "It is too late to withdraw online: changes closed on %(date)s. "
                "Please contact the organisers so they can find someone else."
            )
            % {"date": _format_moment(deadline)}
        )
    assignment.delete()
    sheet_touched_on_commit(shift.distribution_id)


@transaction.atomic
def assign_to_shift(*, shift: Shift, user, assigned_by) -> ShiftAssignment:
    """An organiser puts a member on a shift, even after the change deadline."""
    shift = _locked_shift(shift)
    distribution = shift.distribution
    require_organiser(assigned_by, distribution.cycle.collective)
    if distribution.cancelled:
        raise ValidationError(_("This distribution has been cancelled."))
    if not _is_active_member(user, distribution):
        raise ValidationError(
            _("%(name)s is not an active member of %(collective)s.")
            % {"name": user, "collective": distribution.cycle.collective.name}
        )
    sheet_touched_on_commit(distribution.pk)
    return _create_assignment(
        shift=shift,
        user=user,
        assigned_by=assigned_by,
        already=_("%(name)s is already signed up for this shift.") % {"name": user},
    )


@transaction.atomic
def unassign_from_shift(*, assignment: ShiftAssignment, unassigned_by) -> None:
    shift = _locked_shift(assignment.shift)
    require_organiser(unassigned_by, shift.distribution.cycle.collective)
    ShiftAssignment.objects.filter(pk=assignment.pk).delete()
    sheet_touched_on_commit(shift.distribution_id)


# Reminders ----------------------------------------------------------------


def send_shift_reminders(now=None) -> int:
    """Email each volunteer of tomorrow's distributions once; return how many.

    Each reminder is claimed by a conditional update before it is sent, in its
    own transaction: a second run, or a second worker, sends nothing again.
    """
    now = _now(now)
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    assignments = list(
        ShiftAssignment.objects.filter(
            reminder_sent_at__isnull=True,
            shift__distribution__date=tomorrow,
            shift__distribution__cancelled=False,
        )
        .select_related(
            "user", "shift__distribution__pickup_point", "shift__distribution__cycle"
        )
        .order_by("pk")
    )
    teammates: dict[int, list] = {}
    for other in ShiftAssignment.objects.filter(
        shift__in={a.shift_id for a in assignments}
    ).select_related("user"):
        teammates.setdefault(other.shift_id, []).append(other.user)
    sent = 0
    for assignment in assignments:
        with transaction.atomic():
            claimed = ShiftAssignment.objects.filter(
                pk=assignment.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if not claimed:
                continue
            _send_reminder(
                assignment,
                others=[
                    u
                    for u in teammates.get(assignment.shift_id, [])
                    if u.pk != assignment.user_id
                ],
            )
        sent += 1
    return sent


def _send_reminder(assignment: ShiftAssignment, *, others: list) -> None:
    shift = assignment.shift
    send_templated_email(
        template="emails/distribution/shift_reminder",
        to=[assignment.user.email],
        context={
            "user": assignment.user,
            "shift": shift,
            "distribution": shift.distribution,
            "pickup_point": shift.distribution.pickup_point,
            "others": sorted(others, key=lambda u: u.get_sort_name()),
            "shifts_url": settings.SITE_URL + reverse("distribution:shift_list"),
        },
    )
