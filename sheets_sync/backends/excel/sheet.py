"""Patching one worksheet's XML in place: only the target cells' bytes change.

The sheet is not parsed into a tree and serialized again (that is what rewrites formulas,
attributes and extension lists). Rows are located with a scan of the ``<row>`` tags; only
the rows that get a value are taken apart into cells, and only the target cells are
replaced or inserted in column order. Every other byte of the part is copied as it is.
Rows that do not exist yet are inserted in row order; the ``<dimension>`` grows to cover
what we wrote. A cell holding a formula is never overwritten (the staff's formula wins).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sheets_sync.a1 import col_index, col_letters
from sheets_sync.backends.excel.cells import cell_xml

_SHEETDATA = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData\b[^>]*?(/?)>")
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]*?)(/?)>")
_R_ATTR = re.compile(rb'\br=["\'](\d+)["\']')
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?)(?:/>|>(.*?)</(?:[A-Za-z_][\w.-]*:)?c>)", re.S)
_CELL_REF = re.compile(rb'\br=["\']([A-Z]{1,3})(\d+)["\']')
_STYLE = re.compile(rb'\bs=["\'](\d+)["\']')
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f\b")
_SPANS = re.compile(rb'\bspans="(\d+):(\d+)"')
_DIMENSION = re.compile(rb'<((?:[A-Za-z_][\w.-]*:)?)dimension\b[^>]*?\bref="([^"]*)"')
_RANGE = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")
_COLS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?col\b([^>]*?)/?>")


@dataclass
class SheetPatch:
    """What patching did beyond writing cells: cells left alone (formulas), rows touched."""

    kept_formulas: list[str] = field(default_factory=list)
    kept: list[tuple[int, int]] = field(default_factory=list)
    last_row: int = 0


@dataclass
class SheetStyle:
    """How to write a value in a cell: the date system and the date style function."""

    date_system: int
    date_style: Callable[[int | None], int]
    _tails: dict[tuple[object, ...], bytes] = field(default_factory=dict, repr=False)

    def cell(self, prefix: str, col: int, row: int, value: object, style: int | None) -> bytes:
        """``cell_xml`` as bytes. All that follows the cell's reference depends only on the
        value and the style: it is made once for each and reused, since a big sync writes
        a million cells, most of them the same few dates, counts and words."""
        kind = type(value)
        # Only types whose equal values are written alike (not 0.0 and -0.0, nor one
        # instant in two time zones), and no long one-off texts.
        key = (prefix, kind, value, style) if kind in _REUSABLE and (not isinstance(value, str) or len(value) <= 64) else None
        tail = self._tails.get(key) if key is not None else None
        if tail is None:
            xml = cell_xml(prefix, col, row, value, style, self.date_system, self.date_style)
            ref = f'{col_letters(col)}{row}"'
            tail = xml[xml.index(ref) + len(ref):].encode()
            if key is not None:
                if len(self._tails) >= 65536:
                    self._tails.clear()
                self._tails[key] = tail
        return b'<%sc r="%s%d"%s' % (prefix.encode(), _letters(col), row, tail)


_REUSABLE = frozenset((str, int, bool, dt.date, type(None)))


@functools.lru_cache(maxsize=20000)
def _letters(col: int) -> bytes:
    return col_letters(col).encode()


def _attr_int(pattern: re.Pattern[bytes], attrs: bytes) -> int | None:
    m = pattern.search(attrs)
    return int(m.group(1)) if m else None


def column_styles(xml: bytes) -> dict[int, int]:
    """1-based column -> style index from the sheet's <cols> (what Excel gives new cells)."""
    out: dict[int, int] = {}
    end = xml.find(b"sheetData")
    for m in _COLS.finditer(xml, 0, end if end > 0 else len(xml)):
        attrs = m.group(1)
        lo = re.search(rb'\bmin="(\d+)"', attrs)
        hi = re.search(rb'\bmax="(\d+)"', attrs)
        st = re.search(rb'\bstyle="(\d+)"', attrs)
        if lo and hi and st:
            for col in range(int(lo.group(1)), min(int(hi.group(1)), 16384) + 1):
                out[col] = int(st.group(1))
    return out


