"""What a write to Google knows of the spreadsheet's grids: each sheet's size as
spreadsheets.get described it, what the fresh read before a write saw, and the small
requests and values built from them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SheetMeta:
    """One grid sheet as spreadsheets.get described it."""

    sheet_id: int
    title: str
    rows: int
    cols: int
    basic_filter: dict[str, Any] | None = None  # as spreadsheets.get gives it: range, criteria, sort


def sheet_meta(meta: dict[str, SheetMeta], title: str) -> SheetMeta | None:
    """The sheet with this title, matched case-insensitively as the reader does."""
    if title in meta:
        return meta[title]
    wanted = title.strip().casefold()
    return next((m for t, m in meta.items() if t.strip().casefold() == wanted), None)


@dataclass
class Fresh:
    """What the fresh read before a write saw of one sheet (values as FORMULA)."""

    title: str
    header: list[Any] = field(default_factory=list)
    cells: dict[int, dict[int, Any]] = field(default_factory=dict)  # row -> col -> value (1-based)
    row_count: int = 0  # the grid's rows now (0 when not learned)
    col_count: int = 0

    def get(self, row: int, col: int) -> Any:
        return self.cells.get(row, {}).get(col)

    def last_used_row(self, at_least: int) -> int:
        used = [r for r, cols in self.cells.items() if any(v not in (None, "") for v in cols.values())]
        return max([at_least, *used])


def runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs in sorted numbers: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    found: list[tuple[int, int]] = []
    for n in numbers:
        if found and n == found[-1][1] + 1:
            found[-1] = (found[-1][0], n)
        else:
            found.append((n, n))
    return found


def append_dimension(sheet_id: int, dimension: str, length: int) -> dict[str, Any]:
    """A request adding ``length`` rows or columns at the end of a sheet's grid."""
    return {"appendDimension": {"sheetId": sheet_id, "dimension": dimension, "length": length}}


def new_sheet_id(used: set[int]) -> int:
    """A sheet id not in ``used`` (added to it), so one batch can add a sheet and use it."""
    while True:
        candidate = random.randint(1, 2**31 - 1)
        if candidate not in used:
            used.add(candidate)
            return candidate


def restore_value(value: Any) -> Any:
    """A value read with FORMULA rendering, to write back as it was (a formula stays one)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str) and not value.startswith("="):
        return "'" + value
    return value
