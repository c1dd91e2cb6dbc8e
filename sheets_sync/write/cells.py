"""From a WriteBatch to cells: which cell of which sheet gets which value (the Excel writer
uses it; Google finds its rows through the API).

Columns are found by header text in each table's header row, rows by the key read from the
workbook as it is at write time (the caller passes that snapshot). The result is a plain
grid of changes that any writer can apply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from operator import itemgetter

from sheets_sync.model.layout import normalize_header
from sheets_sync.model.values import text
from sheets_sync.workbook import CellValue, RowUpdate, SheetData, TableRef, WorkbookData, WriteBatch

NO_SHEET = "{sheet}: no such sheet any more; {what} not written"
NO_COLUMN = "{sheet}: no column headed {header!r} in row {row}; {what} not written"
NO_KEY = "{sheet}: {key} is no longer in the {header} column; its update was not written"
TWICE = "{sheet}: {key} appears in rows {rows}; its update was not written (make the {header} values unique)"
KEY_TAKEN = "{sheet}: row {row} changed since it was read; the new {header} {key} was not written there"
KEY_PRESENT = "{sheet}: {key} is already in the {header} column (rows {rows}); it was not written again in row {row}"


@dataclass
class CellWrites:
    """The cells to write: sheet title -> 1-based row -> 1-based column -> value."""

    cells: dict[str, dict[int, dict[int, CellValue]]] = field(default_factory=dict)
    updated_rows: set[tuple[str, int]] = field(default_factory=set)
    appended: int = 0
    dropped: list[str] = field(default_factory=list)
    appended_rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # sheet -> (first, last)
    header_rows: dict[str, int] = field(default_factory=dict)
    new_columns: dict[str, dict[int, str]] = field(default_factory=dict)  # sheet -> column -> header added

    def put(self, sheet: str, row: int, col: int, value: CellValue) -> None:
        """Set ``value`` for one cell (a later value for the same cell wins)."""
        self.cells.setdefault(sheet, {}).setdefault(row, {})[col] = value


def used_rows(sheet: SheetData) -> int:
    """The last row holding any value (0 for an empty sheet)."""
    for index in range(len(sheet.rows) - 1, -1, -1):
        if any(v is not None and v != "" for v in sheet.rows[index]):
            return index + 1
    return 0


def slim_for_write(data: WorkbookData, tables: dict[str, TableRef]) -> None:
    """Drop, in place, the cells of the table sheets that ``cells_for`` never looks at.

    Once the rows are read into the model, a write needs of each table only its header
    row, its key column, the rows whose key is blank (a key may be filled in there, after
    checking their other cells) and the last used row. The rest of every row goes, which
    is most of the memory of a big workbook. A sheet holding two tables is left whole.
    """
    by_sheet: dict[str, list[TableRef]] = {}
    for ref in tables.values():
        by_sheet.setdefault(ref.sheet, []).append(ref)
    for title, refs in by_sheet.items():
        sheet = data.sheet(title)
        if sheet is not None and len(refs) == 1:
            _slim_sheet(sheet, refs[0])


def _slim_sheet(sheet: SheetData, ref: TableRef) -> None:
    key_col = Columns(sheet.rows[ref.header_row - 1] if 0 < ref.header_row <= len(sheet.rows) else [], ref.header_row).find(ref.key_header)
    rows = sheet.rows
    for index in range(max(ref.header_row, 0), used_rows(sheet) - 1):
        row = rows[index]
        # tuples: the empty one costs nothing, a short one less than a list
        if key_col is None:
            rows[index] = ()  # type: ignore[call-overload]
        elif len(row) > key_col and text(row[key_col - 1]) != "":
            rows[index] = tuple(row[:key_col])  # type: ignore[call-overload]


class Columns:
    """One table's header row: normalized header -> 1-based column, new ones added after
    the last header (both backends find a column by header text this way)."""

    def __init__(self, cells: Sequence[object], row: int) -> None:
        self.row = row
        self.cols: dict[str, int] = {}
        self._seen: dict[str, str] = {}
        self.last = 0
        for index, value in enumerate(cells, start=1):
            if value is None or text(value) == "":
                continue
            self.last = index
            self.cols.setdefault(normalize_header(value), index)

    def find(self, header: str | None) -> int | None:
        """The column headed ``header`` (matched as the reader matches headers), or None."""
        if not header:
            return None
        key = self._seen.get(header)
        if key is None:
            key = self._seen[header] = normalize_header(header)
        return self.cols.get(key)

    def add(self, header: str) -> int | None:
        """Put a new ``header`` after the last one; its column, or None when it is there already."""
        if self.find(header) is not None:
            return None
        self.last += 1
        self.cols[normalize_header(header)] = self.last
        return self.last


class Unplaced(Enum):
    """Why an update found no row to go to."""

    GONE = "gone"  # its key is in no row any more
    SEVERAL = "several"  # its key is on more than one row
    TAKEN = "taken"  # a new key's row changed: its key cell is filled, or a checked cell differs
    PRESENT = "present"  # a new key is in the sheet already


@dataclass(frozen=True)
class Placement:
    """Where an update goes: its ``row``, or why it goes nowhere (``rows``: where its key is)."""

    row: int | None
    why: Unplaced | None = None
    rows: tuple[int, ...] = ()


DROPPED =  {Unplaced.GONE: NO_KEY, Unplaced.SEVERAL: TWICE, Unplaced.TAKEN: KEY_TAKEN, Unplaced.PRESENT: KEY_PRESENT}


def key_rows(keys: Iterable[tuple[int, object]]) -> dict[str, list[int]]:
    """Key text -> the rows holding it, in order, from (row, key cell) pairs; blank keys left out."""
    index: dict[str, list[int]] = {}
    for row, value in sorted(keys, key=itemgetter(0)):
        key = text(value)
        if key:
            index.setdefault(key, []).append(row)
    return index


def place(update: RowUpdate, by_key: dict[str, list[int]], header_row: int, key_col: int,
          checks: Iterable[tuple[int | None, object]], cell: Callable[[int, int], object]) -> Placement:
    """The row ``update`` goes to, in the sheet as it is now: the one row holding its key;
    for a new key (``fill_key``), its own row while that row's key cell is still blank and
    its ``checks`` (column, value; None for a column not found) still hold there.
    ``by_key`` is ``key_rows`` of the key column, ``cell(row, col)`` a cell as it is now."""
    key = text(update.key)
    if update.fill_key:
        row = update.row_hint
        if by_key.get(key):
            return Placement(None, Unplaced.PRESENT, tuple(by_key[key]))
        still = text(cell(row, key_col)) == "" and all(
            col is not None and text(cell(row, col)) == text(value) for col, value in checks)
        return Placement(row) if still and row > header_row else Placement(None, Unplaced.TAKEN)
    rows = by_key.get(key, [])
    if len(rows) == 1:
        return Placement(rows[0])
    return Placement(None, Unplaced.SEVERAL if rows else Unplaced.GONE, tuple(rows))


def cells_for(batch: WriteBatch, data: WorkbookData, *, consume: bool = False) -> CellWrites:
    """Resolve ``batch`` against ``data`` (the workbook as it is now) into cells.

    Order: new columns, then keyed updates, then appends below the last used row. Updates
    whose key is not found (or found twice), or whose column is missing, are dropped with a
    message in ``dropped``; tool sheets are not part of the writes (they are written whole).
    With ``consume``, each update leaves ``batch.updates`` once placed (``batch.updates``
    ends empty): a big sync's cells then take the room its updates held.
    """
    writes = CellWrites()
    headers: dict[str, Columns] = {}
    titles: dict[str, str] = {}

    def table(sheet_title: str) -> tuple[SheetData, Columns] | None:
        sheet = data.sheet(sheet_title)
        if sheet is None:
            return None
        titles[sheet_title] = sheet.title
        if sheet.title not in headers:
            ref = batch.tables.get(sheet_title) or batch.tables.get(sheet.title)
            row = ref.header_row if ref else 1
            headers[sheet.title] = Columns(sheet.rows[row - 1] if 0 < row <= len(sheet.rows) else [], row)
            writes.header_rows[sheet.title] = row
        return sheet, headers[sheet.title]

    for title, new in batch.new_columns.items():
        found = table(title)
        if found is None:
            writes.dropped.append(NO_SHEET.format(sheet=title, what="new columns"))
            continue
        sheet, head = found
        for header in new:
            col = head.add(header)
            if col is not None:
                writes.put(sheet.title, head.row, col, header)
                writes.new_columns.setdefault(sheet.title, {})[col] = header

    keys: dict[tuple[str, int], dict[str, list[int]]] = {}
    for update in _updates(batch, consume):
        ref = update.table
        found = table(ref.sheet)
        if found is None:
            writes.dropped.append(NO_SHEET.format(sheet=ref.sheet, what=f"the update of {update.key}"))
            continue
        sheet, head = found
        key_col = head.find(ref.key_header)
        if key_col is None:
            writes.dropped.append(NO_COLUMN.format(sheet=sheet.title, header=ref.key_header, row=head.row,
                                                 what=f"the update of {update.key}"))
            continue
        index = keys.get((sheet.title, key_col))
        if index is None:
            index = keys[(sheet.title, key_col)] = key_rows(
                (number, sheet.cell(number, key_col)) for number in range(head.row + 1, len(sheet.rows) + 1))
        placed = place(update, index, head.row, key_col, ((head.find(h), v) for h, v in update.check.items()),
                       sheet.cell)
        if placed.row is None:
            message = DROPPED[placed.why]  # type: ignore[index]
            writes.dropped.append(message.format(sheet=sheet.title, key=update.key, header=ref.key_header,
                                                 row=update.row_hint, rows=", ".join(map(str, placed.rows))))
            continue
        row = placed.row
        if update.fill_key:
            writes.put(sheet.title, row, key_col, update.key)
        wrote = False
        target = None  # the row's planned cells: looked up once per row, not per cell
        for header, value in update.values.items():
            col = head.find(header)
            if col is None:
                writes.dropped.append(NO_COLUMN.format(sheet=sheet.title, header=header, row=head.row,
                                                     what=f"{update.key}'s value"))
                continue
            if target is None:
                target = writes.cells.setdefault(sheet.title, {}).setdefault(row, {})
            target[col] = value
            wrote = True
        if wrote or update.fill_key:
            writes.updated_rows.add((sheet.title, row))

    for title, rows in batch.appends.items():
        if not rows:
            continue
        found = table(title)
        if found is None:
            writes.dropped.append(NO_SHEET.format(sheet=title, what=f"{len(rows)} new rows"))
            continue
        sheet, head = found
        start = max(used_rows(sheet), head.row) + 1
        missing: set[str] = set()
        for offset, values in enumerate(rows):
            for header, value in values.items():
                col = head.find(header)
                if col is None:
                    missing.add(header)
                    continue
                if value is not None:
                    writes.put(sheet.title, start + offset, col, value)
            writes.appended += 1
        writes.appended_rows[sheet.title] = (start, start + len(rows) - 1)
        for header in sorted(missing):
            writes.dropped.append(NO_COLUMN.format(sheet=sheet.title, header=header, row=head.row,
                                                 what="that value of the new rows"))
    return writes


def _updates(batch: WriteBatch, consume: bool) -> Iterator[RowUpdate]:
    """``batch.updates`` in order; with ``consume``, each taken out of the list as it goes."""
    if not consume:
        yield from batch.updates
        return
    updates = batch.updates
    updates.reverse()  # popped from the end: in their order, and no copy of the list
    while updates:
        yield updates.pop()
