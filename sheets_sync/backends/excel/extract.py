"""Finding rows in a worksheet's XML: a small sheet holding only the wanted rows and cells
of a big one, for the read-back to parse (the rows in between are never decoded).
"""

from __future__ import annotations

from typing import IO

from sheets_sync.a1 import col_letters
from sheets_sync.backends.excel.sheet import _R_ATTR, _ROW_TAG, _SHEETDATA, _attr_int, _cell_start


def extract_rows(xml: bytes, rows: dict[int, set[int]]) -> bytes:
    """A small worksheet: ``xml`` with only the cells ``rows`` (row -> columns) left in its
    sheetData (everything outside sheetData as it is; a row whose cells cannot be located
    by reference is kept whole). Parsing it checks the sheet's structure and those cells
    without parsing the whole part."""
    m = _SHEETDATA.search(xml)
    if m is None:
        raise ValueError("worksheet has no sheetData")
    if m.group(2):
        return xml
    prefix = m.group(1).decode()
    body_end = xml.find(f"</{prefix}sheetData>".encode(), m.end())
    if body_end < 0:
        raise ValueError("worksheet sheetData is not closed")
    kept, _ = _extract_body(xml, m.end(), body_end, rows, prefix, 0)
    return xml[:m.end()] + b"".join(kept) + xml[body_end:]


def extract_rows_from(stream: IO[bytes], rows: dict[int, set[int]], block: int = 256 << 10) -> bytes:
    """``extract_rows`` of a part read ``block`` bytes at a time: holds one block and the
    wanted rows, never the whole part (a big sheet read back after a write)."""
    buf = b""
    while True:  # up to the sheetData start tag
        chunk = stream.read(block)
        buf += chunk
        m = _SHEETDATA.search(buf)
        if m is not None or not chunk:
            break
    if m is None or m.group(2):
        return extract_rows(buf + stream.read(), rows)  # no rows to skip: as it is
    prefix = m.group(1).decode()
    close, close_row = f"</{prefix}sheetData>".encode(), f"</{prefix}row>".encode()
    kept, buf, row_no = [buf[:m.end()]], buf[m.end():], 0
    while True:
        body_end = buf.find(close)
        if body_end >= 0:
            pieces, _ = _extract_body(buf, 0, body_end, rows, prefix, row_no)
            rest = [buf[body_end:]]
            for chunk in iter(lambda: stream.read(block), b""):
                rest.append(chunk)
            return b"".join(kept + pieces + rest)
        cut = buf.rfind(close_row)
        if cut >= 0:  # whole rows up to there; the rest waits for the next block
            cut += len(close_row)
            pieces, row_no = _extract_body(buf, 0, cut, rows, prefix, row_no)
            kept.extend(pieces)
            buf = buf[cut:]
        chunk = stream.read(block)
        if not chunk:
            raise ValueError("worksheet sheetData is not closed")
        buf += chunk


def _extract_body(xml: bytes, start: int, body_end: int, rows: dict[int, set[int]], prefix: str,
                  row_no: int) -> tuple[list[bytes], int]:
    """The wanted rows between ``start`` and ``body_end`` (whole rows), and the number of
    the last row seen (rows without an r attribute count on from ``row_no``)."""
    close_row = f"</{prefix}row>".encode()
    close_c = f"</{prefix}c>".encode()
    cell_tag = f"<{prefix}c ".encode()
    kept: list[bytes] = []
    targets = sorted(r for r in rows if r > row_no)
    last_tag = xml.rfind(f"<{prefix}row".encode(), start, body_end)
    last = _ROW_TAG.match(xml, last_tag) if last_tag >= 0 else None
    last_no = _attr_int(_R_ATTR, last.group(1)) if last else None
    if last_no is not None and (not targets or targets[0] > last_no):
        return kept, last_no  # no wanted row in this stretch (rows come in order)
    t, pos, jump = 0, start, True
    while True:
        while t < len(targets) and targets[t] <= row_no:
            t += 1
        if last_no is not None and t < len(targets) and targets[t] > last_no:
            return kept, last_no  # the rest of the wanted rows lie further on
        if jump and t < len(targets):
            # Jump to the next wanted row by its number (Excel writes it on every row). When
            # it is not found (rows without numbers, a missing row, or a row further on than
            # this block), the rest is counted row by row: one failed search, not one a row.
            at = xml.find(f'<{prefix}row r="{targets[t]}"'.encode(), pos, body_end)
            if at >= 0:
                pos, row_no = at, targets[t] - 1
            else:
                jump = False
        rm = _ROW_TAG.search(xml, pos, body_end)
        if rm is None:
            return kept, row_no
        pos = rm.end()
        r = _attr_int(_R_ATTR, rm.group(1))
        row_no = r if r is not None else row_no + 1
        if row_no not in rows:
            continue
        if rm.group(2):
            end = rm.end()
        else:
            end = xml.find(close_row, rm.end(), body_end)
            if end < 0:
                raise ValueError(f"worksheet row {row_no} is not closed")
            end += len(close_row)
        cells: list[bytes] = []
        # A row whose every cell is wanted (appended rows, a tool sheet) is kept whole: the
        # parser then takes the same cells from it, without a search for each.
        whole = xml.count(cell_tag, rm.end(), end) <= len(rows[row_no])
        for col in () if whole else sorted(rows[row_no]):
            at = xml.find(f' r="{col_letters(col)}{row_no}"'.encode(), rm.end(), end)
            begin = _cell_start(xml, at, cell_tag) if at >= 0 else -1
            if begin < 0:
                whole = True
                break
            gt = xml.find(b">", at)
            stop = gt + 1 if xml[gt - 1:gt] == b"/" else xml.find(close_c, gt) + len(close_c)
            cells.append(xml[begin:stop])
        if whole:  # kept whole, numbered: the rows before it are left out
            number = b"" if r is not None else f' r="{row_no}"'.encode()
            kept.append(xml[rm.start():rm.start(1)] + number + xml[rm.start(1):end])
        else:
            kept.append(f'<{prefix}row r="{row_no}">'.encode() + b"".join(cells) + close_row)
        pos = end