def patch_sheet(xml: bytes, changes: dict[int, dict[int, object]], style: SheetStyle, sheet_name: str,
                inherit_rows: frozenset[int] = frozenset(),
                grow_filter: tuple[int, int, int] | None = None, header_styles: dict[int, int] | None = None
                ) -> tuple[bytes, SheetPatch]:
    """``xml`` with ``changes`` (row -> column -> value, 1-based) applied; see module doc.
    Cells written in ``inherit_rows`` (header rows) take their column's style in
    ``header_styles``, or without one (new cells only) the style of the cell on their left.
    ``grow_filter`` = (header row, old last row, new last row) extends the sheet's filter
    over appended rows."""
    report = SheetPatch()
    data = b"".join(patched_pieces(xml, changes, style, sheet_name, report, inherit_rows, grow_filter, header_styles))
    return data, report


def patched_pieces(xml: bytes, changes: dict[int, dict[int, object]], style: SheetStyle, sheet_name: str,
                   report: SheetPatch, inherit_rows: frozenset[int] = frozenset(),
                   grow_filter: tuple[int, int, int] | None = None,
                   header_styles: dict[int, int] | None = None) -> Iterator[bytes | memoryview]:
    """``patch_sheet`` a piece at a time (the original's bytes as views, the new rows as
    bytes), so a big sheet can be written out without a second copy of it in memory;
    ``report`` is filled in as the pieces go."""
    m = _SHEETDATA.search(xml)
    if m is None:
        raise ValueError("worksheet has no sheetData")
    prefix = m.group(1).decode()
    rows = _RowPatcher(prefix, changes, style, sheet_name, report, column_styles(xml[:m.start()]), inherit_rows,
                       header_styles)
    if m.group(2):  # <sheetData/>
        body_start = body_end = m.end()
        head = xml[:m.start()] + f"<{prefix}sheetData>".encode()
        tail = f"</{prefix}sheetData>".encode() + xml[m.end():]
    else:
        body_start = m.end()
        body_end = xml.find(f"</{prefix}sheetData>".encode(), body_start)
        if body_end < 0:
            raise ValueError("worksheet sheetData is not closed")
        head = xml[:body_start]
        tail = xml[body_end:]
    yield rows.head(head)
    yield from rows.stretch(xml, body_start, body_end)
    yield from rows.rest()
    yield rows.tail(tail, grow_filter)


def patched_stream(blocks: Iterable[bytes], changes: dict[int, dict[int, object]], style: SheetStyle,
                   sheet_name: str, report: SheetPatch, inherit_rows: frozenset[int] = frozenset(),
                   grow_filter: tuple[int, int, int] | None = None,
                   header_styles: dict[int, int] | None = None) -> Iterator[bytes | memoryview]:
    """``patched_pieces`` of the part whose bytes ``blocks`` gives, never held whole: the
    rows are patched a stretch of whole rows at a time, as the blocks come. The same bytes
    as ``patched_pieces`` of the whole part."""
    feed = iter(blocks)
    buf = b""
    while (m := _SHEETDATA.search(buf)) is None:
        block = next(feed, None)
        if block is None:
            raise ValueError("worksheet has no sheetData")
        buf += block
    if m.group(2):  # <sheetData/>: no rows to stream through
        yield from patched_pieces(buf + b"".join(feed), changes, style, sheet_name, report, inherit_rows,
                                  grow_filter, header_styles)
        return
    prefix = m.group(1).decode()
    rows = _RowPatcher(prefix, changes, style, sheet_name, report, column_styles(buf[:m.start()]), inherit_rows,
                       header_styles)
    yield rows.head(buf[:m.end()])
    close, close_row = f"</{prefix}sheetData>".encode(), f"</{prefix}row>".encode()
    buf = buf[m.end():]
    while (body_end := buf.find(close)) < 0:
        cut = buf.rfind(close_row)
        if cut >= 0:  # whole rows up to there; the rest waits for the next block
            cut += len(close_row)
            yield from rows.stretch(buf, 0, cut)
            buf = buf[cut:]
        block = next(feed, None)
        if block is None:
            raise ValueError("worksheet sheetData is not closed")
        buf += block
    yield from rows.stretch(buf, 0, body_end)
    yield from rows.rest()
    yield rows.tail(buf[body_end:] + b"".join(feed), grow_filter)


