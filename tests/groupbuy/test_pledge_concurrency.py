"""Real threads and real transactions on PostgreSQL: a pledge and the close of
its campaign never overlap."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from amap.groupbuy.models import GroupPurchase, Pledge
from amap.groupbuy.services.pledges import pledge
from tests.concurrency import Attempt, wait_until_waiting_on_a_lock
from tests.factories import GroupItemFactory, GroupPurchaseFactory, MembershipFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Row locks (select_for_update) need PostgreSQL and real threads.",
    ),
    pytest.mark.usefixtures("english"),
]


def test_a_pledge_arriving_during_the_close_is_refused_as_closed(collective):
    """The close holds the campaign: the pledge waits, then reads it closed."""
    campaign = GroupPurchaseFactory(collectives=[collective])
    oranges = GroupItemFactory(campaign=campaign, case_size=10)
    member = MembershipFactory(collective=collective).user

    with transaction.atomic():
        closing = GroupPurchase.objects.select_for_update().get(pk=campaign.pk)
        pledger = Attempt(
            lambda: pledge(member=member, item=oranges, quantity=3, tolerance=0)
        )
        pledger.start()
        wait_until_waiting_on_a_lock(1, unless=pledger)
        closing.status = GroupPurchase.Status.CLOSED
        closing.closed_at = timezone.now()
        closing.save(update_fields=["status", "closed_at"])
    pledger.join(timeout=10)

    assert isinstance(pledger.outcome, ValidationError), pledger.outcome
    assert "can no longer change" in pledger.outcome.messages[0]
    assert not Pledge.objects.exists()
