"""The data that crosses the backend boundary: raw grids in, one batch of keyed updates out.

Backends (Excel, Google Sheets) speak only these types, so the rest of the program does not
know which one it runs on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# A raw cell value as a backend hands it over: None, str, bool, int, float, or (Excel cells
# formatted as dates) datetime.date / datetime.datetime. Google hands dates over as serial
# numbers; the model converts them with ``WorkbookData.date_system``.
CellValue = Any


@dataclass
class SheetData:
    """One worksheet's used range as raw values. ``rows[0]`` is row 1 of the sheet."""

    title: str
    rows: list[list[CellValue]]

    def cell(self, row: int, col: int) -> CellValue:
        """Value at 1-based ``row``/``col``, or None outside the used range."""
        if row < 1 or row > len(self.rows):
            return None
        values = self.rows[row - 1]
        return values[col - 1] if 0 < col <= len(values) else None


@dataclass
class WorkbookData:
    """A snapshot of a whole workbook, as read at one moment."""

    sheets: dict[str, SheetData]
    date_system: int = 1900  # 1900 or 1904: the epoch for serial-number dates
    source: str = ""  # how to name the source in messages (file name, spreadsheet title)

    def sheet(self, title: str) -> SheetData | None:
        """The sheet with this title, matched case-insensitively, or None."""
        if title in self.sheets:
            return self.sheets[title]
        wanted = title.strip().casefold()
        for name, sheet in self.sheets.items():
            if name.strip().casefold() == wanted:
                return sheet
        return None


@dataclass(frozen=True)
class TableRef:
    """Where a table lives: its sheet, its header row, and the header text of its key column."""

    sheet: str
    header_row: int  # 1-based
    key_header: str | None  # e.g. "Client ID"; None for tables without keys (Touches, Settings)


@dataclass(slots=True)  # one per row the run updates
class RowUpdate:
    """New values for some cells of one row, addressed by the row's key, never by row number.

    At write time the backend reads the key column afresh and writes to the row that holds
    ``key`` now. When ``fill_key`` is set the key cell was blank at read time: the backend
    writes ``key`` into it only if the row at ``row_hint`` still has a blank key cell and
    ``check`` still holds (header -> value seen at read time); otherwise it drops the update.
    """

    table: TableRef
    key: str
    row_hint: int  # 1-based row where the key was at read time
    values: dict[str, CellValue]  # header text (as in the sheet) -> new value
    fill_key: bool = False
    check: dict[str, CellValue] = field(default_factory=dict)


@dataclass
class SheetContent:
    """A sheet the tool writes whole: a template sheet added by ``init``, or Stats each run.

    ``table`` names the layout table (``layout.TABLES``: clients, tasks, ...) whose column
    specs give the formatting of a template sheet: bold frozen header row, a filter, date
    format on date columns, a dropdown on choice columns, column widths. ``rows[0]`` is the
    header row for template sheets.

    ``chart`` (Stats only) asks for one native chart, created with the sheet and kept on
    later rewrites (the Stats layout is fixed, so its ranges stay valid)::

        {"title": "Clients per month", "type": "bar" | "line",
         "anchor": (row, col),                # 1-based top-left cell of the chart
         "categories": (first_row, last_row, col),   # 1-based, inside ``rows``
         "series": [(header_row, col), ...],  # one series per column; name from header_row
         "axis_title": "Clients",             # optional, the value axis's title
         "secondary": {"type": "bar", "series": [...], "axis_title": "..."}}  # optional:
                                              # more series on a value axis of their own

    A sheet written whole (Stats) may also ask for ``formats`` (1-based (row, col) -> an
    Excel number format code, e.g. '"$"#,##0.00'), ``widths`` (1-based column -> width in
    characters, set when the sheet is created) and ``fit_width`` (print landscape, one page
    wide: the table and the chart beside it on one page).
    """

    title: str
    rows: list[list[CellValue]]
    table: str | None = None
    chart: dict[str, Any] | None = None
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    fit_width: bool = False


@dataclass
class WriteBatch:
    """Everything one run writes, applied by the backend as one batch.

    - ``new_columns``: sheet -> header texts to add at the right of that table's header row
      (tool columns that were missing). Applied first, so updates may name them.
    - ``updates``: keyed row updates (see ``RowUpdate``).
    - ``appends``: sheet -> rows (header text -> value) appended below the last used row of
      that table (Touches rows for the emails sent).
    - ``tool_sheets``: tool-owned sheets created or rewritten whole.
    - ``tables``: sheet -> TableRef, so the backend knows each table's header row.
    """

    tables: dict[str, TableRef] = field(default_factory=dict)
    new_columns: dict[str, list[str]] = field(default_factory=dict)
    updates: list[RowUpdate] = field(default_factory=list)
    appends: dict[str, list[dict[str, CellValue]]] = field(default_factory=dict)
    tool_sheets: list[SheetContent] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when the batch would change nothing."""
        return not (
            any(self.new_columns.values())
            or self.updates
            or any(self.appends.values())
            or self.tool_sheets
        )


@dataclass
class WriteResult:
    """What the backend did with a batch."""

    rows_updated: int = 0  # distinct existing rows that got at least one new value
    rows_appended: int = 0
    dropped: list[str] = field(default_factory=list)  # human messages for updates that found no row