class _RowPatcher:
    """The rows of one sheet patched in order, a stretch of whole rows at a time (the
    whole sheetData, or what one block holds): the changed rows' cells replaced or added,
    new rows inserted before the first row below them, the rest of the bytes as they are."""

    def __init__(self, prefix: str, changes: dict[int, dict[int, object]], style: SheetStyle, sheet_name: str,
                 report: SheetPatch, col_styles: dict[int, int], inherit_rows: frozenset[int],
                 header_styles: dict[int, int] | None) -> None:
        self.prefix, self.changes, self.style, self.sheet_name = prefix, changes, style, sheet_name
        self.report, self.col_styles = report, col_styles
        self.inherit_rows, self.header_styles = inherit_rows, header_styles
        self.pending = sorted(changes)
        self.index = 0  # pending[index] is the next row to write
        self.row_no = 0  # the number of the last row passed (rows without r count on from it)
        self._row_at = f'<{prefix}row r="'.encode()
        self._row_open = f"<{prefix}row".encode()
        self._close_row = f"</{prefix}row>".encode()

    def head(self, head: bytes) -> bytes:
        """The part up to its rows, the dimension grown over the changes."""
        changes = self.changes
        if not changes:
            return head
        return _grow_dimension(head, min(changes), max(changes),
                               min((min(c) for c in changes.values() if c), default=1),
                               max((max(c) for c in changes.values() if c), default=1))

    def tail(self, tail: bytes, grow_filter: tuple[int, int, int] | None) -> bytes:
        """The part from </sheetData> on, the filter grown over appended rows."""
        self.report.last_row = max(self.changes) if self.changes else 0
        return grow_ref_rows(tail, b"autoFilter", *grow_filter) if grow_filter is not None else tail

    def stretch(self, xml: bytes, start: int, end: int) -> Iterator[bytes | memoryview]:
        """``xml[start:end]`` (whole rows) patched."""
        view = memoryview(xml)  # slices of it are not copies
        pending, index, row_no = self.pending, self.index, self.row_no
        pos = start
        last_tag = xml.rfind(self._row_open, start, end)
        last = _ROW_TAG.match(xml, last_tag) if last_tag >= 0 else None
        last_no = _attr_int(_R_ATTR, last.group(1)) if last else None
        jumping = last_no is not None
        last_no_or_0 = last_no or 0
        # Jump to each target row by its r="N" (as Excel writes rows): a byte search, where a
        # scan would take every row of a big sheet through a regex. A row not found that way
        # (no such row yet, r not first, rows without numbers) switches to the scan from there.
        while jumping and index < len(pending) and pending[index] <= last_no_or_0:
            at = xml.find(b'%s%d"' % (self._row_at, pending[index]), pos, end)
            rm = _ROW_TAG.match(xml, at) if at >= 0 else None
            if rm is None:
                break
            row_no = pending[index]
            yield view[pos:rm.start()]
            pos, piece = self._patched(xml, rm, row_no)
            yield piece
            index += 1
        for rm in _ROW_TAG.finditer(xml, pos, end):
            if index >= len(pending) or (jumping and pending[index] > last_no_or_0):
                break
            r = _attr_int(_R_ATTR, rm.group(1))
            row_no = r if r is not None else row_no + 1
            while index < len(pending) and pending[index] < row_no:
                yield view[pos:rm.start()]
                pos = rm.start()
                yield self._new(pending[index])
                index += 1
            if index < len(pending) and pending[index] == row_no:
                yield view[pos:rm.start()]
                pos, piece = self._patched(xml, rm, row_no)
                yield piece
                index += 1
        yield view[pos:end]
        self.index, self.row_no = index, last_no if last_no is not None else row_no

    def rest(self) -> Iterator[bytes]:
        """The new rows below every existing row."""
        while self.index < len(self.pending):
            yield self._new(self.pending[self.index])
            self.index += 1

    def _new(self, row: int) -> bytes:
        return _new_row(self.prefix, row, self.changes[row], self.style, self.col_styles, self.report,
                        self.sheet_name)

    def _patched(self, xml: bytes, rm: re.Match[bytes], row_no: int) -> tuple[int, bytes]:
        """The end of the existing row at ``rm`` and the row as it is to be written."""
        end = rm.end() if rm.group(2) else xml.find(self._close_row, rm.end()) + len(self._close_row)
        return end, _patch_row(xml[rm.start():end], rm, self.prefix, row_no, self.changes[row_no], self.style,
                               self.col_styles, self.report, self.sheet_name, row_no in self.inherit_rows,
                               self.header_styles)


