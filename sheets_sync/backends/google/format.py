"""spreadsheets:batchUpdate requests that lay out a template sheet (init) and draw a chart.

The same look as the Excel template: a bold, frozen header row (grey for the tool's columns,
pale blue for the staff's), a filter over the table, dates in the spreadsheet's own date
format (its locale), amounts with two decimals, dropdowns on choice columns (a warning,
not a refusal, so a person's word still wins), and column widths.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sheets_sync.backends.google.number_formats import number_format_requests
from sheets_sync.backends.google.values import extended_value
from sheets_sync.model.headers import header_row
from sheets_sync.model.layout import TABLES, Column, layout_column, normalize_header
from sheets_sync.model.template import content_header_row
from sheets_sync.workbook import SheetContent

MIN_ROWS = 1000  # Google's own default grid for a new sheet
MIN_COLS = 26
SPARE_ROWS = 500
GREY = {"red": 0.85, "green": 0.85, "blue": 0.85}
PALE_BLUE = {"red": 0.867, "green": 0.922, "blue": 0.969}
DATE_FORMAT = {"type": "DATE"}  # no pattern: the spreadsheet locale's date format
AMOUNT_FORMAT = {"type": "NUMBER", "pattern": "#,##0.00"}
_TABLES = {t.name: t for t in TABLES}


def grid_size(content: SheetContent) -> tuple[int, int]:
    """(rows, columns) for a new sheet holding ``content``, with room to grow."""
    width = max((len(r) for r in content.rows), default=0)
    return max(MIN_ROWS, len(content.rows) + SPARE_ROWS), max(MIN_COLS, width)


def frozen_rows(content: SheetContent) -> int:
    """The header row of a template sheet (frozen), or 0."""
    return content_header_row(content)


def sheet_properties(sheet_id: int, content: SheetContent, index: int | None = None) -> dict[str, Any]:
    """SheetProperties for addSheet / spreadsheets.create."""
    rows, cols = grid_size(content)
    grid: dict[str, Any] = {"rowCount": rows, "columnCount": cols}
    frozen = frozen_rows(content)
    if frozen:
        grid["frozenRowCount"] = frozen
    props: dict[str, Any] = {"sheetId": sheet_id, "title": content.title, "gridProperties": grid}
    if index is not None:
        props["index"] = index
    return props


def _grid(sheet_id: int, r1: int, r2: int, c1: int, c2: int) -> dict[str, int]:
    """A GridRange from 0-based, end-exclusive bounds."""
    return {"sheetId": sheet_id, "startRowIndex": r1, "endRowIndex": r2,
            "startColumnIndex": c1, "endColumnIndex": c2}


def values_request(sheet_id: int, rows: list[list[Any]], top: int = 0, left: int = 0) -> dict[str, Any]:
    """updateCells writing typed values (text is text: never a formula); dates get a date format."""
    row_data = []
    for values in rows:
        cells = []
        for value in values:
            ev = extended_value(value)
            cell: dict[str, Any] = {}
            if ev is not None:
                cell["userEnteredValue"] = ev
            if isinstance(value, (dt.date, dt.datetime)):
                cell["userEnteredFormat"] = {"numberFormat": DATE_FORMAT}
            cells.append(cell)
        row_data.append({"values": cells})
    return {"updateCells": {
        "rows": row_data,
        "start": {"sheetId": sheet_id, "rowIndex": top, "columnIndex": left},
        "fields": "userEnteredValue,userEnteredFormat.numberFormat",
    }}


def content_requests(sheet_id: int, content: SheetContent) -> list[dict[str, Any]]:
    """Values, template formatting and chart for a freshly added sheet."""
    requests = [values_request(sheet_id, content.rows)] if content.rows else []
    requests += table_format_requests(sheet_id, content)
    requests += width_requests(sheet_id, content)
    requests += number_format_requests(sheet_id, content, 0, 0)  # Stats: money and dates
    if content.chart:
        requests.append(chart_request(sheet_id, content.chart))
    return requests


def width_requests(sheet_id: int, content: SheetContent) -> list[dict[str, Any]]:
    """Column widths a sheet written whole asks for (``content.widths``, in characters)."""
    return [{"updateDimensionProperties": {
        "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": col - 1, "endIndex": col},
        "properties": {"pixelSize": round(chars * PIXELS_PER_CHAR + PIXEL_PADDING)},
        "fields": "pixelSize",
    }} for col, chars in sorted(content.widths.items())]


def table_format_requests(sheet_id: int, content: SheetContent) -> list[dict[str, Any]]:
    """Header style, filter, number formats, dropdowns and widths for a template sheet."""
    table = _TABLES.get(content.table or "")
    if table is None:
        return []
    top, found = header_row(content.rows, table)
    if not found:
        return []
    rows, _ = grid_size(content)
    width = max(len(content.rows[top - 1]), 1)
    by_index = {index: table.column(field) for field, index in found.items()}
    requests: list[dict[str, Any]] = [
        {"setBasicFilter": {"filter": {"range": _grid(sheet_id, top - 1, rows, 0, width)}}},
    ]
    for index in range(width):
        column = by_index.get(index)
        requests.append(_header_cell(sheet_id, top, index, column))
        if column is not None:
            requests += _column_requests(sheet_id, column, index, top, rows)
    return requests


def _header_cell(sheet_id: int, top: int, index: int, column: Column | None) -> dict[str, Any]:
    fill = GREY if column is not None and column.tool else PALE_BLUE
    return {"repeatCell": {
        "range": _grid(sheet_id, top - 1, top, index, index + 1),
        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}, "backgroundColor": fill,
                                       "wrapStrategy": "WRAP", "verticalAlignment": "MIDDLE"}},
        "fields": ("userEnteredFormat.textFormat.bold,userEnteredFormat.backgroundColor,"
                   "userEnteredFormat.wrapStrategy,userEnteredFormat.verticalAlignment"),
    }}


def _column_requests(sheet_id: int, column: Column, index: int, top: int, rows: int) -> list[dict[str, Any]]:
    below = _grid(sheet_id, top, rows, index, index + 1)
    requests: list[dict[str, Any]] = [{"updateDimensionProperties": {
        "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": index, "endIndex": index + 1},
        "properties": {"pixelSize": column.width * 7 + 10},
        "fields": "pixelSize",
    }}]
    number_format = DATE_FORMAT if column.kind == "date" else AMOUNT_FORMAT if column.kind == "number" else None
    if number_format is not None:
        requests.append({"repeatCell": {
            "range": below,
            "cell": {"userEnteredFormat": {"numberFormat": number_format}},
            "fields": "userEnteredFormat.numberFormat",
        }})
    if column.choices:
        requests.append({"setDataValidation": {
            "range": below,
            "rule": {
                "condition": {"type": "ONE_OF_LIST",
                              "values": [{"userEnteredValue": choice} for choice in column.choices]},
                "inputMessage": f"{column.header}: one of {', '.join(column.choices)}",
                "strict": False,
                "showCustomUi": True,
            },
        }})
    return requests


def is_date_header(header: str) -> bool:
    """True when ``header`` names a date column of the layout (e.g. 'Last Touch')."""
    wanted = normalize_header(header)
    return any(c.kind == "date" and wanted in c.names() for t in TABLES for c in t.columns)


def date_column_request(sheet_id: int, header_row_number: int, col: int, rows: int) -> dict[str, Any]:
    """repeatCell giving the cells below a new header (1-based) the locale's date format."""
    return {"repeatCell": {
        "range": _grid(sheet_id, header_row_number, max(rows, header_row_number + 1), col - 1, col),
        "cell": {"userEnteredFormat": {"numberFormat": DATE_FORMAT}},
        "fields": "userEnteredFormat.numberFormat",
    }}


