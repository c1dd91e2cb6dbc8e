"""A Backend that keeps the workbook in memory: for fast tests of the pure pipeline.

End-to-end behaviour is tested on real .xlsx files and the fake Google API; this one lets
rule tests run a whole sync in microseconds. It resolves batches into cells with the
same ``cells_for`` as the Excel writer.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sheets_sync.workbook import SheetContent, SheetData, WorkbookData, WriteBatch, WriteResult
from sheets_sync.write.cells import cells_for


class MemoryBackend:
    label = "memory"

    def __init__(self, sheets: dict[str, list[list[Any]]], state: Path) -> None:
        self.sheets = {k: [list(r) for r in v] for k, v in sheets.items()}
        self.state = state
        self.writes = 0

    def read(self) -> WorkbookData:
        return WorkbookData({k: SheetData(k, copy.deepcopy(v)) for k, v in self.sheets.items()}, 1900, "memory")

    def ensure_writable(self) -> None:
        pass

    def state_dir(self) -> Path:
        return self.state

    def default_outbox(self) -> Path:
        return self.state.parent / "outbox"

    def add_sheets(self, sheets: list[SheetContent], columns: dict[str, list[str]]) -> None:
        raise NotImplementedError

    def write(self, batch: WriteBatch, before_commit: Callable[[], None] | None = None) -> WriteResult:
        """Resolve ``batch`` into cells as the Excel writer does (``cells_for``), then set them."""
        self.writes += 1
        writes = cells_for(batch, self.read())
        if before_commit is not None:
            before_commit()
        for title, rows in writes.cells.items():
            sheet = self.sheets[title]
            for row, cols in rows.items():
                while len(sheet) < row:
                    sheet.append([])
                cells = sheet[row - 1]
                for col, value in cols.items():
                    while len(cells) < col:
                        cells.append(None)
                    cells[col - 1] = value
        for content in batch.tool_sheets:
            self.sheets[content.title] = [list(r) for r in content.rows]
        return WriteResult(len(writes.updated_rows), writes.appended, writes.dropped)