def _new_row(prefix: str, row: int, cells: dict[int, object], style: SheetStyle, col_styles: dict[int, int],
             report: SheetPatch, sheet_name: str) -> bytes:
    cell = style.cell
    parts = b"".join([cell(prefix, col, row, value, col_styles.get(col)) for col, value in sorted(cells.items())])
    return b'<%srow r="%d">%s</%srow>' % (prefix.encode(), row, parts, prefix.encode())


def _patch_row(row_xml: bytes, tag: re.Match[bytes], prefix: str, row: int, cells: dict[int, object],
               style: SheetStyle, col_styles: dict[int, int], report: SheetPatch, sheet_name: str,
               inherit: bool = False, header_styles: dict[int, int] | None = None) -> bytes:
    tag_len = tag.end() - tag.start()
    open_tag = row_xml[:tag_len]
    row_attrs = tag.group(1)
    row_style = _attr_int(_STYLE, row_attrs) if b'customFormat="1"' in row_attrs or b"customFormat=\"true\"" in row_attrs else None
    if not inherit and not tag.group(2):
        fast = _fast_patch_row(row_xml, tag_len, prefix, row, cells, style, col_styles, report, sheet_name, row_style)
        if fast is not None:
            return fast
    if tag.group(2):  # <row .../>: no cells yet
        body = b""
        open_tag = open_tag[:-2].rstrip() + b">"
        closing = f"</{prefix}row>".encode()
    else:
        closing = row_xml[row_xml.rfind(b"</"):]
        body = row_xml[tag_len:len(row_xml) - len(closing)]
    todo = dict(sorted(cells.items()))
    out: list[bytes] = []
    pos = 0
    col = 0
    left_style = None
    for cm in _CELL.finditer(body):
        ref = _CELL_REF.search(cm.group(1))
        col = col_index(ref.group(1).decode()) if ref else col + 1
        for new_col in [c for c in todo if c < col]:
            out.append(body[pos:cm.start()])
            pos = cm.start()
            value = todo.pop(new_col)
            base = row_style if row_style is not None else col_styles.get(new_col)
            if inherit and header_styles and new_col in header_styles:
                base = header_styles[new_col]
            out.append(style.cell(prefix, new_col, row, value, base))
        if inherit and (cm.group(2) or b"").strip():
            left_style = _attr_int(_STYLE, cm.group(1))
        if col in todo:
            value = todo.pop(col)
            out.append(body[pos:cm.start()])
            pos = cm.end()
            inner = cm.group(2) or b""
            if _FORMULA.search(inner):
                report.kept_formulas.append(f"{sheet_name}!{col_letters(col)}{row}")
                report.kept.append((row, col))
                out.append(cm.group())
                continue
            current = _attr_int(_STYLE, cm.group(1))
            if inherit and header_styles and col in header_styles:
                current = header_styles[col]
            out.append(style.cell(prefix, col, row, value, current))
        if not todo:
            break
    # cells after the last existing one go after it (before a row extLst, if any)
    insert_at = len(body)
    last_cell_end = None
    for cm in _CELL.finditer(body, pos):
        last_cell_end = cm.end()
        if inherit and (cm.group(2) or b"").strip():
            left_style = _attr_int(_STYLE, cm.group(1))
    if todo:
        if last_cell_end is not None:
            insert_at = last_cell_end
        ext = body.find(b"extLst", pos)
        if last_cell_end is None and ext >= 0:
            insert_at = body.rfind(b"<", pos, ext)
        out.append(body[pos:insert_at])
        for new_col, value in todo.items():
            base = row_style if row_style is not None else col_styles.get(new_col)
            if inherit and header_styles and new_col in header_styles:
                base = header_styles[new_col]
            elif inherit and left_style is not None:
                base = left_style
            out.append(style.cell(prefix, new_col, row, value, base))
        pos = insert_at
    out.append(body[pos:])
    if cells:
        open_tag = _widen_spans(open_tag, min(cells), max(cells))
    return open_tag + b"".join(out) + closing


