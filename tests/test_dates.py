"""The date systems: one definition of day zero and of serials, Excel's and Google's."""

from __future__ import annotations

import datetime as dt

import pytest

from sheets_sync.dates import date_of, excel_date, excel_serial, serial


@pytest.mark.parametrize(("day", "excel", "true"), [
    (dt.date(1900, 1, 1), 1, 2),
    (dt.date(1900, 2, 28), 59, 60),
    (dt.date(1900, 3, 1), 61, 61),
    (dt.date(2026, 12, 1), 46357, 46357),
])
def test_excel_counts_the_1900_leap_day_that_never_was_and_google_does_not(day: dt.date, excel: int, true: int) -> None:
    assert excel_serial(day, 1900) == excel
    assert serial(day) == true
    assert date_of(true) == day


def test_the_1904_system_has_no_leap_day_bug() -> None:
    assert excel_serial(dt.date(1904, 1, 1), 1904) == serial(dt.date(1904, 1, 1), 1904) == 0
    assert excel_serial(dt.date(2026, 12, 1), 1904) == 46357 - 1462


def test_a_datetime_is_its_wall_clock_time_in_any_zone() -> None:
    noon = dt.datetime(2026, 12, 1, 12, 0)
    assert excel_serial(noon, 1900) == serial(noon) == 46357.5
    # equal instants, different wall clocks: the cache must not give one the other's serial
    utc = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    paris = utc.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert excel_serial(utc, 1900) == 46357.5
    assert excel_serial(paris, 1900) == pytest.approx(46357.5 + 1 / 24)


def test_date_of_gives_a_date_for_whole_serials_and_a_datetime_to_the_second_otherwise() -> None:
    assert type(date_of(46357.0)) is dt.date
    assert date_of(46357.25) == dt.datetime(2026, 12, 1, 6, 0)
    assert date_of(46357.5 + 0.4 / 86400) == dt.datetime(2026, 12, 1, 12, 0)


@pytest.mark.parametrize(("number", "day"), [
    (1, dt.date(1900, 1, 1)), (59, dt.date(1900, 2, 28)), (60, dt.date(1900, 2, 28)),
    (61, dt.date(1900, 3, 1)), (1.5, dt.datetime(1900, 1, 1, 12)),
])
def test_excel_date_reads_serials_as_excel_and_calamine_do(number: float, day: dt.date) -> None:
    assert excel_date(number, 1900) == day
    assert excel_date(number, 1904) == date_of(number, 1904)


def test_excel_serials_round_trip_from_1900_on() -> None:
    day = dt.date(1900, 1, 1)
    while day < dt.date(1900, 4, 1):
        assert excel_date(excel_serial(day, 1900), 1900) == day
        day += dt.timedelta(days=1)
