"""Instalment schedules: pure functions on plain values, no ORM, no I/O."""

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from amap.money import CENT, round_cents


def split_amount(total: Decimal, parts: int) -> list[Decimal]:
    """Split `total` into `parts` amounts in cents that add up exactly to it.

    The total is first rounded to the cent (ROUND_HALF_UP). The cents that do
    not divide evenly go one each to the first instalments, so the result is
    deterministic and never increases along the schedule:
    100.00 in 3 -> 33.34, 33.33, 33.33.
    """
    if parts < 1:
        raise ValueError("parts must be at least 1")
    total = round_cents(total)
    if total < 0:
        raise ValueError("total must not be negative")
    cents = int(total / CENT)
    base, extra = divmod(cents, parts)
    return [
        (Decimal(base + (1 if index < extra else 0)) * CENT).quantize(CENT)
        for index in range(parts)
    ]


def instalment_dates(first: date, parts: int) -> list[date]:
    """Monthly due dates starting on `first`: 31 Jan, 28 (29) Feb, 31 Mar…

    Each date is computed from `first` (`relativedelta` keeps the day, or
    takes the month's last day if it is shorter), so a short month does not
    pull the following dates earlier.
    """
    if parts < 1:
        raise ValueError("parts must be at least 1")
    return [first + relativedelta(months=index) for index in range(parts)]
