"""Real threads and real transactions on PostgreSQL: the last places of a
shift, and the sign-up deadline."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from amap.distribution.models import Shift, ShiftAssignment
from amap.distribution.services.shifts import sign_up_for_shift
from tests.concurrency import Attempt, wait_until_waiting_on_a_lock
from tests.factories import (
    DistributionFactory,
    MembershipFactory,
    ShiftFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL"
    ),
]


def test_twelve_members_racing_for_three_places_fill_exactly_three(collective):
    shift = ShiftFactory(
        distribution=DistributionFactory(cycle__collective=collective),
        people_needed=3,
    )
    people = [MembershipFactory(collective=collective).user for _ in range(12)]
    barrier = threading.Barrier(len(people))
    outcomes = []

    def attempt(user):
        try:
            barrier.wait()
            sign_up_for_shift(shift=shift, user=user)
            outcomes.append("signed up")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes).count("signed up") == 3
    assert outcomes.count("refused") == 9
    assert ShiftAssignment.objects.filter(shift=shift).count() == 3


def test_a_sign_up_that_waited_past_the_deadline_is_refused(
    collective, monkeypatch, english
):
    """The sign-up waits on the shift's lock; meanwhile the deadline passes.
    It is checked against the moment it goes through, not when it arrived."""
    shift = ShiftFactory(distribution=DistributionFactory(cycle__collective=collective))
    user = MembershipFactory(collective=collective).user
    past_deadline = shift.distribution.shift_change_deadline - timezone.now()
    clock = {"offset": dt.timedelta(0)}
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock["offset"])

    with transaction.atomic():
        Shift.objects.select_for_update().get(pk=shift.pk)  # the test holds it
        volunteer = Attempt(lambda: sign_up_for_shift(shift=shift, user=user))
        volunteer.start()
        wait_until_waiting_on_a_lock(1, unless=volunteer)
        clock["offset"] = past_deadline + dt.timedelta(minutes=1)
    volunteer.join(timeout=10)

    assert isinstance(volunteer.outcome, ValidationError), volunteer.outcome
    assert "closed on" in volunteer.outcome.messages[0]
    assert not ShiftAssignment.objects.filter(shift=shift).exists()
