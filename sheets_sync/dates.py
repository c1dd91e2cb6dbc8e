"""The spreadsheet date systems: a date as a serial day number, and the date of a serial.

A serial counts days from the date system's day zero: 1899-12-30 in the 1900 system (Google
Sheets, and Excel by default), 1904-01-01 in Excel's 1904 system. Excel's 1900 system also
counts a 1900-02-29 that never was (Lotus 1-2-3's leap-year bug, kept for compatibility), so
its serials before 61 (1900-03-01) are one more than the true day count: 1900-01-01 is 1,
not 2. ``excel_serial`` and ``excel_date`` follow Excel; ``serial`` and ``date_of`` count
true days, as Google does.
"""

from __future__ import annotations

import datetime as dt
import functools

EPOCHS = {1900: dt.date(1899, 12, 30), 1904: dt.date(1904, 1, 1)}
MAX_SERIAL = 2958465  # 9999-12-31 in the 1900 system
_DAY_ZERO = {system: dt.datetime(day.year, day.month, day.day) for system, day in EPOCHS.items()}
_TRUE_FROM = dt.datetime(1900, 3, 1)  # Excel's serial 61: from here on its 1900 serials are true day counts
_FAKE_LEAP_DAY = 60  # Excel's 1900-02-29; calamine and Excel's own readers show it as 1900-02-28


def serial(value: dt.date, date_system: int = 1900) -> float | int:
    """The serial of a date (an int) or a datetime (its wall-clock time: a cell has no time
    zone), counting true days from the date system's day zero, as Google does."""
    return _serial(_wall_clock(value), date_system, False)


def excel_serial(value: dt.date, date_system: int) -> float | int:
    """``serial`` as Excel counts it: in the 1900 system a day before 1900-03-01 is one more
    (Excel's 1900-02-29 that never was)."""
    return _serial(_wall_clock(value), date_system, True)


def _wall_clock(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # before the cache: one instant in two zones is equal, but not the same wall time
        return value.replace(tzinfo=None)
    return value


@functools.lru_cache(maxsize=50000)  # a big sync writes the same few hundred dates a million times
def _serial(value: dt.date, date_system: int, leap_bug: bool) -> float | int:
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    delta = moment - _DAY_ZERO[date_system]
    if leap_bug and date_system == 1900 and moment < _TRUE_FROM:
        delta -= dt.timedelta(days=1)
    days = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return int(days) if days == int(days) else round(days, 10)


def date_of(number: float, date_system: int = 1900) -> dt.date:
    """The date of a serial counting true days (a whole serial), or its date and time to the
    second (a datetime, which is a date too)."""
    moment = _DAY_ZERO[date_system] + dt.timedelta(days=number)
    return moment.date() if float(number).is_integer() else moment.replace(microsecond=0)


def excel_date(number: float, date_system: int) -> dt.date:
    """``date_of`` as Excel reads a serial: in the 1900 system 1 is 1900-01-01 and 60, the
    day that never was, is shown as 1900-02-28 (as calamine reads it)."""
    if date_system == 1900 and 1 <= number < _FAKE_LEAP_DAY:
        number += 1
    return date_of(number, date_system)
