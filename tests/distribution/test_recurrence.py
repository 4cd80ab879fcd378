"""The season rule expansion, without a database."""

from dataclasses import replace
from datetime import UTC, date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from amap.distribution.recurrence import (
    SeasonRule,
    SeasonRuleError,
    plan_season,
    skipped_dates,
)

PARIS = ZoneInfo("Europe/Paris")
THURSDAY = 3


def thursdays(**changes) -> SeasonRule:
    """Every Thursday 18:00–19:30 in spring 2026; orders from Thursday 9:00 the week
    before to Tuesday 20:00."""
    rule = SeasonRule(
        weekday=THURSDAY,
        start_time=time(18, 0),
        end_time=time(19, 30),
        first_date=date(2026, 3, 5),
        last_date=date(2026, 4, 30),
        opens_days_before=7,
        opens_time=time(9, 0),
        closes_days_before=2,
        closes_time=time(20, 0),
    )
    return replace(rule, **changes)


def test_every_date_is_the_weekday_sorted_and_in_range():
    plan = plan_season(thursdays())
    days = [planned.date for planned in plan]
    assert days == sorted(days)
    assert all(day.weekday() == THURSDAY for day in days)
    assert days[0] == date(2026, 3, 5)
    assert days[-1] == date(2026, 4, 30)
    assert len(days) == 9
    assert all(
        (b - a) == timedelta(weeks=1) for a, b in zip(days, days[1:], strict=False)
    )


def test_times_of_a_planned_cycle():
    planned = plan_season(thursdays())[0]
    assert (planned.starts_at, planned.ends_at) == (time(18, 0), time(19, 30))
    assert planned.opens_at == datetime_paris(2026, 2, 26, 9, 0)
    assert planned.closes_at == datetime_paris(2026, 3, 3, 20, 0)
    assert planned.opens_at.tzinfo is not None


def datetime_paris(*args):
    from datetime import datetime

    return datetime(*args, tzinfo=PARIS)


def test_closing_keeps_local_time_across_the_spring_change():
    """Summer time starts on Sunday 29 March 2026: 20:00 stays 20:00 in Paris."""
    plan = {p.date: p for p in plan_season(thursdays())}
    before = plan[date(2026, 3, 26)].closes_at  # Tuesday 24 March, winter time
    after = plan[date(2026, 4, 2)].closes_at  # Tuesday 31 March, summer time
    assert (before.hour, after.hour) == (20, 20)
    assert before.utcoffset() == timedelta(hours=1)
    assert after.utcoffset() == timedelta(hours=2)
    assert before.astimezone(UTC).hour == 19
    assert after.astimezone(UTC).hour == 18


def test_closing_keeps_local_time_across_the_autumn_change():
    """Winter time starts on Sunday 25 October 2026."""
    rule = thursdays(first_date=date(2026, 10, 15), last_date=date(2026, 11, 5))
    plan = {p.date: p for p in plan_season(rule)}
    before = plan[date(2026, 10, 22)]  # closes Tuesday 20 October, summer time
    after = plan[date(2026, 10, 29)]  # closes Tuesday 27 October, winter time
    assert before.closes_at.astimezone(UTC).hour == 18
    assert after.closes_at.astimezone(UTC).hour == 19
    assert before.closes_at.astimezone(PARIS).hour == 20
    assert after.closes_at.astimezone(PARIS).hour == 20
    assert after.start_datetime.astimezone(UTC).hour == 17


def test_opening_window_spanning_the_change_keeps_local_times():
    """Orders open on 26 March (winter) for the 2 April distribution (summer)."""
    planned = {p.date: p for p in plan_season(thursdays())}[date(2026, 4, 2)]
    assert planned.opens_at.astimezone(PARIS).hour == 9
    assert planned.opens_at.utcoffset() == timedelta(hours=1)
    assert planned.closes_at.utcoffset() == timedelta(hours=2)


