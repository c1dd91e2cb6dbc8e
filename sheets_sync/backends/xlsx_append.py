"""Appending rows to a big worksheet without holding it in memory (the Touches log).

When every change lies below the sheet's last row, the part is streamed: one pass finds
the end of its rows (keeping only its start and a window at its end), and the new part is
written by copying the original bytes through, with the dimension patched at the start and
the new rows and a grown filter at the end. Memory stays at a few megabytes whatever the
size of the log. Anything unexpected (no room found in the window, a self-closing
sheetData) returns None, and the caller patches the part in memory instead.
"""

from __future__ import annotations

import hashlib
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO

from sheets_sync.backends.xlsx_package import Package
from sheets_sync.backends.xlsx_sheet import (
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

HEAD = 256 << 10
WINDOW = 2 << 20
BLOCK = 1 << 20
STREAM_FROM = 16 << 20  # smaller parts are simply patched in memory


class StreamedPart:
    """A worksheet part to be written as original bytes + appended rows (see module doc)."""

    def __init__(self, pkg: Package, part: str, head: bytes, body_end: int, tail: bytes, rows: bytes) -> None:
        self.pkg = pkg
        self.part = part
        self.head = head  # the new start of the part, replacing the original's first ``head_len`` bytes
        self.head_len = 0
        self.body_end = body_end  # offset of </sheetData> in the original
        self.tail = tail  # the new end: from </sheetData> on
        self.rows = rows
        self.sha256 = ""
        self.size = 0

    def write_to(self, dest: IO[bytes]) -> None:
        """Write the new part into ``dest`` (a zip member being written); remember its hash."""
        digest = hashlib.sha256()

        def put(data: bytes) -> None:
            digest.update(data)
            dest.write(data)
            self.size += len(data)

        # A helper thread deflates (and hashes) each block while the next is inflated here:
        # zlib and hashlib work without the GIL.
        with ThreadPoolExecutor(1) as pool:
            pending: Future[None] | None = None

            def send(data: bytes) -> None:
                nonlocal pending
                if pending is not None:
                    pending.result()
                pending = pool.submit(put, data)

            send(self.head)
            with self.pkg.zip.open(self.part) as src:
                pos = 0
                while pos < self.body_end:
                    block = src.read(min(BLOCK, self.body_end - pos))
                    if not block:
                        raise OSError(f"{self.part} ended early")
                    start = max(self.head_len - pos, 0)
                    if start < len(block):
                        send(block[start:])
                    pos += len(block)
            send(self.rows)
            send(self.tail)
            if pending is not None:
                pending.result()
        self.sha256 = digest.hexdigest()

    def view(self) -> bytes:
        """A short stand-in for the new part: its start, the new rows, its end."""
        return self.head + self.rows + self.tail


def plan_append(pkg: Package, part: str, changes: dict[int, dict[int, object]], style: SheetStyle,
                sheet_name: str, grow_filter: tuple[int, int, int] | None) -> StreamedPart | None:
    """A StreamedPart when ``changes`` only append rows to a big part, else None."""
    info = pkg.infos.get(part)
    if info is None or info.file_size < STREAM_FROM or not changes:
        return None
    head = b""
    window = b""
    total = 0
    try:
        with pkg.zip.open(info) as src:
            while True:
                block = src.read(BLOCK)
                if not block:
                    break
                if len(head) < HEAD:
                    head += block[:HEAD - len(head)]
                window = (window + block)[-WINDOW:]
                total += len(block)
                if total > info.file_size:
                    return None
    except (zlib.error, OSError, EOFError, ValueError):  # damaged: the in-memory path reports it
        return None
    m = _SHEETDATA.search(head)
    if m is None or m.group(2) or total <= len(window) + HEAD:
        return None
    prefix = m.group(1).decode()
    close_at = window.rfind(f"</{prefix}sheetData>".encode())
    if close_at < 0:
        return None
    last_tag = window.rfind(f"<{prefix}row".encode(), 0, close_at)
    last = _ROW_TAG.match(window, last_tag) if last_tag >= 0 else None
    last_r = _attr_int(_R_ATTR, last.group(1)) if last else None
    if last_r is None or min(changes) <= last_r:
        return None
    col_styles = column_styles(head[:m.start()])
    report = SheetPatch()
    rows = b"".join(_new_row(prefix, r, changes[r], style, col_styles, report, sheet_name) for r in sorted(changes))
    new_head = _grow_dimension(head[:m.end()], min(changes), max(changes),
                               min((min(c) for c in changes.values() if c), default=1),
                               max((max(c) for c in changes.values() if c), default=1))
    tail = window[close_at:]
    if grow_filter is not None:
        tail = grow_ref_rows(tail, b"autoFilter", *grow_filter)
    streamed = StreamedPart(pkg, part, new_head, total - len(window) + close_at, tail, rows)
    streamed.head_len = m.end()
    return streamed
