"""Real threads and real transactions on PostgreSQL: the last places of a shift."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from amap.distribution.models import ShiftAssignment
from amap.distribution.services.shifts import sign_up_for_shift
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
