"""What a group purchase allocates shows on the distribution sheet and in
what the member owes, through the orders app's extension points."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from amap.groupbuy.services.lifecycle import close_campaign
from amap.groupbuy.services.payments import record_payment
from amap.orders.selectors.balances import amounts_due_by_member, member_balances
from amap.orders.sheets import distribution_sheet
from tests.factories import (
    DistributionFactory,
    GroupItemFactory,
    GroupPurchaseFactory,
    PledgeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def allocated(collective, organiser, member):
    """Oranges in cases of 10 kg at 2.40 €: the member pledged 10 kg, and the
    campaign was closed and allocated."""
    distribution = DistributionFactory(
        cycle__collective=collective, date=timezone.localdate() + dt.timedelta(days=10)
    )
    campaign = GroupPurchaseFactory(
        collectives=[collective], distribution=distribution, title="Agrumes"
    )
    item = GroupItemFactory(
        campaign=campaign, name="Oranges", case_size=10, tiers=[(0, "2.40")]
    )
    PledgeFactory(item=item, member=member, quantity=10)
    close_campaign(campaign, closed_by=organiser)
    campaign.refresh_from_db()
    assert campaign.status == campaign.Status.ALLOCATED
    return campaign


def test_the_sheet_shows_what_the_member_collects_and_owes(allocated, member):
    sheet = distribution_sheet(allocated.distribution)

    (row,) = sheet.rows
    assert row.member == member
    (group,) = row.producers
    assert group.producer == "Group purchase: Agrumes"
    assert group.text == "Group purchase: Agrumes : Oranges 10\xa0kg"
    assert row.amount_due == Decimal("24.00")
    (total,) = sheet.product_totals
    assert (total.name, total.quantity, total.amount) == (
        "Oranges",
        Decimal("10"),
        Decimal("24.00"),
    )


def test_the_balance_counts_the_campaign_until_it_is_paid(
    allocated, member, organiser, collective
):
    (balance,) = member_balances(member)
    (other,) = balance.others
    assert other.label == "Group purchase: Agrumes"
    assert (balance.total, balance.due) == (Decimal("24.00"), Decimal("24.00"))
    assert amounts_due_by_member(collective, {member.pk}) == {
        member.pk: Decimal("24.00")
    }

    record_payment(
        campaign=allocated,
        member=member,
        amount=Decimal("24.00"),
        method="cash",
        received_by=organiser,
    )

    (balance,) = member_balances(member)
    assert (balance.paid, balance.due) == (Decimal("24.00"), Decimal("0"))
    assert amounts_due_by_member(collective, {member.pk}) == {}
