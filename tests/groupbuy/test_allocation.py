"""The allocation algorithm: the worked examples of docs/group-purchases.md,
then the invariants as hypothesis properties. No database."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from math import ceil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amap.groupbuy.allocation import (
    ItemInput,
    PledgeInput,
    Policy,
    Tier,
    allocate,
    allocate_item,
    campaign_total,
    choose_cases,
    item_progress,
    next_tier,
    share_units,
    tier_price,
)

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANNE, BRUNO, CHLOE, DENIS = 1, 2, 3, 4

ORANGE_TIERS = (
    Tier(min_cases=5, unit_price=Decimal("1.95")),
    Tier(min_cases=0, unit_price=Decimal("2.40")),
    Tier(min_cases=2, unit_price=Decimal("2.10")),
)


def day(n: int) -> datetime:
    return MONDAY + timedelta(days=n)


def oranges(*, with_denis: bool) -> ItemInput:
    pledges = [
        PledgeInput(key=ANNE, quantity=4, tolerance=2, pledged_at=day(0)),
        PledgeInput(key=BRUNO, quantity=3, tolerance=0, pledged_at=day(1)),
        PledgeInput(key=CHLOE, quantity=5, tolerance=3, pledged_at=day(2)),
    ]
    if with_denis:
        pledges.append(
            PledgeInput(key=DENIS, quantity=2, tolerance=4, pledged_at=day(3))
        )
    return ItemInput(key=10, case_size=10, pledges=tuple(pledges), tiers=ORANGE_TIERS)


def olive_oil() -> ItemInput:
    return ItemInput(
        key=20,
        case_size=6,
        max_cases=1,
        tiers=(Tier(min_cases=0, unit_price=Decimal("8.50")),),
        pledges=(
            PledgeInput(key=ANNE, quantity=6, tolerance=0, pledged_at=day(0)),
            PledgeInput(key=BRUNO, quantity=4, tolerance=0, pledged_at=day(1)),
            PledgeInput(key=CHLOE, quantity=3, tolerance=0, pledged_at=day(3)),
        ),
    )


# Worked examples (docs/group-purchases.md) --------------------------------


def test_example_1_one_case_is_short_so_only_base_quantities_are_shared():
    item = oranges(with_denis=False)

    first = allocate_item(item, Policy.FIRST_COME)
    fair = allocate_item(item, Policy.FAIR_SHARE)

    assert first.cases == fair.cases == 1
    assert first.reason == "ok"
    assert first.shares == {ANNE: 4, BRUNO: 3, CHLOE: 3}
    assert fair.shares == {ANNE: 3, BRUNO: 3, CHLOE: 4}
    assert first.unit_price == Decimal("2.40")
    assert first.amount == fair.amount == Decimal("24.00")


def test_example_2_tolerances_complete_a_second_case_and_reach_a_better_price():
    item = oranges(with_denis=True)

    first = allocate_item(item, Policy.FIRST_COME)
    fair = allocate_item(item, Policy.FAIR_SHARE)

    assert first.cases == fair.cases == 2
    assert first.shares == {ANNE: 6, BRUNO: 3, CHLOE: 8, DENIS: 3}
    assert fair.shares == {ANNE: 5, BRUNO: 3, CHLOE: 7, DENIS: 5}
    assert fair.unit_price == Decimal("2.10")
    assert fair.amount == Decimal("42.00")
    assert [fair.amount_for(key) for key in (ANNE, BRUNO, CHLOE, DENIS)] == [
        Decimal("10.50"),
        Decimal("6.30"),
        Decimal("14.70"),
        Decimal("10.50"),
    ]


def test_example_3_a_late_member_gets_something_only_under_fair_share():
    item = olive_oil()

    first = allocate_item(item, Policy.FIRST_COME)
    fair = allocate_item(item, Policy.FAIR_SHARE)

    assert first.cases == fair.cases == 1
    assert first.reason == "capped_by_max"
    assert first.shares == {ANNE: 6, BRUNO: 0, CHLOE: 0}
    assert fair.shares == {ANNE: 3, BRUNO: 2, CHLOE: 1}
    assert fair.amount == Decimal("51.00")


def test_example_minimum_cases_not_reached_orders_nothing():
    item = ItemInput(
        key=30,
        case_size=25,
        min_cases=2,
        pledges=(
            PledgeInput(key=ANNE, quantity=20, tolerance=5, pledged_at=day(0)),
            PledgeInput(key=BRUNO, quantity=10, tolerance=5, pledged_at=day(1)),
        ),
    )

    allocation = allocate_item(item, Policy.FAIR_SHARE)

    assert allocation.cases == 0
    assert allocation.reason == "below_minimum"
    assert allocation.shares == {ANNE: 0, BRUNO: 0}
    assert allocation.amount == Decimal("0.00")


def test_tolerances_alone_can_fill_a_whole_extra_case():
    """Base quantities fill one case exactly; tolerances fill a second."""
    item = ItemInput(
        key=40,
        case_size=10,
        pledges=(
            PledgeInput(key=ANNE, quantity=6, tolerance=6, pledged_at=day(0)),
            PledgeInput(key=BRUNO, quantity=4, tolerance=6, pledged_at=day(1)),
        ),
    )

    assert choose_cases(item) == 2
    assert share_units(item, 2, Policy.FIRST_COME) == {ANNE: 12, BRUNO: 8}
    assert share_units(item, 2, Policy.FAIR_SHARE) == {ANNE: 11, BRUNO: 9}


def test_fair_share_ties_go_to_the_earlier_pledge_then_the_smaller_key():
    """Three pledges of 1 unit for a case of 2: equal remainders."""
    pledges = (
        PledgeInput(key=7, quantity=1, tolerance=0, pledged_at=day(1)),
        PledgeInput(key=9, quantity=1, tolerance=0, pledged_at=day(0)),
        PledgeInput(key=5, quantity=1, tolerance=0, pledged_at=day(1)),
    )
    item = ItemInput(key=1, case_size=2, pledges=pledges)

    assert share_units(item, 1, Policy.FAIR_SHARE) == {5: 1, 7: 0, 9: 1}
    assert share_units(item, 1, Policy.FIRST_COME) == {5: 1, 7: 0, 9: 1}


def test_tolerances_never_start_an_order_without_base_quantities():
    item = ItemInput(
        key=50,
        case_size=5,
        pledges=(PledgeInput(key=ANNE, quantity=0, tolerance=10, pledged_at=day(0)),),
    )

    allocation = allocate_item(item, Policy.FIRST_COME)

    assert allocation.cases == 0
    assert allocation.reason == "no_pledges"
    assert allocation.shares == {ANNE: 0}


def test_pledges_that_fill_no_case_order_nothing():
    item = ItemInput(
        key=1,
        case_size=10,
        pledges=(PledgeInput(key=ANNE, quantity=5, tolerance=3, pledged_at=day(0)),),
    )

    allocation = allocate_item(item, Policy.FIRST_COME)

    assert (allocation.cases, allocation.reason) == (0, "ok")
    assert allocation.shares == {ANNE: 0}
    assert item_progress(item).missing_units == 5


def test_an_item_without_pledges_orders_nothing():
    allocation = allocate_item(ItemInput(key=1, case_size=6, pledges=()), "fair_share")

    assert (allocation.cases, allocation.reason, allocation.shares) == (
        0,
        "no_pledges",
        {},
    )
    assert allocation.unit_price is None
    assert allocation.amount == Decimal("0.00")


def test_campaign_total_adds_every_item():
    allocations = allocate(
        [oranges(with_denis=True), olive_oil()], policy=Policy.FAIR_SHARE
    )

    assert [a.key for a in allocations] == [10, 20]
    assert campaign_total(allocations) == Decimal("93.00")
    assert campaign_total([]) == Decimal("0.00")


def test_item_progress_shows_what_is_missing_and_the_next_tier():
    progress = item_progress(oranges(with_denis=True))

    assert progress.base_units == 14
    assert progress.max_units == 23
    assert progress.full_cases == 1
    assert progress.missing_units == 6
    assert progress.tolerance_cases == 2
    assert progress.cases == 2
    assert progress.unit_price == Decimal("2.10")
    assert progress.next_tier == Tier(min_cases=5, unit_price=Decimal("1.95"))
    assert progress.cases_to_next_tier == 3


def test_item_progress_hides_a_tier_beyond_the_suppliers_stock():
    item = ItemInput(
        key=1,
        case_size=10,
        max_cases=3,
        tiers=ORANGE_TIERS,
        pledges=(PledgeInput(key=ANNE, quantity=20, tolerance=0, pledged_at=day(0)),),
    )

    progress = item_progress(item)

    assert (progress.full_cases, progress.missing_units) == (2, 10)
    assert progress.next_tier is None
    assert progress.cases_to_next_tier is None


# Prices ----------------------------------------------------------------


def test_tier_price_applies_the_highest_tier_reached_whatever_the_order():
    assert tier_price(ORANGE_TIERS, 0) == Decimal("2.40")
    assert tier_price(ORANGE_TIERS, 1) == Decimal("2.40")
    assert tier_price(ORANGE_TIERS, 2) == Decimal("2.10")
    assert tier_price(ORANGE_TIERS, 4) == Decimal("2.10")
    assert tier_price(ORANGE_TIERS, 25) == Decimal("1.95")
    assert tier_price((), 3) is None


def test_tier_price_is_none_below_the_first_tier_without_a_base_price():
    tiers = (Tier(min_cases=10, unit_price=Decimal("2.10")),)

    assert tier_price(tiers, 9) is None
    assert tier_price(tiers, 10) == Decimal("2.10")
    assert next_tier(tiers, 9) == tiers[0]


def test_next_tier_is_the_nearest_better_price():
    assert next_tier(ORANGE_TIERS, 0) == Tier(2, Decimal("2.10"))
    assert next_tier(ORANGE_TIERS, 3) == Tier(5, Decimal("1.95"))
    assert next_tier(ORANGE_TIERS, 5) is None
    assert next_tier((), 0) is None


# Bad input -------------------------------------------------------------


def test_inputs_refuse_what_cannot_be_allocated():
    with pytest.raises(ValueError):
        PledgeInput(key=1, quantity=-1, tolerance=0, pledged_at=MONDAY)
    with pytest.raises(ValueError):
        ItemInput(key=1, case_size=0, pledges=())
    with pytest.raises(ValueError):
        ItemInput(
            key=1,
            case_size=1,
            pledges=(
                PledgeInput(key=1, quantity=1, tolerance=0, pledged_at=MONDAY),
                PledgeInput(key=1, quantity=2, tolerance=0, pledged_at=MONDAY),
            ),
        )
    with pytest.raises(ValueError):
        share_units(oranges(with_denis=False), 2, Policy.FAIR_SHARE)
    with pytest.raises(ValueError):
        allocate([olive_oil(), olive_oil()], Policy.FIRST_COME)


# Properties ------------------------------------------------------------

PROPERTY = settings(max_examples=200, deadline=None)


@st.composite
def items(draw) -> ItemInput:
    count = draw(st.integers(min_value=0, max_value=8))
    keys = draw(
        st.lists(
            st.integers(min_value=1, max_value=1000),
            min_size=count,
            max_size=count,
            unique=True,
        )
    )
    pledges = tuple(
        PledgeInput(
            key=key,
            quantity=draw(st.integers(min_value=0, max_value=15)),
            tolerance=draw(st.integers(min_value=0, max_value=10)),
            # Few distinct times, so ties on pledged_at are common.
            pledged_at=MONDAY + timedelta(hours=draw(st.integers(0, 3))),
        )
        for key in keys
    )
    min_cases = draw(st.integers(min_value=0, max_value=4))
    max_cases = draw(st.none() | st.integers(min_value=min_cases, max_value=8))
    return ItemInput(
        key=draw(st.integers(min_value=1, max_value=100)),
        case_size=draw(st.integers(min_value=1, max_value=12)),
        pledges=pledges,
        min_cases=min_cases,
        max_cases=max_cases,
        tiers=draw(
            st.lists(
                st.builds(
                    Tier,
                    min_cases=st.integers(min_value=0, max_value=8),
                    unit_price=st.decimals(
                        min_value=Decimal("0.01"), max_value=Decimal("50"), places=2
                    ),
                ),
                max_size=3,
                unique_by=lambda tier: tier.min_cases,
            ).map(tuple)
        ),
    )


policies = st.sampled_from(Policy)


def pledge_order(item: ItemInput) -> list[PledgeInput]:
    return sorted(item.pledges, key=lambda p: (p.pledged_at, p.key))


@PROPERTY
@given(items(), policies)
def test_nobody_gets_more_than_quantity_plus_tolerance(item, policy):
    shares = allocate_item(item, policy).shares

    assert set(shares) == {p.key for p in item.pledges}
    for pledge in item.pledges:
        assert 0 <= shares[pledge.key] <= pledge.quantity + pledge.tolerance


@PROPERTY
@given(items(), policies)
def test_units_allocated_equal_cases_times_case_size(item, policy):
    allocation = allocate_item(item, policy)

    assert allocation.units == allocation.cases * item.case_size


@PROPERTY
@given(items(), policies)
def test_everyone_gets_their_base_when_the_cases_cover_it(item, policy):
    allocation = allocate_item(item, policy)

    if allocation.units >= item.base_units:
        for pledge in item.pledges:
            assert allocation.shares[pledge.key] >= pledge.quantity


@PROPERTY
@given(items(), policies)
def test_nobody_is_cut_below_base_while_another_gets_tolerance(item, policy):
    shares = allocate_item(item, policy).shares

    cut = [p for p in item.pledges if shares[p.key] < p.quantity]
    topped_up = [p for p in item.pledges if shares[p.key] > p.quantity]
    assert not (cut and topped_up)


@PROPERTY
@given(items(), policies, st.randoms(use_true_random=False))
def test_same_pledges_in_any_order_give_the_same_result(item, policy, random):
    shuffled = list(item.pledges)
    random.shuffle(shuffled)
    again = ItemInput(
        key=item.key,
        case_size=item.case_size,
        pledges=tuple(shuffled),
        min_cases=item.min_cases,
        max_cases=item.max_cases,
        tiers=tuple(reversed(item.tiers)),
    )

    first = allocate_item(item, policy)
    assert allocate_item(again, policy) == first
    assert list(allocate_item(again, policy).shares.items()) == list(
        first.shares.items()
    )


def reference_cases(item: ItemInput) -> int:
    """The documented rule, spelt out: enough cases for the base quantities
    (fewer if the pledges cannot fill them), then each further case only
    when the tolerances left fill it completely."""
    if item.base_units == 0:
        return 0
    cases = ceil(item.base_units / item.case_size)
    while cases * item.case_size > item.max_units:
        cases -= 1
    while (cases + 1) * item.case_size <= item.max_units:
        cases += 1
    if item.max_cases is not None:
        cases = min(cases, item.max_cases)
    return cases if cases >= item.min_cases else 0


@PROPERTY
@given(items())
def test_cases_follow_the_documented_rule(item):
    allocation = allocate_item(item, Policy.FAIR_SHARE)
    cases = allocation.cases

    assert cases == choose_cases(item) == reference_cases(item)
    assert cases * item.case_size <= item.max_units
    assert item.max_cases is None or cases <= item.max_cases
    assert cases == 0 or cases >= item.min_cases
    fillable = item.max_units // item.case_size
    capped = item.max_cases is not None and fillable > item.max_cases
    if item.base_units == 0:
        expected_reason = "no_pledges"
    elif (item.max_cases if capped else fillable) < item.min_cases:
        expected_reason = "below_minimum"
    elif capped:
        expected_reason = "capped_by_max"
    else:
        expected_reason = "ok"
    assert allocation.reason == expected_reason


@PROPERTY
@given(items())
def test_first_come_serves_pledges_in_order(item):
    """Once a pledge is not fully served, later ones get nothing more
    (in a shortage: nothing; otherwise: their base only)."""
    allocation = allocate_item(item, Policy.FIRST_COME)
    shortage = allocation.units < item.base_units
    someone_cut = False
    for pledge in pledge_order(item):
        share = allocation.shares[pledge.key]
        if someone_cut:
            assert share == (0 if shortage else pledge.quantity)
        wanted = pledge.quantity if shortage else pledge.max_units
        someone_cut = someone_cut or share < wanted


@PROPERTY
@given(items())
def test_fair_share_stays_within_one_unit_of_the_exact_pro_rata(item):
    allocation = allocate_item(item, Policy.FAIR_SHARE)
    units = allocation.units
    if units < item.base_units:
        total, extra = item.base_units, units
        wants = {p.key: p.quantity for p in item.pledges}
        offset = dict.fromkeys(wants, 0)
    else:
        total = sum(p.tolerance for p in item.pledges)
        extra = units - item.base_units
        wants = {p.key: p.tolerance for p in item.pledges}
        offset = {p.key: p.quantity for p in item.pledges}
    for key, want in wants.items():
        got = allocation.shares[key] - offset[key]
        exact = Decimal(extra * want) / total if total else Decimal(0)
        assert exact - 1 < got < exact + 1
    for a in item.pledges:
        for b in item.pledges:
            if wants[a.key] > wants[b.key]:
                assert allocation.shares[a.key] - offset[a.key] >= (
                    allocation.shares[b.key] - offset[b.key]
                )


@PROPERTY
@given(items(), policies)
def test_amounts_are_units_at_the_tier_price_in_cents(item, policy):
    allocation = allocate_item(item, policy)

    assert allocation.unit_price == tier_price(item.tiers, allocation.cases)
    if allocation.unit_price is None:
        assert allocation.amount == 0
    else:
        assert allocation.amount == allocation.units * allocation.unit_price
        assert allocation.amount == sum(
            allocation.amount_for(key) for key in allocation.shares
        )
    assert campaign_total([allocation, allocation]) == 2 * allocation.amount


@PROPERTY
@given(items())
def test_progress_figures_agree_with_the_allocation(item):
    progress = item_progress(item)
    size = item.case_size

    assert progress.cases == choose_cases(item)
    assert progress.full_cases * size <= progress.base_units
    assert (
        progress.base_units + progress.missing_units == (progress.full_cases + 1) * size
    )
    assert progress.tolerance_cases * size <= progress.max_units
    assert progress.tolerance_cases >= progress.cases
    if progress.next_tier is not None:
        assert progress.cases_to_next_tier > 0
        assert progress.next_tier.min_cases == progress.cases + (
            progress.cases_to_next_tier
        )
        if progress.unit_price is not None:
            assert progress.next_tier.unit_price < progress.unit_price
