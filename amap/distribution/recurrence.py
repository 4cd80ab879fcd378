"""Expanding a season rule ("every Thursday 18:00–19:30 from April to October")
into the dated order cycles it describes.

Pure: plain dates and times in, plain data out, no ORM and no Django settings.
Errors carry a `code` and the `field` they concern, so a caller can show a
translated message next to the right form field.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_SEASON_DAYS = 366


class SeasonRuleError(ValueError):
    """A rule that cannot make a season; `field` names the faulty input."""

    def __init__(self, code: str, message: str, *, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class SeasonRule:
    weekday: int  # Monday is 0, as in date.weekday()
    start_time: time
    end_time: time
    first_date: date
    last_date: date
    opens_days_before: int
    opens_time: time
    closes_days_before: int
    closes_time: time
    skip_dates: Collection[date] = field(default_factory=frozenset)
    tz: str | ZoneInfo = "Europe/Paris"

    @property
    def zone(self) -> ZoneInfo:
        return self.tz if isinstance(self.tz, ZoneInfo) else ZoneInfo(self.tz)


@dataclass(frozen=True)
class PlannedCycle:
    """One distribution date with its ordering window (aware datetimes)."""

    date: date
    starts_at: time
    ends_at: time
    opens_at: datetime
    closes_at: datetime

    @property
    def start_datetime(self) -> datetime:
        return datetime.combine(self.date, self.starts_at, tzinfo=self.opens_at.tzinfo)


def _check_shape(rule: SeasonRule) -> None:
    if not 0 <= rule.weekday <= 6:
        raise SeasonRuleError(
            "bad_weekday", "Choose a day of the week.", field="weekday"
        )
    if rule.end_time <= rule.start_time:
        raise SeasonRuleError(
            "end_before_start",
            "The distribution must end after it starts.",
            field="end_time",
        )
    if rule.last_date < rule.first_date:
        raise SeasonRuleError(
            "last_before_first",
            "The last date must be after the first date.",
            field="last_date",
        )
    if (rule.last_date - rule.first_date).days > MAX_SEASON_DAYS:
        raise SeasonRuleError(
            "too_long", "A season cannot last more than a year.", field="last_date"
        )
    if rule.opens_days_before < 0:
        raise SeasonRuleError(
            "negative_days",
            "Give a number of days of zero or more.",
            field="opens_days_before",
        )
    if rule.closes_days_before < 0:
        raise SeasonRuleError(
            "negative_days",
            "Give a number of days of zero or more.",
            field="closes_days_before",
        )


def season_dates(rule: SeasonRule) -> list[date]:
    """Every date of the rule's weekday in the range, before skipping any."""
    first = rule.first_date + timedelta(
        days=(rule.weekday - rule.first_date.weekday()) % 7
    )
    count = max(0, (rule.last_date - first).days // 7 + 1)
    return [first + timedelta(weeks=n) for n in range(count)]


def skipped_dates(rule: SeasonRule) -> list[date]:
    """The skip dates that actually remove a distribution from the season."""
    skip = set(rule.skip_dates)
    return [day for day in season_dates(rule) if day in skip]


def plan_season(rule: SeasonRule) -> list[PlannedCycle]:
    """The season's cycles, sorted by date, skipped dates left out.

    Opening and closing times are wall-clock times in the rule's zone, so a
    cycle closing at 20:00 closes at 20:00 local time on either side of a
    daylight-saving change.
    """
    _check_shape(rule)
    zone = rule.zone
    dates = season_dates(rule)
    if not dates:
        raise SeasonRuleError(
            "no_weekday_in_range",
            "There is no such day of the week between these dates.",
            field="last_date",
        )
    skip = set(rule.skip_dates)
    dates = [day for day in dates if day not in skip]
    if not dates:
        raise SeasonRuleError(
            "all_skipped", "Every date of the season is skipped.", field="skip_dates"
        )
    planned = []
    for day in dates:
        starts = datetime.combine(day, rule.start_time, tzinfo=zone)
        opens_at = datetime.combine(
            day - timedelta(days=rule.opens_days_before), rule.opens_time, tzinfo=zone
        )
        closes_at = datetime.combine(
            day - timedelta(days=rule.closes_days_before), rule.closes_time, tzinfo=zone
        )
        if closes_at >= starts:
            raise SeasonRuleError(
                "closes_after_start",
                "Ordering must close before the distribution starts.",
                field="closes_days_before",
            )
        if opens_at >= closes_at:
            raise SeasonRuleError(
                "opens_after_closing",
                "Ordering must open before it closes.",
                field="opens_days_before",
            )
        planned.append(
            PlannedCycle(
                date=day,
                starts_at=rule.start_time,
                ends_at=rule.end_time,
                opens_at=opens_at,
                closes_at=closes_at,
            )
        )
    return planned
