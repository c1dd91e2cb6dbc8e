"""What ``init --into`` made of a team's own sheets: each header and the field it was read
as, the tool's columns it added, and what a person should check before the first sync.

Plain lines of text, from the workbook as it stands after the adoption, so what is printed is
what every later run reads.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sheets_sync.a1 import col_letters
from sheets_sync.errors import LayoutError
from sheets_sync.model import values as v
from sheets_sync.model.header_match import unmapped_identifiers
from sheets_sync.model.headers import find_sheet, header_row
from sheets_sync.model.layout import SETTINGS, TABLES, Table
from sheets_sync.workbook import WorkbookData

REMAP_HINT = ("To read a column as another field, rename its header in the sheet (to the field's header, "
              "e.g. \"Name\"), or name it in sheets-sync.toml beside the workbook, e.g.\n"
              "  [layout.{table}.columns]\n  {field} = \"{header}\"\n"
              "(docs/workbook.md, \"Using the sheet you already have\").")
OWN_KEY = ("{where} \"{header}\" looks like an identifier, so no {key} column was added beside it. "
           "If it is each row's own ID, map it in sheets-sync.toml:\n  [layout.{table}.columns]\n"
           "  {field} = \"{header}\"\nIf it is not, add a \"{key}\" column yourself.")
# A placeholder, not one of the sheet's headers: an example built from the sheet's own columns
# read as a suggestion (or, from a mapped column, as a change to make when none is needed).
EXAMPLE_HEADER = "Your column's header"
NO_START_DATE = ("Settings has no Start date: add a row \"Start date\" with the day you start using "
                 "sheets-sync (e.g. {today}), so steps overdue that day are spread over the next business "
                 "days rather than sent at once (docs/workbook.md, \"Going live\").")


def mapping_lines(data: WorkbookData, layout: dict[str, Any] | None = None,
                  added: Mapping[str, Collection[str]] | None = None, new_sheets: Collection[str] = ()) -> list[str]:
    """One line per header of each table sheet the workbook already had: the cell, the
    header, and the field it is read as (``added``: sheet title -> the headers ``init``
    appended; ``new_sheets``: the titles of the sheets it added, left out), then hints."""
    layout = layout or {}
    added = added or {}
    lines: list[str] = []
    hints: list[str] = []
    example: tuple[Table, str] | None = None  # the table, and a field the hint's example names
    for table in TABLES:
        remap = layout.get(table.name) or {}
        try:
            sheet = find_sheet(data, table, remap.get("sheet"), remap.get("columns"))
        except LayoutError:
            sheet = None
        if sheet is None or sheet.title in new_sheets:
            continue
        row, found = header_row(sheet.rows, table, remap.get("columns") or {})
        if not row:
            continue
        cells = sheet.rows[row - 1]
        fields = {i: table.column(f) for f, i in found.items()}
        lines.append(f"{sheet.title} (read as {table.title}), headers on row {row}:")
        width = max((len(v.text(c)) for c in cells), default=0) + 2
        for index, cell in enumerate(cells):
            header = v.text(cell)
            if not header:
                continue
            where = f"{sheet.title}!{col_letters(index + 1)}"
            quoted = f"\"{header}\""
            column = fields.get(index)
            if column is None:
                lines.append(f"  {where:<12} {quoted:<{width}} not used by sheets-sync")
                if example is None:
                    example = (table, _example_field(table, found, cells, added.get(sheet.title, ())))
            elif header in added.get(sheet.title, ()):
                said = "written by sheets-sync on every run" if column.tool else "empty, for your team to fill in"
                lines.append(f"  {where:<12} {quoted:<{width}} added: {said}")
            else:
                lines.append(f"  {where:<12} {quoted:<{width}} -> {column.header}")
                if example is None and header != column.header:
                    example = (table, _example_field(table, found, cells, added.get(sheet.title, ())))
        key = table.key
        if key and key not in found:
            for index, header in unmapped_identifiers(cells, found):
                where = f"{sheet.title}!{col_letters(index + 1)}"
                hints.append(OWN_KEY.format(where=where, header=header, key=table.column(key).header,
                                            table=table.name, field=key))
                break
    if example is not None:
        table, field_name = example
        hints.append(REMAP_HINT.format(table=table.name, field=field_name, header=EXAMPLE_HEADER))
    return lines + hints


def _example_field(table: Table, found: Mapping[str, int], cells: list[Any], added: Collection[str]) -> str:
    """A field for the remap hint's example, never a mapping of the team's own columns: the first
    field whose column ``init`` just added empty (the team may hold it under another header) or
    that has no column, else the first field read under its own header."""
    for column in table.columns:
        index = found.get(column.field)
        if not column.tool and (index is None or v.text(cells[index]) in added):
            return column.field
    for column in table.columns:
        index = found.get(column.field)
        if index is not None and v.text(cells[index]) == column.header:
            return column.field
    return table.columns[0].field


def start_date_hint(data: WorkbookData, layout: dict[str, Any] | None, new_sheets: Collection[str],
                    today: str) -> str:
    """A line asking for a Start date row when the workbook's own Settings sheet has none; ''."""
    from sheets_sync.model.read._settings import sheet_settings

    remap = (layout or {}).get("settings") or {}
    sheet = find_sheet(data, SETTINGS, remap.get("sheet"), remap.get("columns"))
    if sheet is None or sheet.title in new_sheets or sheet_settings(data, layout).get("start_date"):
        return ""
    return NO_START_DATE.format(today=today)