def _cell_start(row_xml: bytes, attr_at: int, cell_tag: bytes) -> int:
    """Where the <c> tag holding the attribute at ``attr_at`` starts, or -1 when that text
    is not inside a cell's start tag (it could be text that merely looks like one)."""
    lt = row_xml.rfind(b"<", 0, attr_at)
    if lt < 0 or row_xml.find(b">", lt, attr_at) >= 0:
        return -1
    return lt if row_xml.startswith(cell_tag, lt) else -1


def _fast_patch_row(row_xml: bytes, tag_len: int, prefix: str, row: int, cells: dict[int, object],
                    style: SheetStyle, col_styles: dict[int, int], report: SheetPatch, sheet_name: str,
                    row_style: int | None) -> bytes | None:
    """The common case without taking the row apart: each target cell either exists (found
    by its reference) or lies right of the last cell. None when that does not hold."""
    closing_at = row_xml.rfind(b"</")
    if row_xml.find(b"extLst", tag_len, closing_at) >= 0:
        return None
    cell_tag = f"<{prefix}c ".encode()
    last = row_xml.rfind(b' r="', tag_len, closing_at)
    if last < 0:
        if row_xml.find(f"<{prefix}c".encode(), tag_len, closing_at) >= 0:
            return None  # cells without references: count them the slow way
        last_col = 0
    else:
        if _cell_start(row_xml, last, cell_tag) < 0:
            return None
        m = _CELL_REF.match(row_xml, last + 1)
        if m is None:
            return None
        last_col = col_index(m.group(1).decode())
    edits: list[tuple[int, int, bytes]] = []
    close_c = f"</{prefix}c>".encode()
    for col in sorted(cells):
        value = cells[col]
        at = row_xml.find(b' r="%s%d"' % (_letters(col), row), tag_len, closing_at) if col <= last_col else -1
        if at >= 0:
            start = _cell_start(row_xml, at, cell_tag)
            if start < 0:
                return None
            gt = row_xml.find(b">", at)
            if row_xml[gt - 1:gt] == b"/":
                end, inner = gt + 1, b""
            else:
                end = row_xml.find(close_c, gt)
                if end < 0:
                    return None
                inner = row_xml[gt + 1:end]
                end += len(close_c)
            if b"f" in inner and _FORMULA.search(inner):  # no f: no <f> (most cells hold only a <v>)
                report.kept_formulas.append(f"{sheet_name}!{col_letters(col)}{row}")
                report.kept.append((row, col))
                continue
            style_at = _STYLE.search(row_xml, start, gt)
            current = int(style_at.group(1)) if style_at else None
            edits.append((start, end, style.cell(prefix, col, row, value, current)))
        elif col > last_col:
            base = row_style if row_style is not None else col_styles.get(col)
            edits.append((closing_at, closing_at, style.cell(prefix, col, row, value, base)))
        else:
            return None
    out = []
    pos = 0
    for start, end, new in edits:
        out.append(row_xml[pos:start])
        out.append(new)
        pos = end
    out.append(row_xml[pos:])
    data = b"".join(out)
    if cells:
        data = _widen_spans(data[:tag_len], min(cells), max(cells)) + data[tag_len:]
    return data


