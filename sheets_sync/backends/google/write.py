"""One write to a Google spreadsheet, planned: which ranges to read afresh just before
writing, then where each value goes in what that read saw.

Rows are found by key in the fresh read (so an update follows its row when staff insert,
delete or sort rows, and is dropped when the key is gone); columns by header text, and they
must still be where the first read saw them (else SourceChanged: the caller reads again).
Cells holding a formula are left alone. The values become one ``values:batchUpdate`` of
blocks of consecutive rows, JSON null leaving the cells in a block that are not ours.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sheets_sync.a1 import cell_name
from sheets_sync.backends.google import format as fmt
from sheets_sync.backends.google.anchors import Anchor, new_metadata_ids
from sheets_sync.backends.google.grid import (
    Fresh,
    SheetMeta,
    append_dimension,
    new_sheet_id,
    runs,
    sheet_meta,
)
from sheets_sync.backends.google.number_formats import number_format_requests
from sheets_sync.backends.google.repair import Repair, Table, blocks
from sheets_sync.backends.google.values import (
    column_range,
    parse_range,
    row_range,
    to_user_entered,
)
from sheets_sync.errors import SourceChanged, SourceError
from sheets_sync.model.layout import normalize_header
from sheets_sync.model.values import text
from sheets_sync.workbook import (
    CellValue,
    SheetContent,
    TableRef,
    WorkbookData,
    WriteBatch,
    WriteResult,
)
from sheets_sync.write.cells import Unplaced, key_rows, place

MOVED = "{sheet}: columns were moved or renamed while the tool was running"
RENAMED = "a sheet was added, renamed or deleted while the tool was running"
_DROPPED = {  # after "Sheet: Client ID C-7"
    Unplaced.PRESENT: " is already in the sheet; the ID was not written again",
    Unplaced.TAKEN: ": row {row} changed while the tool was running, so its new ID was not written",
    Unplaced.GONE: " is no longer in the sheet, so its update was dropped",
    Unplaced.SEVERAL: " is on several rows ({rows}): fix the duplicate; nothing written there",
}


class SpreadsheetEdit:
    """Turns a WriteBatch into ranges to read afresh, then into requests, for one write."""

    def __init__(self, snapshot: WorkbookData, meta: dict[str, SheetMeta], batch: WriteBatch, label: str) -> None:
        self.snapshot = snapshot
        self.meta = meta
        self.label = label
        self.batch = batch
        self.structure: list[dict[str, Any]] = []
        self.cells: dict[str, dict[int, dict[int, Any]]] = {}  # title -> row -> col -> API value
        self.fresh: dict[str, Fresh] = {}
        self.sheets: dict[str, _TableEdit] = {}
        self._kinds: list[tuple[str, str, str]] = []  # (title, header|columns, range) asked afresh
        self.expected: dict[str, dict[int, str]] = {}  # title -> row -> the key that row must hold
        self.anchors: list[Anchor] = []  # rows getting a new ID (written by tag, not by row number)
        self.desired: dict[tuple[str, str], dict[int, Any]] = {}  # (title, key) -> col -> API value
        for ref in self._refs():
            if ref.sheet not in self.sheets:
                self.sheets[ref.sheet] = self._table_edit(ref)
                self.sheets[ref.sheet].add_new_columns(batch.new_columns.get(ref.sheet, []))
        for update in batch.updates:
            self.sheets[update.table.sheet].use([update.table.key_header or "", *update.values, *update.check])
        for name, rows in batch.appends.items():
            self.sheets[name].use([header for row in rows for header in row])

    def _refs(self) -> Iterator[TableRef]:
        names = set(self.batch.new_columns) | set(self.batch.appends)
        for update in self.batch.updates:
            yield update.table
        for name in sorted(names):
            ref = self.batch.tables.get(name)
            if ref is None:
                raise SourceError(f"{name}: the batch does not say where this table's header row is")
            yield ref

    def _table_edit(self, ref: TableRef) -> _TableEdit:
        sheet = self.snapshot.sheet(ref.sheet)
        meta = sheet_meta(self.meta, ref.sheet)
        if sheet is None or meta is None:
            raise SourceChanged(f"{self.label}: {RENAMED}; run it again", source=self.label)
        header = sheet.rows[ref.header_row - 1] if len(sheet.rows) >= ref.header_row else []
        return _TableEdit(ref, meta, list(header))

    def fresh_ranges(self) -> list[str]:
        """Header rows, key, check and target columns (whole sheets where rows are appended)."""
        self._kinds = []
        for name, table in self.sheets.items():
            title = table.meta.title
            self._kinds.append((title, "header", row_range(title, table.ref.header_row)))
            # Only columns inside the grid: Google refuses a range beyond it, and the columns the
            # write adds there are empty by definition.
            if self.batch.appends.get(name):
                self._kinds.append((title, "columns", column_range(title, 1, max(table.meta.cols, 1))))
                continue
            wanted: set[int] = set()
            for update in self.batch.updates:
                if update.table.sheet != name:
                    continue
                if update.table.key_header:
                    wanted.add(table.col(update.table.key_header))
                wanted.update(table.col(h) for h in update.values)
                wanted.update(table.col(h) for h in update.check)
            for start, end in runs(sorted(c for c in wanted if c <= table.meta.cols)):
                self._kinds.append((title, "columns", column_range(title, start, end)))
        return [rng for _, _, rng in self._kinds]

    def take_fresh(self, value_ranges: list[dict[str, Any]]) -> None:
        """Record the fresh read, per sheet (replies come in the order of the ranges asked)."""
        self.fresh = self.parse_fresh(value_ranges)

    def parse_fresh(self, value_ranges: list[dict[str, Any]]) -> dict[str, Fresh]:
        """A read of ``fresh_ranges()`` as one Fresh per sheet title."""
        found: dict[str, Fresh] = {}
        for (title, kind, _), value_range in zip(self._kinds, value_ranges, strict=False):
            _, r1, c1, r2, c2 = parse_range(value_range.get("range", ""))
            fresh = found.setdefault(title, Fresh(title))
            values = value_range.get("values", [])
            if kind == "header":
                fresh.header = list(values[0]) if values else []
                fresh.col_count = max(fresh.col_count, c2)
            else:
                fresh.row_count = max(fresh.row_count, r2)
            for dr, row in enumerate(values):
                target = fresh.cells.setdefault(r1 + dr, {})
                for dc, value in enumerate(row):
                    target[c1 + dc] = value
        return found

    def resolve(self) -> WriteResult:
        """Place every update, new header and appended row; build the structural requests."""
        result = WriteResult()
        touched: set[tuple[str, int]] = set()
        for name, table in self.sheets.items():
            fresh = self.fresh.get(table.meta.title) or Fresh(table.meta.title)
            table.check_header(fresh, self.label)
            for offset, header in enumerate(table.new_headers):
                self._put(table, table.ref.header_row, table.new_at + offset, to_user_entered(header))
            table.need_cols = max(table.need_cols, table.width())
            if name in self.batch.appends:
                self._appends(table, fresh, self.batch.appends[name], result)
        for update in self.batch.updates:
            table = self.sheets[update.table.sheet]
            fresh = self.fresh.get(table.meta.title) or Fresh(table.meta.title)
            row = self._find_row(table, fresh, update, result)
            if row is None:
                continue
            values = dict(update.values)
            anchor = self._anchor(table, update, row) if update.fill_key and update.table.key_header else None
            wrote = False
            for header, value in values.items():
                col = table.col(header)
                current = fresh.get(row, col)
                if isinstance(current, str) and current.startswith("="):
                    result.dropped.append(
                        f"{table.meta.title}!{cell_name(col, row)} holds a formula, so the tool left it as it is")
                    continue
                if anchor is not None:
                    anchor.cells[col] = to_user_entered(value)
                else:
                    self._put(table, row, col, to_user_entered(value))
                    self.desired.setdefault((table.meta.title, update.key), {})[col] = to_user_entered(value)
                wrote = True
            if anchor is not None:
                touched.add((table.meta.title, row))
            elif wrote:
                touched.add((table.meta.title, row))
                self.expected.setdefault(table.meta.title, {})[row] = update.key
        result.rows_updated = len(touched)
        for table in self.sheets.values():
            seen = self.fresh.get(table.meta.title)
            rows_now = seen.row_count if seen and seen.row_count else table.meta.rows
            cols_now = seen.col_count if seen and seen.col_count else table.meta.cols
            if table.need_rows > rows_now:
                self.structure.append(append_dimension(table.meta.sheet_id, "ROWS", table.need_rows - rows_now))
            for offset, header in enumerate(table.new_headers):
                if fmt.is_date_header(header):  # so dates typed there later show as dates too
                    self.structure.append(fmt.date_column_request(
                        table.meta.sheet_id, table.ref.header_row, table.new_at + offset, max(rows_now, table.need_rows)))
            if table.need_cols > cols_now:
                self.structure.append(append_dimension(table.meta.sheet_id, "COLUMNS", table.need_cols - cols_now))
            if table.new_headers:  # widths, the tool's look and notes, the filter: in the same batchUpdate
                self.structure += fmt.new_columns_requests(table.meta.sheet_id, table.ref.header_row, table.new_at,
                                                           table.new_headers, table.meta.basic_filter)
        for content in self.batch.tool_sheets:
            self._tool_sheet(content)
        new_metadata_ids(self.anchors)
        return result

    def _anchor(self, table: _TableEdit, update: Any, row: int) -> Anchor:
        """A row getting a new ID: tagged, checked at the tag's instant, written by its tag."""
        key_col = table.col(update.table.key_header)
        anchor = Anchor(table.meta.title, table.meta.sheet_id, row, update.key, key_col, update.table.key_header,
                        {table.col(h): text(v) for h, v in update.check.items()})
        anchor.cells[key_col] = to_user_entered(update.key)
        table.need_cols = max(table.need_cols, key_col)
        self.anchors.append(anchor)
        return anchor

    def anchored(self) -> list[Anchor]:
        """The anchors whose tag landed on the right row (see anchors.take_reply)."""
        return [a for a in self.anchors if a.ok]

    def repair(self) -> Repair:
        """What a repair needs: each table's key column and fresh read, the values wanted by key."""
        tables = {}
        for table in self.sheets.values():
            if table.ref.key_header:
                title = table.meta.title
                tables[title] = Table(title, table.col(table.ref.key_header), table.ref.header_row,
                                      self.fresh.get(title) or Fresh(title))
        desired = dict(self.desired)
        origin = {}
        for anchor in self.anchored():
            desired[(anchor.title, anchor.key)] = {c: v for c, v in anchor.cells.items() if c != anchor.key_col}
            origin[(anchor.title, anchor.key)] = anchor.row
        return Repair(tables, desired, origin)

    def _find_row(self, table: _TableEdit, fresh: Fresh, update: Any, result: WriteResult) -> int | None:
        key_header = update.table.key_header
        where = f"{table.meta.title}: {key_header or 'row'} {update.key}"
        if not key_header:
            result.dropped.append(f"{where}: this table has no key column, so the update was dropped")
            return None
        key_col = table.col(key_header)
        placed = place(update, table.key_rows(fresh, key_col), table.ref.header_row, key_col,
                       ((table.col(h), v) for h, v in update.check.items()), fresh.get)
        if placed.row is None:
            result.dropped.append(where + _DROPPED[placed.why].format(  # type: ignore[index]
                row=update.row_hint, rows=", ".join(map(str, placed.rows))))
        return placed.row

    def _appends(self, table: _TableEdit, fresh: Fresh, rows: list[dict[str, CellValue]],
                 result: WriteResult) -> None:
        start = fresh.last_used_row(table.ref.header_row) + 1
        for offset, values in enumerate(rows):
            for header, value in values.items():
                if value is None:
                    continue
                self._put(table, start + offset, table.col(header), to_user_entered(value))
        result.rows_appended += len(rows)
        table.need_rows = max(table.need_rows, start + len(rows) - 1)

    def _put(self, table: _TableEdit, row: int, col: int, value: Any) -> None:
        self.cells.setdefault(table.meta.title, {}).setdefault(row, {})[col] = value
        table.need_cols = max(table.need_cols, col)

    def _tool_sheet(self, content: SheetContent) -> None:
        meta = sheet_meta(self.meta, content.title)
        width = max((len(r) for r in content.rows), default=0)
        height = len(content.rows)
        title = content.title
        if meta is None:
            used = {m.sheet_id for m in self.meta.values()}
            sheet_id = new_sheet_id(used)
            props = fmt.sheet_properties(sheet_id, content)
            self.structure.append({"addSheet": {"properties": props}})
            self.structure += fmt.width_requests(sheet_id, content)
            if content.chart:
                self.structure.append(fmt.chart_request(sheet_id, content.chart))
            old_height = old_width = 0
        else:
            title = meta.title
            old = self.snapshot.sheet(meta.title)
            old_height = len(old.rows) if old else 0
            old_width = max((len(r) for r in old.rows), default=0) if old else 0
            if height > meta.rows:
                self.structure.append(append_dimension(meta.sheet_id, "ROWS", height - meta.rows))
            if width > meta.cols:
                self.structure.append(append_dimension(meta.sheet_id, "COLUMNS", width - meta.cols))
        sheet = meta.sheet_id if meta is not None else sheet_id
        if content.formats:  # the blocks move between runs: clear, then set (number_formats)
            self.structure += number_format_requests(sheet, content, max(height, old_height), max(width, old_width))
        grid = self.cells.setdefault(title, {})
        for r in range(1, max(height, old_height) + 1):
            values = content.rows[r - 1] if r <= height else []
            row = grid.setdefault(r, {})
            for c in range(1, max(width, old_width) + 1):
                row[c] = to_user_entered(values[c - 1] if c <= len(values) else None)

    def value_ranges(self) -> list[dict[str, Any]]:
        """ValueRanges for the values write: the anchored rows by tag first, then one block
        per run of consecutive rows. A block also spans the key column (JSON null: left as
        is) so the reply shows, from the same atomic write, which key each written row held."""
        tagged = [a.value_range() for a in self.anchored()]
        watched = {title: {row: (self.sheets_by_title[title].col(self.sheets_by_title[title].ref.key_header or ""),)
                           for row in rows}
                   for title, rows in self.expected.items()}
        return tagged + blocks(self.cells, watched)

    @property
    def sheets_by_title(self) -> dict[str, _TableEdit]:
        return {t.meta.title: t for t in self.sheets.values()}


