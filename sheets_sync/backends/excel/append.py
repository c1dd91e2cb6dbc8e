"""Appending rows to a big worksheet without holding it in memory (the Touches log).

When every change lies below the sheet's last row, the part is streamed in one pass: the
original's bytes go through, with the dimension patched at the start, into a deflated
temporary file (a SpilledPart) while a window of its last bytes is held back; at the end
that window shows where the rows end, and the new rows and a grown filter go there.
Memory stays at a few megabytes whatever the size of the log. Anything unexpected (no room
found in the window, a self-closing sheetData, a change above the last row) returns None,
and the caller patches the part in memory instead.
"""

from __future__ import annotations

import zipfile
from collections import deque
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from sheets_sync.backends.excel import deflate
from sheets_sync.backends.excel.package import Package
from sheets_sync.backends.excel.sheet import (
    _R_ATTR,
    _ROW_TAG,
    _SHEETDATA,
    SheetPatch,
    SheetStyle,
    _attr_int,
    _grow_dimension,
    _new_row,
    column_styles,
    grow_ref_rows,
)
from sheets_sync.backends.excel.spill import SPILL_FROM, SpilledPart

HEAD = 256 << 10
WINDOW = 2 << 20
BLOCK = 256 << 10
STREAM_FROM = SPILL_FROM  # smaller parts are simply patched in memory (and kept there)


class _NotAnAppend(Exception):
    """The part is not one the rows can be streamed onto."""


# What reading a damaged part raises: the in-memory path reports it, so streaming just stops.
_DAMAGED: tuple[type[Exception], ...] = (zipfile.BadZipFile, *deflate.ERRORS, EOFError, ValueError)


class StreamedPart(SpilledPart):
    """A big part with rows appended, deflated in a temporary file (see module doc); read
    back like any spilled part."""


def streamed_append(pkg: Package, part: str, changes: dict[int, dict[int, object]], style: SheetStyle,
                sheet_name: str, grow_filter: tuple[int, int, int] | None,
                folder: Path | None = None) -> StreamedPart | None:
    """A StreamedPart when ``changes`` only append rows to a big part, else None."""
    info = pkg.infos.get(part)
    if info is None or info.file_size < STREAM_FROM or not changes:
        return None
    try:
        return StreamedPart(_pieces(pkg, info, changes, style, sheet_name, grow_filter), folder)
    except _NotAnAppend:
        return None
    except _DAMAGED:
        return None


def _pieces(pkg: Package, info: zipfile.ZipInfo, changes: dict[int, dict[int, object]], style: SheetStyle,
            sheet_name: str, grow_filter: tuple[int, int, int] | None) -> Iterator[bytes | memoryview]:
    """The new part's bytes, a block at a time; raises _NotAnAppend (at any point) when the
    rows cannot be appended this way."""
    with pkg.open(info.filename) as src:
        head = b""
        while len(head) < HEAD:
            block = src.read(HEAD - len(head))
            if not block:
                break
            head += block
        total = len(head)
        m = _SHEETDATA.search(head)
        if m is None or m.group(2):
            raise _NotAnAppend
        prefix = m.group(1).decode()
        new_head = _grow_dimension(head[:m.end()], min(changes), max(changes),
                                   min((min(c) for c in changes.values() if c), default=1),
                                   max((max(c) for c in changes.values() if c), default=1))
        yield new_head
        # The new rows are made a few at a time between the blocks, while a helper thread
        # deflates the last block (see SpilledPart): made after the stream they took a
        # second of a big run on their own.
        col_styles = column_styles(head[:m.start()])
        report = SheetPatch()
        rows_to_make = (_new_row(prefix, r, changes[r], style, col_styles, report, sheet_name) for r in sorted(changes))
        per_block = len(changes) * BLOCK // max(info.file_size, 1) + 1
        made: list[bytes] = []
        window: deque[bytes] = deque([head[m.end():]])  # the last bytes read, held back
        held = len(window[0])
        while True:
            block = src.read(BLOCK)
            if not block:
                break
            total += len(block)
            if total > info.file_size:
                raise _NotAnAppend
            window.append(block)
            held += len(block)
            while held - len(window[0]) >= WINDOW:
                held -= len(window[0])
                yield window.popleft()
                made.extend(islice(rows_to_make, per_block))
    # The end of the rows is in the last blocks: only those are joined, the rest goes as it is.
    close, row_tag = f"</{prefix}sheetData>".encode(), f"<{prefix}row".encode()
    end, close_at, last_tag = b"", -1, -1
    while window and last_tag < 0:
        end = window.pop() + end
        close_at = end.rfind(close)
        last_tag = end.rfind(row_tag, 0, close_at) if close_at >= 0 else -1
    if close_at < 0:
        raise _NotAnAppend
    last = _ROW_TAG.match(end, last_tag) if last_tag >= 0 else None
    last_r = _attr_int(_R_ATTR, last.group(1)) if last else None
    if last_r is None or min(changes) <= last_r:
        raise _NotAnAppend
    made.extend(rows_to_make)
    tail = end[close_at:]
    if grow_filter is not None:
        tail = grow_ref_rows(tail, b"autoFilter", *grow_filter)
    yield from window
    yield memoryview(end)[:close_at]
    yield from made
    yield tail
