"""Tool columns added to a staff sheet, made readable: the sheet's XML around them.

When a run (or ``init --into``) adds the tool's columns (Touches, Last Touch, Next Action,
...) at the right of a staff table, they get:

- a width that fits their header and the values written (dates never show ``###``), capped;
- a header style that marks them as the tool's (bold on grey, as in a workbook ``init``
  makes), not a copy of the staff's header;
- the sheet's own date format on date columns (the number format of the dates the staff
  already have in that sheet; the short-date format otherwise), as the column's style, so
  rows the staff add later show dates too;
- the staff's filter extended over them, when it covers the table up to them;
- a note on each header: "written by sheets-sync on every run" (a legacy comment, the kind
  Excel, LibreOffice and openpyxl all read: a comments part and its VML drawing, or
  entries added to the ones the sheet already has).

The staff's own columns that ``init --into`` adds (Phone, Lost On, ...) get the width, the
filter and the date format too, but keep the look of the staff's header and have no note.

Only the ``<cols>`` list, the ``<autoFilter>`` range and (once) a ``<legacyDrawing>``
reference change in the sheet part; everything else keeps its bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sheets_sync.a1 import col_letters
from sheets_sync.backends.excel.cells import escape_text
from sheets_sync.backends.excel.read import read_rels
from sheets_sync.backends.excel.sheet import parse_range, range_text
from sheets_sync.model.layout import layout_column

if TYPE_CHECKING:
    from sheets_sync.backends.excel.styles import Styles
    from sheets_sync.backends.excel.write import Editor

COMMENT = "written by sheets-sync on every run"
AUTHOR = "sheets-sync"
MAX_WIDTH = 50  # characters: a longer text wraps or runs on rather than making the column huge
MIN_WIDTH = 9
SCAN_BYTES = 256 * 1024  # where the sheet's own date format is looked for: its first rows
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
REL_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
REL_VML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CELL_STYLE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\b[^>]*?\bs="(\d+)"')
_COL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?col\b([^>]*?)/>|<(?:[A-Za-z_][\w.-]*:)?col\b([^>]*)>.*?</(?:[A-Za-z_][\w.-]*:)?col>",
                  re.S)
_EXTLST = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?extLst\b[^>]*?(/?)>")
_MIN_MAX = re.compile(rb'\b(min|max)="(\d+)"')
# What follows <legacyDrawing> in a worksheet (CT_Worksheet's order): it goes before the first of these.
_AFTER_LEGACY = (b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls", b"webPublishItems",
                 b"tableParts")


@dataclass
class NewColumns:
    """The columns a write adds to one sheet: header row, column -> header text; which of
    them the tool writes (the others, added by ``init --into``, are for the staff)."""

    header_row: int
    headers: dict[int, str]
    widths: dict[int, float] = field(default_factory=dict)
    date_cols: set[int] = field(default_factory=set)
    tool_cols: set[int] = field(default_factory=set)


def plan_columns(header_row: int, headers: dict[int, str], cells: dict[int, dict[int, object]],
                 date_format: str) -> NewColumns:
    """Widths for the new columns from their header, the layout's width for them (room for
    what later runs write) and the values written below it now (a date as wide as
    ``date_format`` shows it)."""
    columns = {c: layout_column(h) for c, h in headers.items()}
    new = NewColumns(header_row, dict(headers),
                     date_cols={c for c, col in columns.items() if col is not None and col.kind == "date"},
                     tool_cols={c for c, col in columns.items() if col is not None and col.tool})
    date_width = shown_date_width(date_format)
    widest = {c: max(len(h) + 2, col.width if (col := columns[c]) is not None else 0)  # + 2: bold, the filter's button
              for c, h in headers.items()}
    if new.date_cols:
        for c in new.date_cols:
            widest[c] = max(widest[c], date_width)
    for row, values in cells.items():
        if row == header_row:
            continue
        for c, value in values.items():
            if c not in widest or value is None:
                continue
            n = date_width if isinstance(value, (dt.date, dt.datetime)) else len(str(value))
            if n > widest[c]:
                widest[c] = n
    new.widths = {c: float(min(max(n + 1, MIN_WIDTH), MAX_WIDTH)) for c, n in widest.items()}
    return new


def shown_date_width(code: str) -> int:
    """About how many characters a date in number format ``code`` shows."""
    text = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "x", code)
    text = re.sub(r"(?i)mmmmm", "x", text)
    text = re.sub(r"(?i)mmmm|dddd", "x" * 9, text)
    text = re.sub(r"(?i)yyyy", "xxxx", text)
    return max(len(text.split(";")[0]), 10)


def sheet_date_format(xml: bytes, styles: Styles) -> int | None:
    """The number format id of the dates the sheet already shows (the commonest among the
    styles of its first rows' cells), or None when it shows none there."""
    start = xml.find(b"sheetData")
    counts = Counter(int(m.group(1)) for m in _CELL_STYLE.finditer(xml, max(start, 0), max(start, 0) + SCAN_BYTES))
    for style, _ in counts.most_common():
        if styles.is_date(style):
            return styles.num_fmt(style)
    return None


def dress_sheet(xml: bytes, new: NewColumns, col_styles: dict[int, int], legacy_rid: str | None) -> bytes:
    """``xml`` with the new columns' <col> entries (width, and ``col_styles``), the filter
    grown over them and, with ``legacy_rid``, a <legacyDrawing> for their notes."""
    xml = _with_cols(xml, new.widths, col_styles)
    xml = _grow_filter(xml, new)
    if legacy_rid is not None:
        xml = _with_legacy_drawing(xml, legacy_rid)
    return xml


def _col_xml(prefix: str, lo: int, hi: int, attrs: str) -> bytes:
    return f'<{prefix}col min="{lo}" max="{hi}"{attrs}/>'.encode()


def _with_cols(xml: bytes, widths: dict[int, float], col_styles: dict[int, int]) -> bytes:
    """Each new column gets its own <col> (an existing one covering it is split around it)."""
    data_at = re.search(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData\b", xml)
    if data_at is None or not widths:
        return xml
    prefix = data_at.group(1).decode()
    ours = {c: f' width="{w:g}"' + (f' style="{col_styles[c]}"' if c in col_styles else "") + ' customWidth="1"'
            for c, w in widths.items()}
    cols = re.search(rb"<(?:[A-Za-z_][\w.-]*:)?cols\b[^>]*?(/?)>", xml[:data_at.start()])
    if cols is None:
        block = f"<{prefix}cols>".encode() + b"".join(_col_xml(prefix, c, c, a) for c, a in sorted(ours.items()))
        block += f"</{prefix}cols>".encode()
        return xml[:data_at.start()] + block + xml[data_at.start():]
    if cols.group(1):  # <cols/>
        inner_start = inner_end = cols.end()
        opening = cols.group()[:-2].rstrip() + b">"
        closing = f"</{prefix}cols>".encode()
    else:
        inner_start = cols.end()
        inner_end = xml.find(b"</", inner_start)
        while inner_end >= 0 and not re.match(rb"</(?:[A-Za-z_][\w.-]*:)?cols\s*>", xml[inner_end:inner_end + 64]):
            inner_end = xml.find(b"</", inner_end + 2)
        if inner_end < 0:
            return xml
        opening, closing = cols.group(), b""
    inner = xml[inner_start:inner_end]
    out: list[bytes] = []
    pending = sorted(ours)
    pos = 0
    for m in _COL.finditer(inner):
        bounds = dict((k.decode(), int(v)) for k, v in _MIN_MAX.findall(m.group(1) or m.group(2) or b""))
        lo, hi = bounds.get("min", 0), bounds.get("max", 0)
        before = [c for c in pending if c < lo]
        inside = [c for c in pending if lo <= c <= hi]
        out.append(inner[pos:m.start()])
        out += [_col_xml(prefix, c, c, ours[c]) for c in before]
        if inside and m.group(1) is not None:
            attrs = _MIN_MAX.sub(b"", m.group(1)).decode()
            attrs = " " + " ".join(attrs.split()) if attrs.strip() else ""
            edge = lo
            for c in inside:
                if edge < c:
                    out.append(_col_xml(prefix, edge, c - 1, attrs))
                out.append(_col_xml(prefix, c, c, ours[c]))
                edge = c + 1
            if edge <= hi:
                out.append(_col_xml(prefix, edge, hi, attrs))
        else:  # an odd <col> with content: left as it is, and its columns with it
            out.append(m.group())
        pending = [c for c in pending if c > hi]
        pos = m.end()
    out.append(inner[pos:])
    out += [_col_xml(prefix, c, c, ours[c]) for c in pending]
    return xml[:cols.start()] + opening + b"".join(out) + closing + xml[inner_end:]


def _grow_filter(xml: bytes, new: NewColumns) -> bytes:
    """The sheet's filter, when it starts on the header row and reaches the column before
    the new ones, extended over them."""
    m = re.search(rb'<(?:[A-Za-z_][\w.-]*:)?autoFilter\b[^>]*?\bref="([^"]*)"', xml)
    if m is None:
        return xml
    rng = parse_range(m.group(1).decode())
    first, last = min(new.headers), max(new.headers)
    if rng is None or rng[0] != new.header_row or not first - 1 <= rng[3] < last:
        return xml
    return xml[:m.start(1)] + range_text(rng[0], rng[1], rng[2], last).encode() + xml[m.end(1):]


def _with_legacy_drawing(xml: bytes, rid: str) -> bytes:
    """A <legacyDrawing r:id=...> where the schema puts it (see _AFTER_LEGACY)."""
    data_end = xml.rfind(b"sheetData")
    tail_at = max(data_end, 0)
    root = re.search(rb"<((?:[A-Za-z_][\w.-]*:)?)worksheet\b[^>]*>", xml)
    prefix = root.group(1).decode() if root else ""
    ns = re.search(rb'xmlns:([A-Za-z_][\w.-]*)="' + re.escape(NS_R.encode()) + rb'"', root.group() if root else b"")
    attr = f'{ns.group(1).decode()}:id="{rid}"' if ns else f'xmlns:r="{NS_R}" r:id="{rid}"'
    element = f"<{prefix}legacyDrawing {attr}/>".encode()
    at = _top_level_end(xml, tail_at)
    for tag in _AFTER_LEGACY:
        m = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?" + tag + rb"[\s/>]").search(xml, tail_at)
        if m is not None and m.start() < at:
            at = m.start()
    # inside an mc:AlternateContent (controls, OLE objects): before the whole of it
    alt = xml.rfind(b"<mc:AlternateContent", tail_at, at)
    if alt >= 0 and xml.find(b"</mc:AlternateContent>", alt, at) < 0:
        at = alt
    return xml[:at] + element + xml[at:]


def _top_level_end(xml: bytes, start: int) -> int:
    """Where the worksheet's own <extLst> starts (its last child), else its closing tag."""
    close = xml.rfind(b"</")
    body_end = close
    if re.match(rb"\s*$", xml[xml.find(b">", close) + 1:]) is None:
        return close
    before = xml[start:body_end].rstrip()
    if not re.search(rb"</(?:[A-Za-z_][\w.-]*:)?extLst>$", before):
        return body_end
    depth, pos = 0, start + len(before)
    for m in reversed(list(_EXTLST.finditer(xml, start, pos))):
        if m.group(1):
            depth += 1
        elif not m.group(2):
            depth -= 1
            if depth == 0:
                return m.start()
    return body_end


def add_notes(editor: Editor, sheet_part: str, new: NewColumns) -> str | None:
    """Put the note on each new header: in the sheet's comments when it has them (None
    returned: the sheet already links them), else in a new comments part and VML drawing
    (their relationship Id returned, for the sheet's <legacyDrawing>)."""
    refs = [f"{col_letters(c)}{new.header_row}" for c in sorted(new.tool_cols)]
    if not refs:
        return None
    rels = read_rels(editor.pkg, sheet_part)
    comments = next((t for _, (ty, t, mode) in rels.items() if ty.endswith("/comments") and mode != "External"), None)
    vml = next((t for _, (ty, t, mode) in rels.items() if ty.endswith("/vmlDrawing") and mode != "External"), None)
    if comments is not None and vml is not None and editor.has(comments) and editor.has(vml):
        taken = set(re.findall(rb'<(?:[A-Za-z_][\w.-]*:)?comment\b[^>]*?\bref="([^"]*)"', editor.part(comments)))
        refs = [r for r in refs if r.encode() not in taken]
        if refs:
            editor.changed[comments] = _comments_added(editor.part(comments), refs)
            editor.changed[vml] = _shapes_added(editor.part(vml), refs)
        return None
    if comments is not None or vml is not None:
        return None  # half a set (a damaged or odd file): no notes rather than a second set
    folder = sheet_part.rsplit("/", 2)[0] + "/" if sheet_part.count("/") >= 2 else ""
    comments = editor.free_name(folder.rstrip("/") or "xl", "comments", ".xml")
    vml = editor.free_name(f"{folder}drawings", "vmlDrawing", ".vml")
    editor.changed[comments] = _comments_part(refs)
    editor.changed[vml] = _vml_part(refs, _free_idmap(editor))
    editor.add_override(comments, CT_COMMENTS)
    editor.add_override(vml, CT_VML)
    editor.add_rel(sheet_part, REL_COMMENTS, comments)
    return editor.add_rel(sheet_part, REL_VML, vml)


def _comment(prefix: str, ref: str, author_id: int) -> str:
    return (f'<{prefix}comment ref="{ref}" authorId="{author_id}"><{prefix}text><{prefix}r><{prefix}t>'
            f"{escape_text(COMMENT)}</{prefix}t></{prefix}r></{prefix}text></{prefix}comment>")


def _comments_part(refs: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<comments xmlns="{NS_MAIN}"><authors><author>{AUTHOR}</author></authors><commentList>'
        + "".join(_comment("", ref, 0) for ref in refs) + "</commentList></comments>"
    ).encode()


def _comments_added(data: bytes, refs: list[str]) -> bytes:
    """An existing comments part with our author (once) and our comments appended."""
    root = re.search(rb"<((?:[A-Za-z_][\w.-]*:)?)comments\b", data)
    prefix = root.group(1).decode() if root else ""
    authors = re.findall(rb"<(?:[A-Za-z_][\w.-]*:)?author\b[^>]*>(.*?)</(?:[A-Za-z_][\w.-]*:)?author>", data, re.S)
    if AUTHOR.encode() in authors:
        author_id = authors.index(AUTHOR.encode())
    else:
        author_id = len(authors)
        close = re.search(rb"</(?:[A-Za-z_][\w.-]*:)?authors\s*>", data)
        entry = f"<{prefix}author>{AUTHOR}</{prefix}author>".encode()
        if close is not None:
            data = data[:close.start()] + entry + data[close.start():]
        else:
            empty = re.search(rb"<(?:[A-Za-z_][\w.-]*:)?authors\s*/>", data)
            if empty is None:
                return data
            data = data[:empty.start()] + f"<{prefix}authors>".encode() + entry + f"</{prefix}authors>".encode() \
                + data[empty.end():]
    close = re.search(rb"</(?:[A-Za-z_][\w.-]*:)?commentList\s*>", data)
    added = "".join(_comment(prefix, ref, author_id) for ref in refs).encode()
    if close is not None:
        return data[:close.start()] + added + data[close.start():]
    empty = re.search(rb"<(?:[A-Za-z_][\w.-]*:)?commentList\s*/>", data)
    if empty is None:
        return data
    return data[:empty.start()] + f"<{prefix}commentList>".encode() + added + f"</{prefix}commentList>".encode() \
        + data[empty.end():]


def _free_idmap(editor: Editor) -> int:
    """A VML shape-id block no other drawing of the workbook uses (Excel wants them unique)."""
    used = {0}
    for name in editor.pkg.infos:
        if name.endswith(".vml"):
            used |= {int(n) for m in re.findall(rb'<o:idmap\b[^>]*?data="([\d,\s]*)"', editor.part(name))
                     for n in re.findall(rb"\d+", m)}
    return max(used) + 1


def _shape(ref: str, shape_id: int) -> str:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    assert m is not None
    row = int(m.group(2)) - 1
    col = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(m.group(1)))) - 1
    return (
        f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;'
        'margin-top:2pt;width:150pt;height:40pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
        '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
        '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
        '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:Anchor>{col + 1}, 15, {row}, 2, {col + 3}, 15, {row + 3}, 16</x:Anchor><x:AutoFill>False</x:AutoFill>"
        f"<x:Row>{row}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>"
    )


