"""Turning raw cell values into typed values, with a plain-English complaint when that fails.

Each parser returns the typed value or raises ``BadValue`` whose message says what is wrong
and how to fix it; the reader turns that into a Problem at the cell.
"""

from __future__ import annotations

import datetime as dt
import re

from sheets_sync.dates import MAX_SERIAL, date_of, serial
from sheets_sync.errors import BadAddress, BadValue
from sheets_sync.model.addresses import check_address

_NUMERIC_DATE = re.compile(r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})\s*$")
_NO_YEAR = re.compile(r"^\s*\d{1,2}[/.\-]\d{1,2}\s*$")
TRUE_WORDS = {"yes", "y", "true", "x", "1", "✓", "✔", "donotemail", "dne", "optout", "on"}
FALSE_WORDS = {"no", "n", "false", "0", "", "off", "-"}
_EXACT = 2**53  # every whole number up to it is a float exactly


def text(value: object) -> str:
    """A cell as trimmed text ('' for empty); whole floats lose their '.0'."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def is_date_like(value: object) -> bool:
    """True for date and datetime values."""
    return isinstance(value, (dt.date, dt.datetime))


def serial_to_date(serial: float, date_system: int = 1900) -> dt.date:
    """A serial day number as a date in the workbook's date system: its whole days, counted
    as true days (a number typed in a date column, not one Excel shows as a date)."""
    if not (0 if date_system == 1904 else 1) <= serial <= MAX_SERIAL:
        raise BadValue(f"{serial:g} is not a date: type a date such as 2026-12-01")
    return date_of(int(serial), date_system)


def date_to_serial(day: dt.date, date_system: int = 1900) -> int:
    """The serial day number of a date in the given date system."""
    return int(serial(day, date_system))


def parse_date(value: object, date_system: int = 1900, order: str = "MDY") -> dt.date | None:
    """A date from a real date, a serial number, or text staff typed; None when blank.

    Text: ISO (2026-12-01), numeric with slashes read in ``order`` (MDY: 12/1/2026 is
    1 Dec; an impossible month such as 25/12/2026 is read the other way round), with dots
    always day first (1.12.2026), and month names (1 Dec 2026, Dec 1, 2026). A date without
    a year is ambiguous and refused.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise BadValue(f"{value} is not a date: type a date such as 2026-12-01")
    if isinstance(value, (int, float)):
        return serial_to_date(float(value), date_system)
    raw = str(value).strip()
    if not raw:
        return None
    if _NO_YEAR.match(raw):
        raise BadValue(f"'{raw}' has no year, so it is ambiguous: type it in full, e.g. 2026-12-01")
    numeric = _NUMERIC_DATE.match(raw)
    if numeric:
        # Dots are the day-first countries' way (1.9.2026 is 1 September): never month first.
        dotted = "." in raw and "/" not in raw and "-" not in raw
        return _numeric_date(raw, *(int(g) for g in numeric.groups()), order="DMY" if dotted else order)
    # Imported here: only a date typed with a month name needs it (start-up time and memory).
    from dateutil import parser as date_parser

    try:
        first = date_parser.parse(raw, default=dt.datetime(2000, 1, 1), fuzzy=False)
        second = date_parser.parse(raw, default=dt.datetime(2001, 2, 2), fuzzy=False)
    except (ValueError, OverflowError, TypeError):
        raise BadValue(f"'{raw}' is not a date anyone can read for sure: type it as 2026-12-01") from None
    if first.year != second.year:
        raise BadValue(f"'{raw}' has no year, so it is ambiguous: type it in full, e.g. 2026-12-01")
    if first.day != second.day or first.month != second.month:
        raise BadValue(f"'{raw}' is not a full date: type it as 2026-12-01")
    return _checked(first.date(), raw)


def _numeric_date(raw: str, a: int, b: int, c: int, *, order: str) -> dt.date:
    if a > 31:  # 2026-12-01 or 2026/12/01: year first is never ambiguous
        year, month, day = a, b, c
    else:
        if c < 100:
            c += 2000 if c < 70 else 1900
        month, day = (a, b) if order.upper() != "DMY" else (b, a)
        year = c
        if month > 12 and day <= 12:
            month, day = day, month
    try:
        parsed = dt.date(year, month, day)
    except ValueError:
        raise BadValue(f"'{raw}' is not a real date: check the day and month (e.g. 12/1/2026 or 2026-12-01)") from None
    return _checked(parsed, raw)


def _checked(day: dt.date, raw: str) -> dt.date:
    if not 1900 <= day.year <= 2200:
        raise BadValue(f"'{raw}' is out of range (year {day.year}): type a date such as 2026-12-01")
    return day


def parse_email(value: object, allow_special_use: bool = True) -> str:
    """An address a mail server takes ('' when blank), by the one rule of ``addresses``:
    syntax, a domain with a dot, ASCII before the @; .local and .test only when
    ``allow_special_use``. No DNS lookups."""
    raw = text(value)
    if not raw:
        return ""
    try:
        return check_address(raw, allow_special_use=allow_special_use)
    except BadAddress as exc:
        raise BadValue(f"{exc}: correct it or clear the cell") from None


def parse_number(value: object) -> float | None:
    """A number from a numeric cell or text like '$3,323.00'; None when blank."""
    if type(value) is float:  # most cells: no other test
        return value
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise BadValue(f"{value} is not an amount: type a number such as 3323.00")
        return None
    if isinstance(value, (int, float)):
        return float(value)
    raw = str(value).strip()
    if not raw:
        return None
    cleaned = re.sub(r"[\s,$€£]", "", raw)
    try:
        return float(cleaned)
    except ValueError:
        raise BadValue(f"'{raw}' is not an amount: type a number such as 3323.00") from None


def parse_int(value: object) -> int | None:
    """A whole number, or None when blank or unreadable (tool columns are rewritten anyway)."""
    if type(value) is int and -_EXACT <= value <= _EXACT:  # most cells: the float it goes through is exact
        return value
    try:
        number = parse_number(value)
    except BadValue:
        return None
    return int(number) if number is not None else None


def parse_bool(value: object) -> bool:
    """Yes/No, True/False, x, 1/0 as a bool; blank is False."""
    if isinstance(value, bool):
        return value
    key = re.sub(r"[^0-9a-z✓✔]", "", text(value).casefold())
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise BadValue(f"'{text(value)}' is not Yes or No: type Yes or leave it blank")


def parse_choice(value: object, choices: tuple[str, ...], aliases: dict[str, str] | None = None) -> str:
    """One of ``choices``, matched ignoring case, spaces and punctuation ('' when blank)."""
    raw = text(value)
    if not raw:
        return ""
    key = re.sub(r"[^0-9a-z]", "", raw.casefold())
    for choice in choices:
        if re.sub(r"[^0-9a-z]", "", choice.casefold()) == key:
            return choice
    if aliases and key in aliases:
        return aliases[key]
    listed = ", ".join(choices)
    raise BadValue(f"'{raw}' is not one of {listed}: pick one from the list")


def parse_id(value: object) -> str:
    """An ID as text: 12.0 becomes '12'; '' when blank."""
    return text(value)
