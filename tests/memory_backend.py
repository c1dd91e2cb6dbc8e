"""A Backend that keeps the workbook in memory: for fast tests of the pure pipeline.

End-to-end behaviour is tested on real .xlsx files and the fake Google API; this one lets
rule tests run a whole sync in microseconds. It applies batches with the same keyed
semantics the real backends promise.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from sheets_sync.model.layout import normalize_header
from sheets_sync.workbook import SheetContent, SheetData, WorkbookData, WriteBatch, WriteResult


class MemoryBackend:
    label = "memory"

    def __init__(self, sheets: dict[str, list[list[Any]]], state: Path) -> None:
        self.sheets = {k: [list(r) for r in v] for k, v in sheets.items()}
        self.state = state
        self.writes = 0

    def read(self) -> WorkbookData:
        return WorkbookData({k: SheetData(k, copy.deepcopy(v)) for k, v in self.sheets.items()}, 1900, "memory")

    def state_dir(self) -> Path:
        return self.state

    def default_outbox(self) -> Path:
        return self.state.parent / "outbox"

    def add_sheets(self, sheets: list[SheetContent], columns: dict[str, list[str]]) -> None:
        raise NotImplementedError

    def _col(self, rows: list[list[Any]], header_row: int, header: str) -> int:
        header_cells = rows[header_row - 1]
        for index, cell in enumerate(header_cells):
            if normalize_header(cell) == normalize_header(header):
                return index
        raise KeyError(header)

    def write(self, batch: WriteBatch) -> WriteResult:
        self.writes += 1
        result = WriteResult()
        for sheet, headers in batch.new_columns.items():
            rows = self.sheets[sheet]
            hr = batch.tables[sheet].header_row
            last = max((i for i, c in enumerate(rows[hr - 1]) if c not in (None, "")), default=-1)
            for offset, header in enumerate(headers):
                row = rows[hr - 1]
                while len(row) <= last + 1 + offset:
                    row.append(None)
                row[last + 1 + offset] = header
        touched = set()
        for update in batch.updates:
            ref = update.table
            rows = self.sheets[ref.sheet]
            key_col = self._col(rows, ref.header_row, ref.key_header)
            if update.fill_key:
                target = update.row_hint - 1
                rows[target][key_col] = update.key
            else:
                matches = [i for i, r in enumerate(rows) if i >= ref.header_row and len(r) > key_col and str(r[key_col] or "") == update.key]
                if len(matches) != 1:
                    result.dropped.append(f"{ref.sheet}: {update.key} not found")
                    continue
                target = matches[0]
            for header, value in update.values.items():
                col = self._col(rows, ref.header_row, header)
                while len(rows[target]) <= col:
                    rows[target].append(None)
                rows[target][col] = value
            touched.add((ref.sheet, target))
        for sheet, new_rows in batch.appends.items():
            rows = self.sheets[sheet]
            hr = batch.tables[sheet].header_row
            for values in new_rows:
                row = [None] * len(rows[hr - 1])
                for header, value in values.items():
                    row[self._col(rows, hr, header)] = value
                rows.append(row)
                result.rows_appended += 1
        for content in batch.tool_sheets:
            self.sheets[content.title] = [list(r) for r in content.rows]
        result.rows_updated = len(touched)
        return result
