"""The template workbook, independent of the backend: which sheets, headers and Settings rows.

``init`` writes these sheets into a new Excel file or Google spreadsheet; ``init --into``
adds only what an existing workbook lacks (``missing_parts``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sheets_sync.model import values as v
from sheets_sync.model.header_match import unmapped_identifiers
from sheets_sync.model.headers import find_sheet, header_row
from sheets_sync.model.layout import CLIENTS, STAFF, TABLES, Table
from sheets_sync.model.settings import SPECS, SettingSpec
from sheets_sync.workbook import CellValue, SheetContent, WorkbookData


def table_headers(table: Table) -> list[str]:
    """The headers the template writes for ``table``: layout order, tool columns last."""
    return [c.header for c in table.columns if not c.tool] + [c.header for c in table.tool_columns]


def setting_value(spec: SettingSpec) -> CellValue:
    """A setting's default as the Settings sheet shows it (lists and dates as "2, 5, 9", yes/no
    as Yes or No)."""
    default = spec.default
    if isinstance(default, bool):
        return "Yes" if default else "No"
    if isinstance(default, (tuple, list)):
        text = ", ".join(d.isoformat() if isinstance(d, dt.date) else str(d) for d in default)
        return text or None
    if isinstance(default, dt.date):
        return default.isoformat()
    if default == "":
        return None
    return default


def settings_rows(start_date: dt.date | None = None) -> list[list[CellValue]]:
    """One row per known setting: label, default value, plain-English note; the Start date
    row holds ``start_date`` (the day ``init`` ran) when given."""
    return [[spec.label, start_date if spec.key == "start_date" and start_date else setting_value(spec), spec.note]
            for spec in SPECS]


def template_sheets(include_sample: Sequence[SheetContent] | None = None,
                    start_date: dt.date | None = None) -> list[SheetContent]:
    """The template sheets (Clients, Tasks, Touches, Settings, Sales), in that order.

    Each has ``table`` set and ``rows[0]`` = its headers; Settings also holds one row per
    setting with its default (the Start date: ``start_date``, else blank). When
    ``include_sample`` is given (``sample.sample_sheets``), a sample sheet replaces the
    empty template sheet of the same table; a sample sheet may have a title above its header
    row (find it with ``content_header_row``).
    """
    sample = {s.table: s for s in include_sample or ()}
    sheets = []
    for table in TABLES:
        if table.name in sample:
            sheets.append(sample[table.name])
            continue
        rows: list[list[CellValue]] = [table_headers(table)]
        if table.name == "settings":
            rows += settings_rows(start_date)
        sheets.append(SheetContent(title=table.title, rows=rows, table=table.name))
    return sheets


def content_header_row(content: SheetContent) -> int:
    """The 1-based header row of a template sheet: 1, or lower when a title sits above the
    table (the sample's Clients sheet). 0 when ``content`` is not a layout table."""
    table = next((t for t in TABLES if t.name == content.table), None)
    if table is None:
        return 0
    return header_row(content.rows, table)[0]


def owner_rows(data: WorkbookData, layout: dict[str, Any] | None = None) -> list[list[CellValue]]:
    """One Staff row per owner the Clients sheet names (in lower case, sorted), the Email
    filled in and the rest left for a person to type; [] without a Clients sheet or Owner column."""
    remap = (layout or {}).get(CLIENTS.name) or {}
    sheet = find_sheet(data, CLIENTS, remap.get("sheet"), remap.get("columns"))
    if sheet is None:
        return []
    row, found = header_row(sheet.rows, CLIENTS, remap.get("columns"))
    col = found.get("owner")
    if col is None:
        return []
    owners = set()
    for cells in sheet.rows[row:]:
        try:
            owner = v.parse_email(cells[col] if col < len(cells) else None).lower()
        except v.BadValue:
            continue  # check reports it at its cell of Clients
        if owner:
            owners.add(owner)
    return [[owner] for owner in sorted(owners)]


def missing_parts(
    data: WorkbookData, layout: dict[str, Any] | None = None, start_date: dt.date | None = None
) -> tuple[list[SheetContent], dict[str, list[str]]]:
    """What ``init --into`` must add to an existing workbook so it has the template's parts.

    Returns the template sheets that are missing (matched case-insensitively by title or the
    table's aliases; a new Staff sheet lists the owners Clients names, ``owner_rows``) and,
    for each existing table sheet, the headers of template columns (tool columns included)
    missing from its header row, keyed by the sheet's title as it is.
    ``layout`` is the config file's ``[layout]`` table (``{"clients": {"sheet": ...,
    "columns": {field: header}}}``): remapped sheets and columns count as present. A key
    column (Client ID, Task ID) is never added beside a column that looks like an identifier
    ("Policy No"): it may be the team's own key (``init --into`` says how to map it). A
    Settings sheet added holds ``start_date`` as its Start date.
    """
    layout = layout or {}
    sheets: list[SheetContent] = []
    columns: dict[str, list[str]] = {}
    templates = {s.table: s for s in template_sheets(start_date=start_date)}
    for table in TABLES:
        remap = layout.get(table.name) or {}
        sheet = find_sheet(data, table, remap.get("sheet"), remap.get("columns"))
        if sheet is None:
            template = templates[table.name]
            rows = template.rows + owner_rows(data, layout) if table is STAFF else template.rows
            sheets.append(SheetContent(title=remap.get("sheet") or template.title, rows=rows, table=table.name))
            continue
        col_remap = remap.get("columns") or {}
        row, found = header_row(sheet.rows, table, col_remap)
        own_key = bool(row) and bool(unmapped_identifiers(sheet.rows[row - 1], found))
        missing = [
            col_remap.get(c.field, c.header)
            for c in (*[c for c in table.columns if not c.tool], *table.tool_columns)
            if c.field not in found and not (own_key and c.field == table.key)
        ]
        if missing:
            columns[sheet.title] = missing
    return sheets, columns