class _TableEdit:
    """One written table: its header as read, and where new columns go."""

    def __init__(self, ref: TableRef, meta: SheetMeta, header: list[Any]) -> None:
        self.ref = ref
        self.meta = meta
        self.header = header
        self.positions: dict[str, int] = {}
        for index, cell in enumerate(header, start=1):
            self.positions.setdefault(normalize_header(cell), index)
        self.positions.pop("", None)
        self.new_headers: list[str] = []
        self.new_at = max((i + 1 for i, c in enumerate(header) if c not in (None, "")), default=0) + 1
        self.need_rows = 0
        self.need_cols = 0
        self._keys: dict[str, list[int]] | None = None
        self._cols: dict[str, int] = {}
        self.used: set[str] = set()

    def add_new_columns(self, headers: list[str]) -> None:
        for header in headers:
            norm = normalize_header(header)
            if norm and norm not in self.positions:
                self.positions[norm] = self.new_at + len(self.new_headers)
                self.new_headers.append(header)

    def width(self) -> int:
        return max(self.positions.values(), default=0)

    def col(self, header: str) -> int:
        """The 1-based column of a header (matched as the reader matches headers)."""
        position = self._cols.get(header)
        if position is not None:
            return position
        position = self.positions.get(normalize_header(header))
        if position is None:
            raise SourceChanged(MOVED.format(sheet=self.meta.title) + f" (no column '{header}')",
                                source=self.meta.title)
        self._cols[header] = position
        return position

    def use(self, headers: list[str]) -> None:
        """Note columns this write addresses (only they must stay where they were)."""
        self.used.update(n for h in headers if (n := normalize_header(h)))

    def check_header(self, fresh: Fresh, label: str) -> None:
        """The columns we address must be where the first read saw them; new ones' cells free."""
        now: dict[str, int] = {}
        for index, cell in enumerate(fresh.header, start=1):
            now.setdefault(normalize_header(cell), index)
        for norm in self.used:
            position = self.positions.get(norm)
            if position is None or position >= self.new_at:
                continue  # unknown: col() says so; or a column we add: checked below
            if now.get(norm) != position:
                raise SourceChanged(MOVED.format(sheet=self.meta.title) + "; run it again", source=label)
        for offset in range(len(self.new_headers)):
            if text(fresh.header[self.new_at - 1 + offset] if len(fresh.header) >= self.new_at + offset else None):
                raise SourceChanged(MOVED.format(sheet=self.meta.title) + "; run it again", source=label)

    def key_rows(self, fresh: Fresh, key_col: int) -> dict[str, list[int]]:
        """Key text -> rows, in the fresh read (made once)."""
        if self._keys is None:
            self._keys = key_rows((row, cols.get(key_col)) for row, cols in fresh.cells.items()
                                  if row > self.ref.header_row)
        return self._keys