_SHAPETYPE = ('<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
              '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


def _vml_part(refs: list[str], idmap: int) -> bytes:
    shapes = "".join(_shape(ref, idmap * 1024 + 1 + i) for i, ref in enumerate(refs))
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{idmap}"/></o:shapelayout>'
        f"{_SHAPETYPE}{shapes}</xml>"
    ).encode()


def _shapes_added(data: bytes, refs: list[str]) -> bytes:
    """An existing VML drawing with a note shape for each of ``refs`` appended."""
    ids = [int(n) for n in re.findall(rb'\bid="_x0000_s(\d+)"', data)]
    idmap = re.search(rb'<o:idmap\b[^>]*?data="(\d+)', data)
    first = max(ids, default=(int(idmap.group(1)) if idmap else 1) * 1024) + 1
    shapes = "".join(_shape(ref, first + i) for i, ref in enumerate(refs)).encode()
    if b'id="_x0000_t202"' not in data:
        shapes = _SHAPETYPE.encode() + shapes
    close = data.rfind(b"</xml>")
    if close < 0:
        return data
    return data[:close] + shapes + data[close:]


def column_styles_for(new: NewColumns, styles: Styles, date_fmt: int | None) -> dict[int, int]:
    """The <col> style of each new date column: the sheet's own date format."""
    if not new.date_cols:
        return {}
    style = styles.format_style(date_fmt if date_fmt is not None else 14)
    return {c: style for c in new.date_cols}


