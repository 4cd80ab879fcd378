"""Pledging: every refusal, the pledged_at rule, the whole form at once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from amap.groupbuy.models import GroupPurchase, Pledge
from amap.groupbuy.selectors.pledges import campaign_progress
from amap.groupbuy.services.pledges import pledge, pledge_many
from amap.members.models import Membership
from tests.factories import (
    GroupItemFactory,
    GroupPurchaseFactory,
    MembershipFactory,
    PledgeFactory,
)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def campaign(collective):
    return GroupPurchaseFactory(collectives=[collective], title="Agrumes de Sicile")


@pytest.fixture
def oranges(campaign):
    return GroupItemFactory(
        campaign=campaign,
        name="Oranges",
        case_size=10,
        tiers=[(0, "2.40"), (2, "2.10")],
    )


@pytest.fixture
def lemons(campaign):
    return GroupItemFactory(
        campaign=campaign, name="Citrons", case_size=5, tiers=[(0, "3.00")]
    )


def test_pledge_creates_a_pledge(member, oranges):
    saved = pledge(member=member, item=oranges, quantity=7, tolerance=2)
    assert (saved.quantity, saved.tolerance) == (7, 2)
    assert Pledge.objects.get(member=member, item=oranges).pk == saved.pk


def test_pledge_changes_the_same_row(member, oranges):
    first = pledge(member=member, item=oranges, quantity=7, tolerance=2)
    second = pledge(member=member, item=oranges, quantity=4, tolerance=0)
    assert first.pk == second.pk
    assert Pledge.objects.filter(member=member).count() == 1


def test_withdrawing_keeps_the_row_at_zero(member, oranges):
    pledge(member=member, item=oranges, quantity=7, tolerance=2)
    pledge(member=member, item=oranges, quantity=0, tolerance=0)
    row = Pledge.objects.get(member=member, item=oranges)
    assert (row.quantity, row.tolerance) == (0, 0)


def test_nothing_asked_without_a_pledge_creates_nothing(member, oranges):
    assert pledge(member=member, item=oranges, quantity=0, tolerance=0) is None
    assert not Pledge.objects.exists()


def _aged_pledge(member, item, quantity=5, tolerance=2):
    earlier = timezone.now() - dt.timedelta(hours=3)
    return PledgeFactory(
        member=member,
        item=item,
        quantity=quantity,
        tolerance=tolerance,
        pledged_at=earlier,
    )


@pytest.mark.parametrize(
    ("quantity", "tolerance"), [(6, 2), (5, 3), (6, 0)], ids=["more", "tol", "mixed"]
)
def test_pledged_at_moves_on_any_increase(member, oranges, quantity, tolerance):
    old = _aged_pledge(member, oranges)
    saved = pledge(member=member, item=oranges, quantity=quantity, tolerance=tolerance)
    assert saved.pledged_at > old.pledged_at


@pytest.mark.parametrize(("quantity", "tolerance"), [(4, 2), (5, 0), (5, 2), (0, 0)])
def test_pledged_at_stays_on_a_decrease_or_no_change(
    member, oranges, quantity, tolerance
):
    old = _aged_pledge(member, oranges)
    saved = pledge(member=member, item=oranges, quantity=quantity, tolerance=tolerance)
    assert saved.pledged_at == old.pledged_at


def test_pledge_refuses_a_campaign_not_open_yet(member, campaign, oranges):
    campaign.opens_at = timezone.now() + dt.timedelta(days=1)
    campaign.save()
    with pytest.raises(ValidationError, match="open on"):
        pledge(member=member, item=oranges, quantity=3, tolerance=0)


def test_pledge_refuses_after_the_closing_time(member, campaign, oranges):
    """Status still open, but the deadline passed: the clock decides."""
    campaign.opens_at = timezone.now() - dt.timedelta(days=3)
    campaign.closes_at = timezone.now() - dt.timedelta(minutes=1)
    campaign.save()
    with pytest.raises(ValidationError, match="can no longer change"):
        pledge(member=member, item=oranges, quantity=3, tolerance=0)
    assert not Pledge.objects.exists()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (GroupPurchase.Status.DRAFT, "not open for pledges yet"),
        (GroupPurchase.Status.CLOSED, "can no longer change"),
        (GroupPurchase.Status.ALLOCATED, "can no longer change"),
        (GroupPurchase.Status.CANCELLED, "cancelled"),
    ],
)
def test_pledge_refuses_a_campaign_that_is_not_open(
    member, campaign, oranges, status, message
):
    PledgeFactory(member=member, item=oranges, quantity=4)
    campaign.status = status
    campaign.save()
    with pytest.raises(ValidationError, match=message):
        pledge(member=member, item=oranges, quantity=9, tolerance=0)
    assert Pledge.objects.get(member=member).quantity == 4


def test_pledge_reads_the_status_after_locking(member, campaign, oranges):
    """A stale in-memory campaign (closed meanwhile) does not let a pledge in."""
    stale_item = oranges
    GroupPurchase.objects.filter(pk=campaign.pk).update(
        status=GroupPurchase.Status.CLOSED
    )
    with pytest.raises(ValidationError, match="can no longer change"):
        pledge(member=member, item=stale_item, quantity=3, tolerance=0)


def test_pledge_refuses_a_member_of_another_collective(other_member, oranges):
    with pytest.raises(ValidationError, match="Only active members"):
        pledge(member=other_member, item=oranges, quantity=3, tolerance=0)


def test_pledge_refuses_a_pending_member(collective, oranges):
    pending = MembershipFactory(
        collective=collective, status=Membership.Status.PENDING
    ).user
    with pytest.raises(ValidationError, match="Only active members"):
        pledge(member=pending, item=oranges, quantity=3, tolerance=0)


def test_a_member_of_a_second_collective_of_the_campaign_may_pledge(
    other_member, campaign, oranges, other_collective
):
    campaign.collectives.add(other_collective)
    assert pledge(member=other_member, item=oranges, quantity=3, tolerance=0)


@pytest.mark.parametrize(
    ("quantity", "tolerance", "message"),
    [
        (-1, 0, "cannot be negative"),
        (3, -2, "cannot be negative"),
        (100_001, 0, "not a sensible"),
        (2.5, 0, "whole number"),
        ("abc", 0, "whole number"),
        (None, 0, "whole number"),
        (True, 0, "whole number"),
    ],
)
def test_pledge_refuses_absurd_values(member, oranges, quantity, tolerance, message):
    with pytest.raises(ValidationError, match=message):
        pledge(member=member, item=oranges, quantity=quantity, tolerance=tolerance)
    assert not Pledge.objects.exists()


def test_pledge_refuses_more_than_the_suppliers_stock(member, oranges):
    oranges.max_cases = 3
    oranges.save()
    with pytest.raises(ValidationError, match="at most 30"):
        pledge(member=member, item=oranges, quantity=31, tolerance=0)


def test_pledge_many_saves_every_line(member, campaign, oranges, lemons):
    saved = pledge_many(
        member=member,
        campaign=campaign,
        lines={oranges.pk: (8, 2), lemons.pk: (3, 0)},
    )
    assert {pk: (p.quantity, p.tolerance) for pk, p in saved.items()} == {
        oranges.pk: (8, 2),
        lemons.pk: (3, 0),
    }


def test_pledge_many_is_all_or_nothing(member, campaign, oranges, lemons):
    PledgeFactory(member=member, item=lemons, quantity=2)
    with pytest.raises(ValidationError) as caught:
        pledge_many(
            member=member,
            campaign=campaign,
            lines={oranges.pk: (8, 2), lemons.pk: (-3, 0)},
        )
    assert set(caught.value.error_dict) == {lemons.pk}
    assert "Citrons" in caught.value.error_dict[lemons.pk][0].messages[0]
    assert not Pledge.objects.filter(item=oranges).exists()
    assert Pledge.objects.get(item=lemons).quantity == 2


def test_pledge_many_refuses_an_item_of_another_campaign(member, campaign, oranges):
    elsewhere = GroupItemFactory()
    with pytest.raises(ValidationError, match="not part of this group purchase"):
        pledge_many(
            member=member,
            campaign=campaign,
            lines={oranges.pk: (8, 0), elsewhere.pk: (1, 0)},
        )
    assert not Pledge.objects.exists()


def test_pledge_many_refuses_after_closing(member, campaign, oranges):
    campaign.status = GroupPurchase.Status.CLOSED
    campaign.save()
    with pytest.raises(ValidationError, match="can no longer change"):
        pledge_many(member=member, campaign=campaign, lines={oranges.pk: (8, 0)})


def test_pledge_many_refuses_another_collective(other_member, campaign, oranges):
    with pytest.raises(ValidationError, match="Only active members"):
        pledge_many(member=other_member, campaign=campaign, lines={oranges.pk: (8, 0)})


def test_pledge_many_moves_pledged_at_only_for_raised_lines(
    member, campaign, oranges, lemons
):
    old_oranges = _aged_pledge(member, oranges, quantity=5, tolerance=0)
    old_lemons = _aged_pledge(member, lemons, quantity=5, tolerance=0)
    saved = pledge_many(
        member=member,
        campaign=campaign,
        lines={oranges.pk: (6, 0), lemons.pk: (4, 0)},
    )
    assert saved[oranges.pk].pledged_at > old_oranges.pledged_at
    assert saved[lemons.pk].pledged_at == old_lemons.pledged_at


def test_progress_counts_cases_and_missing_units(member, campaign, oranges):
    PledgeFactory(item=oranges, quantity=14, tolerance=0)
    PledgeFactory(item=oranges, quantity=3, tolerance=2)
    progress = campaign_progress(campaign, member)
    row = progress.rows[0]
    assert row.progress.full_cases == 1
    assert row.progress.missing_units == 3
    assert row.case_percent == 70
    assert row.tolerance_percent == 20
    assert row.allocation.unit_price.compare_total(row.tiers[0].unit_price) == 0


def test_progress_preview_uses_typed_values_without_saving(member, campaign, oranges):
    PledgeFactory(item=oranges, quantity=14, tolerance=0)
    PledgeFactory(member=member, item=oranges, quantity=2, tolerance=0)
    progress = campaign_progress(campaign, member, {oranges.pk: (6, 0)})
    row = progress.rows[0]
    assert row.progress.full_cases == 2
    assert row.units_in_open_case == 0
    assert row.share == 6
    assert str(row.allocation.unit_price) == "2.10"
    assert progress.total == 20 * row.allocation.unit_price
    assert Pledge.objects.get(member=member).quantity == 2


def test_progress_has_a_fixed_number_of_queries(
    campaign, oranges, lemons, member, django_assert_max_num_queries
):
    for n in range(100):
        PledgeFactory(item=oranges, quantity=n % 7, tolerance=n % 3)
        PledgeFactory(item=lemons, quantity=n % 4, tolerance=1)
    with django_assert_max_num_queries(3):
        progress = campaign_progress(campaign, member, {oranges.pk: (3, 1)})
    assert len(progress.rows) == 2
    assert progress.rows[0].progress.base_units == sum(n % 7 for n in range(100)) + 3
