"""The demo group purchases: an open citrus campaign and an allocated coffee one."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from amap.groupbuy.demo import (
    CITRUS,
    COFFEE,
    build_group_purchases,
    remove_demo_group_purchases,
)
from amap.groupbuy.models import GroupPurchase, Payment, Pledge
from tests.factories import DistributionFactory, MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def demo_collective(collective, organiser):
    for days in (5, 14, 21):
        DistributionFactory(
            cycle__collective=collective,
            date=timezone.localdate() + dt.timedelta(days=days),
        )
    for _ in range(25):
        MembershipFactory(collective=collective)
    return collective


def test_build_group_purchases_is_idempotent_and_sends_nothing(
    demo_collective, organiser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = build_group_purchases(
            collectives=[demo_collective], organiser=organiser
        )
    assert {c.title for c in created} == {CITRUS, COFFEE}
    citrus = GroupPurchase.objects.get(title=CITRUS)
    coffee = GroupPurchase.objects.get(title=COFFEE)
    assert citrus.status == GroupPurchase.Status.OPEN
    assert citrus.items.count() == 3
    assert Pledge.objects.filter(item__campaign=citrus).count() == 26
    assert coffee.status == GroupPurchase.Status.ALLOCATED
    assert coffee.items.get().cases_ordered == 4
    assert Payment.objects.filter(campaign=coffee).count() == 6
    assert mail.outbox == []

    counts = (GroupPurchase.objects.count(), Pledge.objects.count())
    assert (
        build_group_purchases(collectives=[demo_collective], organiser=organiser) == []
    )
    assert (GroupPurchase.objects.count(), Pledge.objects.count()) == counts

    remove_demo_group_purchases([demo_collective.slug])
    assert not GroupPurchase.objects.exists()
