"""Number formats for a sheet the tool writes whole (Stats): the Excel codes of
``SheetContent.formats`` as repeatCell requests for the same spreadsheets:batchUpdate.

The Stats blocks below the period table move between runs (a new month is a new row), so a
format cannot be left where the last run put it: one request first clears the number format
of the whole area the sheet held and will hold, then one request per run of cells (down a
column) with the same format sets them. Only this tool-owned sheet is touched.
"""

from __future__ import annotations

from typing import Any

from sheets_sync.workbook import SheetContent

_FIELDS = "userEnteredFormat.numberFormat"


def google_number_format(code: str) -> dict[str, Any]:
    """The Sheets API NumberFormat for an Excel number format code: a date pattern (y, m, d
    and no digit placeholder) is a DATE, a code with a quoted currency symbol CURRENCY, any
    other NUMBER; the pattern is kept as written (Sheets reads the same syntax)."""
    lowered = code.lower()
    if "#" not in code and "0" not in code and any(ch in lowered for ch in "ymd"):
        return {"type": "DATE", "pattern": code}
    return {"type": "CURRENCY" if code.startswith('"') else "NUMBER", "pattern": code}


def _grid(sheet_id: int, top: int, bottom: int, left: int, right: int) -> dict[str, int]:
    """A GridRange from 1-based, inclusive bounds."""
    return {"sheetId": sheet_id, "startRowIndex": top - 1, "endRowIndex": bottom,
            "startColumnIndex": left - 1, "endColumnIndex": right}


def number_format_requests(sheet_id: int, content: SheetContent, rows: int, cols: int) -> list[dict[str, Any]]:
    """repeatCell requests giving ``content``'s cells their formats, after one clearing the
    first ``rows`` x ``cols`` cells (at least the area the sheet held before; [] when the
    sheet asks for no formats and held nothing)."""
    requests: list[dict[str, Any]] = []
    if rows and cols:
        requests.append({"repeatCell": {"range": _grid(sheet_id, 1, rows, 1, cols), "cell": {}, "fields": _FIELDS}})
    for (col, top, bottom), code in _runs(content.formats):
        requests.append({"repeatCell": {
            "range": _grid(sheet_id, top, bottom, col, col),
            "cell": {"userEnteredFormat": {"numberFormat": google_number_format(code)}},
            "fields": _FIELDS,
        }})
    return requests


def _runs(formats: dict[tuple[int, int], str]) -> list[tuple[tuple[int, int, int], str]]:
    """(column, first row, last row) -> format, for each run of cells down a column with the
    same format: a table's money column is one request, not one per cell."""
    runs: list[tuple[tuple[int, int, int], str]] = []
    for (row, col), code in sorted(formats.items(), key=lambda item: (item[0][1], item[0][0])):
        if runs:
            (c, top, bottom), last = runs[-1]
            if c == col and bottom == row - 1 and last == code:
                runs[-1] = ((c, top, row), code)
                continue
        runs.append(((col, row, row), code))
    return runs
