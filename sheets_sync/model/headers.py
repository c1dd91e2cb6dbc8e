"""Where a table sits: its sheet (by the configured title, its title or an alias) and its
header row.

One detection for everyone who looks for a header row: the reader (``read_book``),
``init --into`` (the columns a sheet lacks) and both backends (the row those columns are
appended to). A team's own headers, named in the config file's ``[layout]`` table, count
everywhere, so every path agrees on the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sheets_sync.model.header_match import match_columns
from sheets_sync.model.layout import TABLES, Table
from sheets_sync.workbook import SheetData, WorkbookData

HEADER_SCAN_ROWS = 20  # a header row is looked for among a sheet's first rows only


def sheet_titles(table: Table, sheet_title: str | None = None) -> list[str]:
    """The titles a table's sheet goes by: the configured one alone, else its title and aliases."""
    return [sheet_title] if sheet_title else [table.title, *table.aliases]


def find_sheet(data: WorkbookData, table: Table, sheet_title: str | None = None,
               remap: dict[str, str] | None = None) -> SheetData | None:
    """The sheet holding ``table``: by the configured title, else its title, else an alias
    whose header row holds one of the table's required headers (an "Orders" sheet of some
    other shape is the team's own, not the Sales log). ``remap``: the table's column remap."""
    for i, title in enumerate(sheet_titles(table, sheet_title)):
        sheet = data.sheet(title)
        if sheet is not None and (sheet_title or i == 0 or _holds(sheet, table, remap)):
            return sheet
    return None


def _holds(sheet: SheetData, table: Table, remap: dict[str, str] | None) -> bool:
    _, found = header_row(sheet.rows, table, remap)
    return _score(table, found)[0] > 0


def header_row(rows: Sequence[Sequence[Any]], table: Table,
               remap: dict[str, str] | None = None) -> tuple[int, dict[str, int]]:
    """The 1-based header row of ``table`` among ``rows`` and its columns (field -> 0-based
    index); (0, {}) when no row within the first HEADER_SCAN_ROWS holds a known header.

    The row holding most required headers wins, then the one holding most headers, then the
    upper one: a line of known words above the table (an office's phone and email) never
    beats the row that has the table's key columns. ``remap`` is ``[layout.<table>.columns]``.
    """
    best: tuple[tuple[int, int], int, dict[str, int]] = ((0, 0), 0, {})
    for number, cells in enumerate(rows[:HEADER_SCAN_ROWS], start=1):
        found = match_columns(cells, table, remap)
        score = _score(table, found)
        if score > best[0]:
            best = (score, number, found)
    return best[1], best[2]


def _score(table: Table, found: dict[str, int]) -> tuple[int, int]:
    """How well a row's matches make a header row: required headers first, then all."""
    return sum(1 for c in table.columns if c.required and c.field in found), len(found)


def sheet_header_row(sheet: SheetData, layout: dict[str, Any] | None = None) -> int:
    """The 1-based header row of an existing sheet (the row ``init --into`` appends missing
    headers to); 1 when no row holds a known header. The row is the one ``header_row`` finds
    for the table whose sheet this is (by configured title, title or alias), or, for a sheet
    of another title, for whichever table it holds best. ``layout`` is the config file's
    ``[layout]`` table, so a team's own titles and headers count."""
    layout = layout or {}
    wanted = sheet.title.strip().casefold()
    named = [t for t in TABLES
             if any(title.strip().casefold() == wanted
                    for title in sheet_titles(t, (layout.get(t.name) or {}).get("sheet")))]
    best_row, best = 1, (0, 0)
    for table in named or TABLES:
        remap = (layout.get(table.name) or {}).get("columns") or {}
        row, found = header_row(sheet.rows, table, remap)
        if _score(table, found) > best:
            best_row, best = row, _score(table, found)
    return best_row
