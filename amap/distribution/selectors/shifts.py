"""Reads for volunteer shifts: the member's list, a distribution's shifts
and a collective's coverage, each in a fixed number of queries."""

import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from ..models import Distribution, Shift
from ..permissions import member_distributions

SHIFT_LIST_WEEKS = 8


def _decorate_shift(shift: Shift, *, user, now) -> Shift:
    """Attach what the pages show: counts, names, whether the user may change."""
    assignments = list(shift.assignments.all())
    shift.volunteers = sorted(
        (a.user for a in assignments), key=lambda u: u.get_sort_name()
    )
    shift.volunteer_count = len(assignments)
    shift.missing = max(shift.people_needed - len(assignments), 0)
    shift.is_full = shift.missing == 0
    shift.is_mine = user is not None and any(a.user_id == user.pk for a in assignments)
    deadline = shift.distribution.shift_change_deadline
    shift.change_deadline = deadline
    shift.changes_closed = now >= deadline
    return shift


def member_upcoming_shifts(user, *, now=None, weeks: int = SHIFT_LIST_WEEKS):
    """The coming distributions with shifts in the user's collectives.

    Returns (distributions, my_shifts): each distribution carries `shift_rows`,
    each shift its volunteers and state. Four queries, whatever the numbers.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    distributions = list(
        member_distributions(user)
        .active()
        .between(today, today + datetime.timedelta(weeks=weeks))
        .filter(Exists(Shift.objects.filter(distribution=OuterRef("pk"))))
        .select_related("cycle__collective", "pickup_point")
        .with_shifts()
        .order_by("date", "starts_at", "pickup_point__name")
    )
    my_shifts = []
    for distribution in distributions:
        distribution.shift_rows = []
        for shift in distribution.shifts.all():
            shift.distribution = distribution
            _decorate_shift(shift, user=user, now=now)
            distribution.shift_rows.append(shift)
            if shift.is_mine:
                my_shifts.append(shift)
    return distributions, my_shifts


def distribution_shift_rows(distribution: Distribution, *, now=None) -> list[Shift]:
    """The shifts of one distribution with their volunteers (two queries)."""
    now = now or timezone.now()
    rows = []
    for shift in distribution.shifts.order_by("starts_at", "role").prefetch_related(
        "assignments__user"
    ):
        shift.distribution = distribution
        _decorate_shift(shift, user=None, now=now)
        shift.assignment_rows = sorted(
            shift.assignments.all(), key=lambda a: a.user.get_sort_name()
        )
        rows.append(shift)
    return rows


def shift_coverage(collective, *, weeks: int, today=None) -> list[Distribution]:
    """Coming distributions of a collective, those lacking people first.

    Each carries `missing` (people still needed) and `coverage` ("missing",
    "no_shifts" or "covered"). One query.
    """
    today = today or timezone.localdate()
    distributions = list(
        Distribution.objects.for_collective(collective)
        .active()
        .between(today, today + datetime.timedelta(weeks=weeks))
        .with_details()
        .order_by("date", "starts_at", "pickup_point__name")
    )
    order = {"missing": 0, "no_shifts": 1, "covered": 2}
    for distribution in distributions:
        distribution.missing = max(
            distribution.people_needed - distribution.volunteers, 0
        )
        if distribution.people_needed == 0:
            distribution.coverage = "no_shifts"
        elif distribution.missing:
            distribution.coverage = "missing"
        else:
            distribution.coverage = "covered"
    # sorted() is stable: dates stay in order within each group.
    return sorted(distributions, key=lambda d: order[d.coverage])
