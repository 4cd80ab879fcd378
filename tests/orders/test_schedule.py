"""The instalment schedule: pure functions, no database."""

import random
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amap.orders.schedule import instalment_dates, split_amount

D = Decimal


def test_split_amount_gives_the_extra_cents_to_the_first_instalments():
    assert split_amount(D("100.00"), 3) == [D("33.34"), D("33.33"), D("33.33")]
    assert split_amount(D("100.00"), 6) == [D("16.67")] * 4 + [D("16.66")] * 2


def test_split_amount_of_one_cent_in_six():
    assert split_amount(D("0.01"), 6) == [D("0.01")] + [D("0.00")] * 5


def test_split_amount_in_one_part_is_the_total():
    assert split_amount(D("360.00"), 1) == [D("360.00")]


def test_split_amount_of_zero():
    assert split_amount(D("0"), 4) == [D("0.00")] * 4


def test_split_amount_rounds_the_total_to_the_cent_first():
    assert split_amount(D("10.005"), 2) == [D("5.01"), D("5.00")]


@pytest.mark.parametrize("parts", [0, -1])
def test_split_amount_refuses_no_parts(parts):
    with pytest.raises(ValueError):
        split_amount(D("10"), parts)


def test_split_amount_refuses_a_negative_total():
    with pytest.raises(ValueError):
        split_amount(D("-1.00"), 2)


def test_split_amount_adds_up_exactly_over_many_random_cases():
    rng = random.Random(2026)
    for _ in range(5000):
        total = D(rng.randint(0, 10_000_000)) / 100
        parts = rng.choice([1, 2, 3, 4, 6, 7, 10, 12])
        amounts = split_amount(total, parts)
        assert len(amounts) == parts
        assert sum(amounts) == total
        assert max(amounts) - min(amounts) <= D("0.01")
        assert amounts == sorted(amounts, reverse=True)
        assert all(a.as_tuple().exponent == -2 for a in amounts)


@given(
    cents=st.integers(min_value=0, max_value=10**9),
    parts=st.integers(min_value=1, max_value=60),
)
def test_split_amount_property(cents, parts):
    total = D(cents) / 100
    amounts = split_amount(total, parts)
    assert sum(amounts) == total
    assert max(amounts) - min(amounts) <= D("0.01")


def test_instalment_dates_are_monthly():
    assert instalment_dates(date(2026, 11, 5), 3) == [
        date(2026, 11, 5),
        date(2026, 12, 5),
        date(2027, 1, 5),
    ]


def test_instalment_dates_keep_the_day_after_a_short_month():
    assert instalment_dates(date(2027, 1, 31), 4) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 31),
        date(2027, 4, 30),
    ]


def test_instalment_dates_in_a_leap_year():
    assert instalment_dates(date(2028, 1, 30), 2)[1] == date(2028, 2, 29)


def test_instalment_dates_over_ten_months_cross_the_year():
    dates = instalment_dates(date(2026, 9, 15), 10)
    assert dates[-1] == date(2027, 6, 15)
    assert dates == sorted(dates)


def test_instalment_dates_refuse_no_parts():
    with pytest.raises(ValueError):
        instalment_dates(date(2026, 1, 1), 0)
