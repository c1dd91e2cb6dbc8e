"""Business-day arithmetic: weekends and the Holidays setting are not business days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

ONE_DAY = dt.timedelta(days=1)


def is_business_day(day: dt.date, holidays: Collection[dt.date] = ()) -> bool:
    """True for Monday to Friday, unless the day is a holiday."""
    return day.weekday() < 5 and day not in holidays


def on_or_after(day: dt.date, holidays: Collection[dt.date] = ()) -> dt.date:
    """The first business day on or after ``day``."""
    while not is_business_day(day, holidays):
        day += ONE_DAY
    return day


def add_business_days(day: dt.date, count: int, holidays: Collection[dt.date] = ()) -> dt.date:
    """The business day ``count`` business days after ``day`` (before it when negative)."""
    step = ONE_DAY if count >= 0 else -ONE_DAY
    remaining = abs(count)
    while remaining:
        day += step
        if is_business_day(day, holidays):
            remaining -= 1
    return day