TOOL_NOTE = "written by sheets-sync on every run"
PIXELS_PER_CHAR, PIXEL_PADDING = 7, 10


def new_columns_requests(sheet_id: int, header_row: int, first_col: int, headers: list[str],
                         basic_filter: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Requests that make columns added at 1-based ``first_col`` readable, as the Excel
    writer does: a width from the header and the layout's width; the tool's headers on grey
    with a note ("written by sheets-sync on every run"); the sheet's basic filter (as
    spreadsheets.get gave it, criteria and all) grown over them when it reaches the column
    before them."""
    requests: list[dict[str, Any]] = []
    for offset, header in enumerate(headers):
        index = first_col - 1 + offset  # 0-based
        column = layout_column(header)
        chars = max(len(header) + 2, column.width if column is not None else 0)
        requests.append({"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": index, "endIndex": index + 1},
            "properties": {"pixelSize": chars * PIXELS_PER_CHAR + PIXEL_PADDING},
            "fields": "pixelSize",
        }})
        if column is None or not column.tool:
            continue
        cell = _grid(sheet_id, header_row - 1, header_row, index, index + 1)
        requests.append({"repeatCell": {
            "range": cell,
            "cell": {"userEnteredFormat": {"textFormat": {"bold": True}, "backgroundColor": GREY}},
            "fields": "userEnteredFormat.textFormat.bold,userEnteredFormat.backgroundColor",
        }})
        requests.append({"updateCells": {
            "rows": [{"values": [{"note": TOOL_NOTE}]}],
            "start": {"sheetId": sheet_id, "rowIndex": header_row - 1, "columnIndex": index},
            "fields": "note",
        }})
    grid = (basic_filter or {}).get("range")
    if grid and grid.get("startRowIndex", 0) == header_row - 1 and grid.get("endColumnIndex") == first_col - 1:
        grown = dict(basic_filter or {})
        grown["range"] = {**grid, "endColumnIndex": first_col - 1 + len(headers)}
        requests.append({"setBasicFilter": {"filter": grown}})
    return requests


def header_cells_request(sheet_id: int, row: int, first_col: int, headers: list[str]) -> dict[str, Any]:
    """updateCells putting new bold headers at 1-based ``row``, from 1-based ``first_col``."""
    return {"updateCells": {
        "rows": [{"values": [{"userEnteredValue": {"stringValue": h},
                              "userEnteredFormat": {"textFormat": {"bold": True}}} for h in headers]}],
        "start": {"sheetId": sheet_id, "rowIndex": row - 1, "columnIndex": first_col - 1},
        "fields": "userEnteredValue,userEnteredFormat.textFormat.bold",
    }}


def chart_request(sheet_id: int, spec: dict[str, Any]) -> dict[str, Any]:
    """addChart for a SheetContent chart spec (see workbook.SheetContent)."""
    first, last, cat_col = spec["categories"]
    second = spec.get("secondary") or {}
    on_axis = [(ref, spec.get("type"), "LEFT_AXIS") for ref in spec.get("series", [])]
    on_axis += [(ref, second.get("type"), "RIGHT_AXIS") for ref in second.get("series", [])]
    header = min((row for (row, _), _, _ in on_axis), default=first)
    top = min(header, first)
    domain = _grid(sheet_id, top - 1, last, cat_col - 1, cat_col)
    series: list[dict[str, Any]] = []
    for (_, col), kind, axis in on_axis:
        entry = {"series": {"sourceRange": {"sources": [_grid(sheet_id, top - 1, last, col - 1, col)]}},
                 "targetAxis": axis}
        if second:  # a combo chart: each series says how it is drawn
            entry["type"] = "LINE" if kind == "line" else "COLUMN"
        series.append(entry)
    basic: dict[str, Any] = {
        "chartType": "COMBO" if second else "LINE" if spec.get("type") == "line" else "COLUMN",
        "legendPosition": "BOTTOM_LEGEND",
        "headerCount": 1 if top < first else 0,
        "domains": [{"domain": {"sourceRange": {"sources": [domain]}}}],
        "series": series,
    }
    axis_titles = [(position, title) for position, title in (("LEFT_AXIS", spec.get("axis_title")),
                                                              ("RIGHT_AXIS", second.get("axis_title"))) if title]
    if axis_titles:
        basic["axis"] = [{"position": position, "title": title} for position, title in axis_titles]
    row, col = spec.get("anchor", (1, 1))
    return {"addChart": {"chart": {
        "spec": {"title": spec.get("title", ""), "basicChart": basic},
        "position": {"overlayPosition": {"anchorCell": {"sheetId": sheet_id, "rowIndex": row - 1,
                                                        "columnIndex": col - 1}}},
    }}}
