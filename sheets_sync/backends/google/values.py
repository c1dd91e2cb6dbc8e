"""Cell values and A1 ranges between Python and the Sheets API.

Writing uses ``valueInputOption=USER_ENTERED`` so that Google treats dates as dates:
a date goes as an ISO string (2026-12-01), which Google parses in every locale, stores as a
date serial and shows with the cell's date format (a new cell gets one automatically).
Because USER_ENTERED would also turn text into formulas, numbers or dates ("=SUM(A1)",
"+1 555", "1/2"), every text value goes with a leading apostrophe: Google stores the text
as typed and drops the apostrophe. In a batch, JSON null leaves a cell unchanged and ""
clears it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from sheets_sync.a1 import col_index, col_letters
from sheets_sync.dates import serial
from sheets_sync.workbook import CellValue

_RANGE = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^!]+)!)?(?P<a>[A-Z]*)(?P<ar>\d*)(?::(?P<b>[A-Z]*)(?P<br>\d*))?$")


def from_api(value: Any) -> CellValue:
    """A value as batchGet returned it (UNFORMATTED_VALUE): '' is an empty cell (None)."""
    return None if value == "" else value


def to_user_entered(value: CellValue) -> Any:
    """A value for a USER_ENTERED write: text can never become a formula, dates stay dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return ""
        return value
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.replace(tzinfo=None, microsecond=0).isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text else ""


def extended_value(value: CellValue) -> dict[str, Any] | None:
    """An ExtendedValue for updateCells (used by init), or None for an empty cell."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": value}
    if isinstance(value, (dt.date, dt.datetime)):
        return {"numberValue": serial(value)}
    return {"stringValue": str(value)}


def quote_title(title: str) -> str:
    """A sheet title as A1 notation wants it: always quoted, quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


def a1(title: str, first_row: int, first_col: int, last_row: int | None = None, last_col: int | None = None) -> str:
    """'Sheet'!B2:D9 from 1-based bounds (a single cell when no end is given)."""
    start = f"{col_letters(first_col)}{first_row}"
    if last_row is None or last_col is None or (last_row, last_col) == (first_row, first_col):
        return f"{quote_title(title)}!{start}"
    return f"{quote_title(title)}!{start}:{col_letters(last_col)}{last_row}"


def column_range(title: str, col: int, last_col: int | None = None) -> str:
    """'Sheet'!C:C (or C:F): whole columns; the reply's range tells the grid's row count."""
    last = col_letters(last_col or col)
    return f"{quote_title(title)}!{col_letters(col)}:{last}"


def row_range(title: str, row: int) -> str:
    """'Sheet'!3:3: a whole row; the reply's range tells the grid's column count."""
    return f"{quote_title(title)}!{row}:{row}"


def parse_range(text: str) -> tuple[str, int, int, int, int]:
    """(sheet, first_row, first_col, last_row, last_col) of a range a reply names (A1:D10)."""
    match = _RANGE.match(text)
    if not match:
        raise ValueError(f"not an A1 range: {text}")
    sheet = match.group("sheet") or ""
    if sheet.startswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    a, ar = match.group("a"), match.group("ar")
    b, br = match.group("b"), match.group("br")
    if b is None:
        b, br = a, ar
    return (sheet, int(ar or 1), col_index(a) if a else 1, int(br or 0), col_index(b) if b else 0)
