"""How far a worksheet really reaches, found cheaply before python-calamine reads it.

calamine builds the whole rectangle from the first to the farthest cell (32 bytes a cell):
one stray value at XFD1048576 asks it for 512 GiB, and the process aborts in Rust. The
``<dimension>`` element is only a hint; the truth is in the cells' own ``r=`` references.

The common case costs a few regex passes over the part (no Python per cell): the
dimension's corner is taken as a guess, and the passes look for any cell whose reference
lies beyond it, or that has no plain ``r=`` reference first. When that finds nothing, the guess is the
extent. Otherwise an exact pass reads every cell reference. A sheet with a cell lacking its
reference gets ``plain=False`` (its place is implied, so only a real parse can tell).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sheets_sync.a1 import col_index
from sheets_sync.backends.excel.package import Package
from sheets_sync.errors import SourceError

MAX_ROWS = 1_048_576  # Excel's grid
MAX_COLS = 16_384  # XFD
DENSE_FREE = 2_000_000  # a rectangle this small is cheap for calamine whatever its shape
MAX_CELLS = 20_000_000  # cells in a workbook: about twice the 100,000-client benchmark
MAX_SLOTS = 40_000_000  # values + 8 per row that the readers may hold (8 bytes each)
BLOCK = 1 << 20

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?"')
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_ANY_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_CELL_REF = re.compile(rb'<(?:\w+:)?c\s(?:[^>]*?\s)?r="([A-Z]*)(\d*)"')

TOO_BIG = "{name}: refused: {what} (a damaged or hostile file)"


@dataclass(frozen=True)
class Extent:
    """The farthest row and column a sheet's cells name, and how many cells it has."""

    rows: int
    cols: int
    cells: int  # counted; for a rectangle of at most DENSE_FREE cells, its area (an upper bound)
    plain: bool  # every cell names its own place (r="A1") inside Excel's grid

    @property
    def area(self) -> int:
        """The cells of the rectangle from A1 to the farthest cell (what calamine allocates)."""
        return self.rows * self.cols

    def fits_calamine(self) -> bool:
        """True when calamine's rectangle is small, or no bigger than twice the cells it holds."""
        return self.plain and (self.area <= DENSE_FREE or self.area <= 2 * self.cells)


class Budget:
    """What the readers may hold for one workbook; SourceError (exit 3) past it."""

    def __init__(self, name: str, source: str, slots: int = MAX_SLOTS) -> None:
        self.name, self.source, self.left = name, source, slots

    def spend(self, slots: int) -> None:
        """Take ``slots`` (a value, or 8 for a row) from the budget."""
        self.left -= slots
        if self.left < 0:
            raise SourceError(TOO_BIG.format(name=self.name, what="its sheets hold more cells and rows than sheets-sync "
                                                                  "reads"), source=self.source)


def _greater(number: str, unit: bytes) -> bytes:
    """A regex for a string of ``unit`` (one character class) that sorts after ``number`` as
    Excel's references do: longer is greater, the same length compares character by character."""
    k = len(number)
    alts = [unit + b"{%d,}" % (k + 1)]
    for i, ch in enumerate(number):
        above = bytes((ord(ch) + 1,))
        top = b"9" if unit == rb"\d" else b"Z"
        if above <= top:
            rest = unit + b"{%d}" % (k - i - 1) if k - i - 1 else b""
            alts.append(re.escape(number[:i].encode()) + b"[" + above + b"-" + top + b"]" + rest)
    return b"(?:" + b"|".join(alts) + b")"


def _beyond(col: str, row: int) -> re.Pattern[bytes]:
    """A cell ``<c r="..."`` whose reference lies beyond ``col``/``row``, or a cell whose
    first attribute is not its reference."""
    # One pass over the cells for both; the letters taken possessively (a reference's
    # digits never start with one, so giving them back could not make a match).
    return re.compile(rb'<c(?: r="(?:[A-Z]*+' + _greater(str(row), rb"\d") + rb'"|' + _greater(col, b"[A-Z]") + rb"\d)"
                      rb'|(?! r=")[\s/>])')


def _windows(pkg: Package, part: str) -> Iterator[bytes]:
    """The part in blocks cut after a ``>`` (no tag is split), one block at a time, read with
    ``Package.blocks``' checks (DTD, size, CRC at the end: ``check_all``'s own)."""
    carry = b""
    pending: list[bytes] = []
    size = 0
    for block in pkg.blocks(part):
        pending.append(block)
        size += len(block)
        if size < BLOCK:
            continue
        window = carry + b"".join(pending)
        pending.clear()
        size = 0
        cut = window.rfind(b">") + 1
        if cut == 0 and len(window) > 2 * BLOCK:  # no tag in sight: a text; keep a tail
            cut = len(window) - 64
        yield window[:cut]
        carry = window[cut:]
    carry += b"".join(pending)
    if carry:
        yield carry


def sheet_extent(pkg: Package, part: str) -> Extent:
    """The farthest row and column named by the cells of the worksheet ``part``.

    The part is read to its end with ``Package.blocks``' checks, so a sheet whose extent
    is known has passed ``check_all``'s checks too (SourceError otherwise)."""
    beyond: re.Pattern[bytes] | None = None
    cells = rows = cols = 0
    counting = False
    for window in _windows(pkg, part):
        if beyond is None:
            m = _DIMENSION.search(window)
            if m is None:
                return _exact(pkg, part)
            col, row = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
            rows, cols = int(row), col_index(col.decode())
            if rows > MAX_ROWS or cols > MAX_COLS:
                return _exact(pkg, part)
            beyond = _beyond(col.decode(), rows)
            counting = rows * cols > DENSE_FREE  # a smaller rectangle is cheap: its area stands for its cells
        if beyond.search(window) or _PREFIXED_CELL.search(window):
            return _exact(pkg, part)
        if counting:
            cells += window.count(b"<c ")
    return Extent(rows, cols, cells if counting else rows * cols, True)


def _exact(pkg: Package, part: str) -> Extent:
    """Every cell reference read (Python per cell: only for odd or hostile sheets)."""
    cells = rows = cols = 0
    letters: set[bytes] = set()
    windows = _windows(pkg, part)
    for window in windows:
        refs = _CELL_REF.findall(window)
        tags = len(_ANY_CELL.findall(window))
        cells += tags
        if tags != len(refs) or any(not c or not r for c, r in refs):
            _drain(windows)
            return Extent(0, 0, cells, False)
        letters.update(c for c, _ in refs)
        digits = max((r.lstrip(b"0") or b"0" for _, r in refs), key=lambda r: (len(r), r), default=b"0")
        if len(digits) > 7 or max(map(len, letters), default=0) > 3:
            _drain(windows)
            return Extent(MAX_ROWS + 1, MAX_COLS + 1, cells, False)
        rows = max(rows, int(digits))
    cols = max((col_index(c.decode()) for c in letters), default=0)
    plain = rows <= MAX_ROWS and cols <= MAX_COLS
    return Extent(rows, cols, cells, plain)


def _drain(windows: Iterator[bytes]) -> None:
    """Read the rest of the part: its checks (the CRC at the end) run even when the answer is known."""
    for _ in windows:
        pass