def date_code(styles: Styles, date_fmt: int | None) -> str:
    """The format code of ``date_fmt`` (the built-in short date when None or built in)."""
    return styles.formats.get(date_fmt, "m/d/yyyy") if date_fmt is not None else "m/d/yyyy"



def dress_new_columns(editor: Editor, sheet_part: str, xml: bytes, header_row: int, headers: dict[int, str],
                      cells: dict[int, dict[int, object]]) -> tuple[bytes, dict[int, int]]:
    """The sheet part ``xml`` ready for the new columns' cells (see module doc), and the
    style of the tool's header cells (the staff's take the style on their left). Adds the
    notes' parts to ``editor``."""
    styles = editor.styles
    date_fmt = sheet_date_format(xml, styles)
    new = plan_columns(header_row, headers, cells, date_code(styles, date_fmt))
    col_styles = column_styles_for(new, styles, date_fmt)
    rid = add_notes(editor, sheet_part, new)
    header = editor.template_styles().get("header_tool") if new.tool_cols else 0
    dressed = dress_sheet(xml, new, col_styles, rid)
    if _filter_ref(dressed) != _filter_ref(xml):
        _grow_filter_name(editor, sheet_part, max(new.headers))
    return dressed, {c: header for c in new.tool_cols}


def _filter_ref(xml: bytes) -> bytes | None:
    m = re.search(rb'<(?:[A-Za-z_][\w.-]*:)?autoFilter\b[^>]*?\bref="([^"]*)"', xml)
    return m.group(1) if m else None


def _grow_filter_name(editor: Editor, sheet_part: str, last_col: int) -> None:
    """The workbook's _xlnm._FilterDatabase name for the sheet (Excel writes one with each
    filter, and LibreOffice takes the filter's range from it) grown to ``last_col``."""
    index = next((i for i, s in enumerate(editor.info.sheets) if s.part == sheet_part), None)
    if index is None:
        return
    part = editor.info.workbook_part
    data = editor.part(part)
    name = re.compile(rb'(<(?:[A-Za-z_][\w.-]*:)?definedName\b[^>]*?name="_xlnm\._FilterDatabase"[^>]*>)([^<]*)(<)')
    for m in name.finditer(data):
        local = re.search(rb'\blocalSheetId="(\d+)"', m.group(1))
        rng = re.fullmatch(rb"(.*!\$?[A-Z]+\$?\d+:\$?)([A-Z]+)(\$?\d+)", m.group(2))
        if local is None or int(local.group(1)) != index or rng is None:
            continue
        text = rng.group(1) + col_letters(last_col).encode() + rng.group(3)
        editor.changed[part] = data[:m.start(2)] + text + data[m.end(2):]
        return