def _widen_spans(tag: bytes, lo: int, hi: int) -> bytes:
    m = _SPANS.search(tag)
    if m is None:
        return tag
    a, b = int(m.group(1)), int(m.group(2))
    if lo >= a and hi <= b:
        return tag
    return tag[:m.start()] + f'spans="{min(a, lo)}:{max(b, hi)}"'.encode() + tag[m.end():]


def parse_range(ref: str) -> tuple[int, int, int, int] | None:
    """(first_row, first_col, last_row, last_col) of "A1:K20" or "B3"; None when not a range."""
    m = _RANGE.match(ref.strip())
    if not m:
        return None
    c1, r1 = col_index(m.group(1)), int(m.group(2))
    c2, r2 = (col_index(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
    return r1, c1, r2, c2


def range_text(r1: int, c1: int, r2: int, c2: int) -> str:
    """"A1:K20" (or "A1" for one cell)."""
    first, last = f"{col_letters(c1)}{r1}", f"{col_letters(c2)}{r2}"
    return first if first == last else f"{first}:{last}"


def _grow_dimension(xml: bytes, r1: int, r2: int, c1: int, c2: int) -> bytes:
    m = _DIMENSION.search(xml)
    if m is None:
        return xml
    old = parse_range(m.group(2).decode())
    if old is None:
        return xml
    new = (min(old[0], r1), min(old[1], c1), max(old[2], r2), max(old[3], c2))
    if new == old:
        return xml
    start, end = m.span(2)
    return xml[:start] + range_text(*new).encode() + xml[end:]


def grow_ref_rows(xml: bytes, tag: bytes, header_row: int, old_last: int, new_last: int) -> bytes:
    """Extend the first ``<tag ref="...">`` whose range starts at ``header_row`` and ends at
    ``old_last`` (or below) down to ``new_last`` (autoFilter of a sheet, ref of a table)."""
    pattern = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?" + tag + rb'\b[^>]*?\bref="([^"]*)"')
    m = pattern.search(xml)
    if m is None:
        return xml
    rng = parse_range(m.group(1).decode())
    if rng is None or rng[0] != header_row or rng[2] >= new_last or rng[2] < header_row:
        return xml
    if rng[2] < old_last:
        return xml
    start, end = m.span(1)
    return xml[:start] + range_text(rng[0], rng[1], new_last, rng[3]).encode() + xml[end:]


def replace_sheet_data(xml: bytes, rows_xml: bytes, last_row: int, last_col: int) -> bytes:
    """``xml`` with its whole <sheetData> replaced (a tool sheet rewritten) and the
    dimension set to what the new data covers."""
    m = _SHEETDATA.search(xml)
    if m is None:
        raise ValueError("worksheet has no sheetData")
    prefix = m.group(1).decode()
    if m.group(2):
        end = m.end()
    else:
        close = f"</{prefix}sheetData>".encode()
        end = xml.find(close, m.end()) + len(close)
    data = xml[:m.start()] + f"<{prefix}sheetData>".encode() + rows_xml + f"</{prefix}sheetData>".encode() + xml[end:]
    d = _DIMENSION.search(data)
    if d is not None:
        start, stop = d.span(2)
        data = data[:start] + range_text(1, 1, max(last_row, 1), max(last_col, 1)).encode() + data[stop:]
    return data


def sheet_prefix(xml: bytes) -> str:
    """The namespace prefix the sheet uses for its main elements ("" or "x:")."""
    m = _SHEETDATA.search(xml)
    return m.group(1).decode() if m else ""
