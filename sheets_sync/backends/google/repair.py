"""Putting rows right when they moved at the very instant of a values write.

A values write lands by row number. Its reply shows, from the same atomic write, which key
each written row held (the blocks span the key column), so rows that staff sorted, inserted
or deleted between the fresh read and the write are seen at once. The repair, bounded:

1. read the key and written columns again (one ``values:batchGet``);
2. write, by the key each row holds *now*, the values that missed their row, and put back
   in every row that got another client's values what it held before (the fresh read has
   it, by key; a formula goes back as a formula);
3. check that write's reply the same way; if rows moved yet again, repeat once more, then
   stop with an error naming the rows still wrong.

Key cells are never part of a positional write (new IDs go through anchors), so the key
in each written row is always the row's own, which is what makes the repair exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sheets_sync.backends.google.grid import Fresh, restore_value, runs
from sheets_sync.backends.google.values import a1, parse_range
from sheets_sync.model.values import text
from sheets_sync.write.cells import key_rows

MAX_REPAIRS = 2
GAVE_UP = ("{label}: rows kept moving while the tool wrote (sorting, inserting or deleting rows during the "
           "run); after {n} repairs these still need a look: {rows}. Run it again when nobody is editing")

Cells = dict[str, dict[int, dict[int, Any]]]  # title -> row -> col -> API value


def blocks(cells: Cells, watched: Mapping[str, Mapping[int, Iterable[int]]]) -> list[dict[str, Any]]:
    """ValueRanges for values:batchUpdate: one block per run of consecutive rows, spanning
    also the ``watched`` columns of its rows (JSON null: left as is), so the reply shows
    from the same atomic write what each written row holds there."""
    data = []
    for title, rows in cells.items():
        numbers = sorted(r for r, cols in rows.items() if cols)
        for first, last in runs(numbers):
            block = [rows[r] for r in range(first, last + 1)]
            columns = {c for cols in block for c in cols}
            columns.update(c for r in range(first, last + 1) for c in watched.get(title, {}).get(r, ()))
            left, right = min(columns), max(columns)
            values = [[cols.get(c) for c in range(left, right + 1)] for cols in block]
            data.append({"range": a1(title, first, left, last, right), "majorDimension": "ROWS", "values": values})
    return data


def read_back(responses: list[dict[str, Any]]) -> dict[str, dict[int, dict[int, Any]]]:
    """What each written row holds, from a values write's reply (includeValuesInResponse).
    Rows of a written range that the reply leaves out are empty (Google trims them)."""
    seen: dict[str, dict[int, dict[int, Any]]] = {}
    for response in responses:
        data = response.get("updatedData") or {}
        if not data.get("range") or "developerMetadataLookup" in (response.get("dataFilter") or {}):
            continue
        title, r1, c1, r2, _ = parse_range(data["range"])
        values = data.get("values", [])
        for row in range(r1, max(r2, r1 + len(values) - 1) + 1):
            cells = values[row - r1] if row - r1 < len(values) else []
            seen.setdefault(title, {})[row] = {c1 + dc: v for dc, v in enumerate(cells)}
    return seen


@dataclass
class Table:
    """What the repair needs of one written table."""

    title: str
    key_col: int
    header_row: int
    before: Fresh  # the fresh read the first write was planned on


@dataclass
class Repair:
    """Rows still to put right, by key: ``pending`` keys whose values have not landed in their
    row, ``damaged`` keys whose row got cells of another (columns to put back), ``blank``
    rows without a key that got cells (title, row -> columns)."""

    tables: dict[str, Table]
    desired: dict[tuple[str, str], dict[int, Any]]  # (title, key) -> col -> API value
    origin: dict[tuple[str, str], int] = field(default_factory=dict)  # new keys: their row in ``before``
    pending: set[tuple[str, str]] = field(default_factory=set)
    damaged: dict[tuple[str, str], set[int]] = field(default_factory=dict)
    blank: dict[tuple[str, int], set[int]] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    cells: Cells = field(default_factory=dict)
    expected: dict[str, dict[int, str]] = field(default_factory=dict)  # title -> row -> key

    def check(self, written: Cells, expected: dict[str, dict[int, str]], responses: list[dict[str, Any]]) -> bool:
        """Compare a write's reply with the keys expected in its rows; note what went wrong.
        True when every written row held the expected key."""
        seen = read_back(responses)
        clean = True
        for title, rows in expected.items():
            table = self.tables[title]
            for row, key in rows.items():
                now = seen.get(title, {}).get(row)
                if now is None:
                    continue  # no values in the reply: nothing to check against
                actual = text(now.get(table.key_col))
                ours = {c for c, v in written.get(title, {}).get(row, {}).items() if v is not None}
                if actual == key:
                    self.pending.discard((title, key))
                    self.damaged.pop((title, key), None)
                    self.blank.pop((title, row), None)
                    continue
                clean = False
                if key:
                    self.pending.add((title, key))
                if actual:
                    self.damaged.setdefault((title, actual), set()).update(ours)
                else:
                    self.blank.setdefault((title, row), set()).update(ours)
        return clean

    def left(self) -> list[str]:
        """The rows still wrong, for the error message."""
        keys = sorted({k for _, k in self.pending} | {k for _, k in self.damaged})
        return keys + [f"{t} row {r} (no ID)" for t, r in sorted(self.blank)]

    def plan(self, fresh: dict[str, Fresh]) -> list[dict[str, Any]]:
        """The repair write, on a new read of the same columns (``fresh``, by title)."""
        self.cells, self.expected = {}, {}
        for (title, key) in sorted(self.pending | set(self.damaged)):
            table = self.tables[title]
            now = fresh.get(title) or Fresh(title)
            rows = key_rows((r, cols.get(table.key_col)) for r, cols in now.cells.items() if r > table.header_row)
            found = rows.get(key, [])
            if len(found) != 1:
                self.pending.discard((title, key))
                self.damaged.pop((title, key), None)
                self.dropped.append(f"{title}: {key} is no longer in the sheet (or is on several rows), "
                                    "so its update was dropped")
                continue
            row = found[0]
            before = self._before(table, key)
            desired = self.desired.get((title, key), {})
            wanted = set(desired) if (title, key) in self.pending else set()
            for col in sorted(wanted | self.damaged.get((title, key), set())):
                old = before.get(col)
                if _formula(old):
                    value = restore_value(old)
                elif col in desired:  # the row's own new value (it may have been overwritten after it landed)
                    if _formula(now.get(row, col)):
                        continue  # a formula typed meanwhile: left as it is
                    value = desired[col]
                else:
                    value = restore_value(old)
                self.cells.setdefault(title, {}).setdefault(row, {})[col] = value
            self.expected.setdefault(title, {})[row] = key
        for (title, row), cols in sorted(self.blank.items()):
            table = self.tables[title]
            now = fresh.get(title) or Fresh(title)
            if text(now.get(row, table.key_col)):
                continue  # the keyless row moved on: left for the error message
            self.cells.setdefault(title, {}).setdefault(row, {}).update({c: "" for c in cols})
            self.expected.setdefault(title, {})[row] = ""
        watched = {t: {r: (self.tables[t].key_col,) for r in rows} for t, rows in self.expected.items()}
        return blocks(self.cells, watched)

    def _before(self, table: Table, key: str) -> dict[int, Any]:
        row = self.origin.get((table.title, key))
        if row is None:
            rows = key_rows((r, cols.get(table.key_col)) for r, cols in table.before.cells.items()
                            if r > table.header_row).get(key, [])
            row = rows[0] if len(rows) == 1 else None
        return dict(table.before.cells.get(row, {})) if row is not None else {}


def _formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")