def test_skipped_dates_are_absent():
    skip = {date(2026, 4, 2), date(2026, 4, 16), date(2026, 4, 17)}
    rule = thursdays(skip_dates=skip)
    days = [p.date for p in plan_season(rule)]
    assert date(2026, 4, 2) not in days
    assert date(2026, 4, 16) not in days
    assert len(days) == 7
    # A Friday in the skip list removes nothing and is not reported as skipped.
    assert skipped_dates(rule) == [date(2026, 4, 2), date(2026, 4, 16)]


def test_first_date_not_on_the_weekday_starts_at_the_next_matching_day():
    rule = thursdays(first_date=date(2026, 3, 6), last_date=date(2026, 3, 31))
    days = [p.date for p in plan_season(rule)]
    assert days == [date(2026, 3, 12), date(2026, 3, 19), date(2026, 3, 26)]


def test_a_one_day_season():
    rule = thursdays(first_date=date(2026, 3, 5), last_date=date(2026, 3, 5))
    assert [p.date for p in plan_season(rule)] == [date(2026, 3, 5)]


def test_accepts_a_zone_object():
    plan = plan_season(thursdays(tz=PARIS))
    assert plan[0].closes_at.tzinfo == PARIS


def refusal(rule) -> SeasonRuleError:
    with pytest.raises(SeasonRuleError) as info:
        plan_season(rule)
    return info.value


def test_refuses_an_end_before_the_start():
    error = refusal(thursdays(end_time=time(17, 0)))
    assert (error.code, error.field) == ("end_before_start", "end_time")
    assert refusal(thursdays(end_time=time(18, 0))).field == "end_time"


def test_refuses_a_last_date_before_the_first():
    error = refusal(thursdays(last_date=date(2026, 3, 1)))
    assert (error.code, error.field) == ("last_before_first", "last_date")


def test_refuses_a_ten_year_season():
    error = refusal(thursdays(last_date=date(2036, 3, 5)))
    assert error.code == "too_long"
    assert error.field == "last_date"
    assert str(error) == "A season cannot last more than a year."


def test_accepts_a_season_of_exactly_one_year():
    rule = thursdays(first_date=date(2026, 3, 5), last_date=date(2027, 3, 4))
    assert len(plan_season(rule)) == 53  # both ends are Thursdays


def test_refuses_closing_after_the_distribution_starts():
    error = refusal(thursdays(closes_days_before=0, closes_time=time(18, 30)))
    assert (error.code, error.field) == ("closes_after_start", "closes_days_before")


def test_accepts_closing_the_same_day_before_the_start():
    plan = plan_season(thursdays(closes_days_before=0, closes_time=time(12, 0)))
    assert plan[0].closes_at == datetime_paris(2026, 3, 5, 12, 0)


def test_refuses_opening_after_closing():
    error = refusal(thursdays(opens_days_before=1))
    assert (error.code, error.field) == ("opens_after_closing", "opens_days_before")
    error = refusal(thursdays(opens_days_before=2, opens_time=time(20, 0)))
    assert error.code == "opens_after_closing"


def test_refuses_negative_days():
    assert refusal(thursdays(opens_days_before=-1)).field == "opens_days_before"
    assert refusal(thursdays(closes_days_before=-3)).field == "closes_days_before"


def test_refuses_a_season_where_every_date_is_skipped():
    rule = thursdays(
        first_date=date(2026, 3, 5),
        last_date=date(2026, 3, 12),
        skip_dates={date(2026, 3, 5), date(2026, 3, 12)},
    )
    error = refusal(rule)
    assert (error.code, error.field) == ("all_skipped", "skip_dates")


def test_refuses_a_range_without_the_weekday():
    error = refusal(thursdays(first_date=date(2026, 3, 6), last_date=date(2026, 3, 10)))
    assert (error.code, error.field) == ("no_weekday_in_range", "last_date")


@pytest.mark.parametrize("weekday", range(7))
def test_every_weekday_over_a_year(weekday):
    rule = thursdays(
        weekday=weekday, first_date=date(2026, 1, 1), last_date=date(2026, 12, 31)
    )
    days = [p.date for p in plan_season(rule)]
    assert all(day.weekday() == weekday for day in days)
    assert days == sorted(set(days))
    assert len(days) in (52, 53)
    assert all(p.closes_at.astimezone(PARIS).hour == 20 for p in plan_season(rule))
