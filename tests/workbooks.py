"""Build small real .xlsx files for tests, and read values back, with openpyxl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.datetime import CALENDAR_MAC_1904

D = dt.date
CLIENT_HEADER = ["Client ID", "Name", "Company", "Email", "Phone", "Owner", "Tier", "Status", "Client Since",
                 "Lost On", "Do Not Email", "Notes"]
TASK_HEADER = ["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Opened On", "Status", "Done On"]
TOUCH_HEADER = ["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref"]


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]], *, epoch_1904: bool = False,
                   serial_dates: bool = False) -> Path:
    """Write ``sheets`` (title -> rows). Dates become date cells, or plain serial numbers in
    General-format cells with ``serial_dates`` (as some exports leave them)."""
    wb = openpyxl.Workbook()
    if epoch_1904:
        wb.epoch = CALENDAR_MAC_1904
    wb.remove(wb.active)
    origin = dt.date(1904, 1, 1) if epoch_1904 else dt.date(1899, 12, 30)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            cells = []
            for value in row:
                if serial_dates and isinstance(value, dt.date):
                    value = (value - origin).days
                cells.append(value)
            ws.append(cells)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, (dt.date, dt.datetime)):
                    cell.number_format = "yyyy-mm-dd"
    wb.save(path)
    return path


def read_rows(path: Path, sheet: str) -> list[list[Any]]:
    """Every row of a sheet as values (dates as datetime, as openpyxl gives them)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    return [list(r) for r in wb[sheet].iter_rows(values_only=True)]


def column(path: Path, sheet: str, header: str) -> list[Any]:
    """The values under ``header`` (the header row is found as the row that contains it)."""
    rows = read_rows(path, sheet)
    for index, row in enumerate(rows):
        if header in row:
            col = row.index(header)
            return [r[col] if col < len(r) else None for r in rows[index + 1:]]
    raise KeyError(header)


def as_date(value: Any) -> Any:
    """datetime -> date, for comparisons."""
    return value.date() if isinstance(value, dt.datetime) else value
