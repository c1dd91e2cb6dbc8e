"""Reading a workbook's values fast: python-calamine (Rust) for the cells, lxml for the index.

Why calamine: on the benchmark workbooks it reads the cells several times faster than
openpyxl's read-only mode and faster than an lxml iterparse loop in Python, with less memory
(see docs/excel.md for the figures). Its XML parser never expands entities. Before it runs,
``Package`` has checked the zip (encryption, damage, bomb limits, DTDs), so calamine only
sees parts that passed. For the rare workbook calamine refuses while the package is sound
(an Excel 4 macro sheet, an unusual part), an lxml reader of our own takes over.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from sheets_sync.a1 import col_index
from sheets_sync.backends.excel.package import Package, rels_part, resolve
from sheets_sync.dates import MAX_SERIAL, excel_date
from sheets_sync.errors import SourceError
from sheets_sync.workbook import SheetData, WorkbookData

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_MAIN_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_OFFICE_DOC = "/officeDocument"
MAX_TEXT = 32767  # Excel's limit on the characters in one cell
TOO_LONG = "{name}: refused: a text in {part} is longer than Excel's 32,767-character cell limit (a damaged or hostile file)"


def safe_parser() -> etree.XMLParser:
    """An lxml parser that never loads a DTD, expands entities or touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=False)


def parse_xml(pkg: Package, part: str) -> etree._Element:
    """Parse one (small) part safely; SourceError with the part's name when it is not XML."""
    data = pkg.read(part)
    try:
        return etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{pkg.name}: part {part} is not valid XML ({str(exc)[:80]})", source=str(pkg.path)) from None


def local(tag: object) -> str:
    """An element's tag without its namespace."""
    return str(tag).rsplit("}", 1)[-1]


@dataclass
class SheetInfo:
    """One sheet as the workbook index lists it."""

    name: str
    sheet_id: int
    rid: str
    part: str  # e.g. xl/worksheets/sheet1.xml
    kind: str  # worksheet | chartsheet | macrosheet | dialogsheet | other


@dataclass
class WorkbookInfo:
    """The workbook index: where the workbook part is, its sheets, date system, and the
    shared strings and styles parts."""

    workbook_part: str
    sheets: list[SheetInfo]
    date_system: int
    rels: dict[str, tuple[str, str]]  # rId -> (type suffix, resolved target part)
    shared_strings: str | None = None
    styles: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def sheet(self, name: str) -> SheetInfo | None:
        """The sheet with this name (exact, then case-insensitive)."""
        for info in self.sheets:
            if info.name == name:
                return info
        wanted = name.strip().casefold()
        return next((s for s in self.sheets if s.name.strip().casefold() == wanted), None)


def read_rels(pkg: Package, part: str) -> dict[str, tuple[str, str, str]]:
    """rId -> (type, target part resolved, TargetMode) for ``part``'s relationships."""
    name = rels_part(part)
    if not pkg.has(name):
        return {}
    root = parse_xml(pkg, name)
    out = {}
    for rel in root:
        if local(rel.tag) != "Relationship":
            continue
        mode = rel.get("TargetMode", "")
        target = rel.get("Target", "")
        out[rel.get("Id", "")] = (rel.get("Type", ""), target if mode == "External" else resolve(part, target), mode)
    return out


def workbook_info(pkg: Package) -> WorkbookInfo:
    """Read the package index: the workbook part, its sheets and where they live."""
    root_rels = read_rels(pkg, "")  # _rels/.rels
    workbook_part = next((t for _, (ty, t, _m) in root_rels.items() if ty.endswith(REL_OFFICE_DOC)), None)
    if workbook_part is None:
        workbook_part = "xl/workbook.xml"
    if not pkg.has(workbook_part):
        raise SourceError(f"{pkg.name}: not an Excel workbook (no workbook part); is it a Word or PowerPoint file?",
                          source=str(pkg.path))
    root = parse_xml(pkg, workbook_part)
    rels = {rid: (ty.rsplit("/", 1)[-1], target) for rid, (ty, target, _m) in read_rels(pkg, workbook_part).items()}
    date_system = 1900
    sheets = []
    for el in root.iter():
        name = local(el.tag)
        if name == "workbookPr" and el.get("date1904", "").lower() in ("1", "true"):
            date_system = 1904
        elif name == "sheet":
            rid = el.get(f"{{{NS_R}}}id") or el.get("{http://purl.oclc.org/ooxml/officeDocument/relationships}id") or ""
            kind, target = rels.get(rid, ("", ""))
            try:
                sheet_id = int(el.get("sheetId", "0"))
            except ValueError:
                sheet_id = 0
            sheets.append(SheetInfo(el.get("name", ""), sheet_id, rid, target, kind or "other"))
    sst = next((t for k, t in rels.values() if k == "sharedStrings"), None)
    styles = next((t for k, t in rels.values() if k == "styles"), None)
    return WorkbookInfo(workbook_part, sheets, date_system, rels,
                        sst if sst and pkg.has(sst) else None, styles if styles and pkg.has(styles) else None)


_LONG_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>([^<]{%d,})" % (MAX_TEXT + 1))


def check_strings(pkg: Package, part: str, data: bytes) -> None:
    """Refuse a part holding a text longer than any cell can hold (oversized-strings attacks).
    Bytes only find the candidates: a text Excel holds takes up to 7 bytes a character
    (é is 2, an escaped CR 7), so a candidate is decoded and counted as Excel counts."""
    for m in _LONG_TEXT.finditer(data):
        text = unescape(html.unescape(m.group(1).decode("utf-8", "replace")))
        if len(text.encode("utf-16-le", "surrogatepass")) // 2 > MAX_TEXT:
            raise SourceError(TOO_LONG.format(name=pkg.name, part=part), source=str(pkg.path))


def read_workbook(pkg: Package) -> tuple[WorkbookData, WorkbookInfo]:
    """Every worksheet's used range as raw values, from A1 (``rows[0]`` is row 1).

    Chart sheets have no cells and are left out; macro and dialog sheets are read like
    worksheets. Raises SourceError (one line) for anything unreadable.
    """
    pkg.check_all()
    info = workbook_info(pkg)
    if info.shared_strings:
        check_strings(pkg, info.shared_strings, pkg.read(info.shared_strings))
    try:
        sheets = _read_calamine(pkg, info)
    except SourceError:
        raise
    except Exception:  # calamine refused something the package checks let through
        sheets = read_lxml(pkg, info)
    return WorkbookData(sheets=sheets, date_system=info.date_system, source=pkg.name), info


def _read_calamine(pkg: Package, info: WorkbookInfo) -> dict[str, SheetData]:
    from python_calamine import CalamineWorkbook

    with open(pkg.path, "rb") as fh:
        book = CalamineWorkbook.from_filelike(fh)
        try:
            sizes = {s.name: _part_size(pkg, s.part) for s in info.sheets
                     if s.kind in ("worksheet", "macrosheet", "dialogsheet")}
            # Biggest first: its long conversion then runs while the smaller ones parse.
            names = sorted((name for name in book.sheet_names if name in sizes), key=lambda n: -sizes[n])
            out: dict[str, SheetData] = {}
            # calamine parses a sheet without holding the GIL: the next sheet is parsed on
            # this core while a helper thread turns the last one into rows (a third off a
            # big read). The parse stays on this thread: memory the parser frees is then
            # reused by the rest of the run (a thread's own malloc arena keeps it).
            with ThreadPoolExecutor(1) as pool:
                converting = None
                for name in names:
                    sheet = book.get_sheet_by_name(name)
                    if converting is not None:
                        converting.result()
                    converting = pool.submit(_convert_into, out, name, sheet)
                    del sheet
                if converting is not None:
                    converting.result()
            return {name: out[name] for name in book.sheet_names if name in out}  # the workbook's order
        finally:
            book.close()


def _part_size(pkg: Package, part: str) -> int:
    info = pkg.infos.get(part)
    return info.file_size if info is not None else 0


def _convert_into(out: dict[str, SheetData], name: str, sheet: Any) -> None:
    out[name] = SheetData(name, _sheet_rows_calamine(sheet))


_PLAIN = frozenset((str, dt.date, dt.datetime))  # cells a row can hold and still take the fast path


def _sheet_rows_calamine(sheet: Any) -> list[list[object]]:
    """The sheet's rows from A1, cleaned one row at a time (never two copies of a sheet)."""
    start = sheet.start
    if start is None:
        return []
    # iter_rows starts at row 1 but at the first used column: pad the columns only
    left = start[1]
    rows: list[list[object]] = []
    pad = [None] * left
    # A sheet repeats the same texts and dates endlessly (owners, statuses, days): one
    # object for each value instead of one per cell, which also keeps the memory of a big
    # read from fragmenting. An empty cell comes as "" and becomes None the same way. The
    # table is emptied now and then: unique texts (a log's summaries) would only fill it.
    seen: dict[object, object] = {"": None}
    same = seen.setdefault
    plain = _PLAIN
    for raw in sheet.iter_rows():
        if plain.issuperset(map(type, raw)):
            row = list(map(same, raw, raw))  # texts and dates only: the whole row in one call
        else:  # numbers (whole ones become int), booleans, times
            row = [same(v, v) if type(v) in plain else _clean(v) for v in raw]
        if len(seen) > 50_000:
            seen.clear()
            seen[""] = None
        while row and row[-1] is None:
            row.pop()
        rows.append(pad + row if left and row else row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _clean(value: object) -> object:
    if value == "" or value is None:
        return None
    if type(value) is float and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return value


# --- the lxml reader: the fallback, and the reference the tests compare calamine with ---

_BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def is_date_format(code: str) -> bool:
    """True when a number format code shows a date or time (d, m, y, h, s outside quotes)."""
    bare = _QUOTED.sub("", code.split(";")[0]).lower()
    return bool(re.search(r"[dmyhs]", bare)) and "general" not in bare


def date_styles(pkg: Package, info: WorkbookInfo) -> set[int]:
    """Indexes of cellXfs entries whose number format is a date."""
    if not info.styles:
        return set()
    root = parse_xml(pkg, info.styles)
    # The styleSheet's own numFmts and cellXfs only: the numFmts inside dxfs (conditional
    # formats) reuse ids with other meanings.
    lists = {local(el.tag): el for el in root.iterchildren(tag=etree.Element) if local(el.tag) in ("numFmts", "cellXfs")}
    custom = {}
    for el in lists.get("numFmts", ()):
        if local(el.tag) != "numFmt":
            continue
        try:
            custom[int(el.get("numFmtId", "-1"))] = el.get("formatCode", "")
        except ValueError:
            continue
    out = set()
    if "cellXfs" in lists:
        for index, xf in enumerate(x for x in lists["cellXfs"] if local(x.tag) == "xf"):
            try:
                fmt = int(xf.get("numFmtId", "0"))
            except ValueError:
                continue
            if fmt in custom:
                if is_date_format(custom[fmt]):
                    out.add(index)
            elif fmt in _BUILTIN_DATE_FORMATS:
                out.add(index)
    return out


def shared_strings(pkg: Package, part: str | None) -> list[str]:
    """The shared strings table as plain texts (rich-text runs joined, phonetic runs left out)."""
    if not part:
        return []
    out = []
    for _, si in etree.iterparse(io.BytesIO(pkg.read(part)), events=("end",), tag=(f"{{{NS_MAIN}}}si", f"{{{NS_MAIN_STRICT}}}si"),
                                 resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False):
        out.append(si_text(si))
        si.clear()
    return out


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    """Excel's _xHHHH_ escapes (control characters, a literal "_x" as _x005F_) decoded."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def si_text(si: etree._Element) -> str:
    """The text of an <si> or <is> element: its <t>, or its runs' <t>s, without phonetics."""
    parts = []
    for el in si:
        name = local(el.tag)
        if name == "t":
            parts.append(el.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in el if local(t.tag) == "t")
    return unescape("".join(parts))


_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")


def read_lxml(pkg: Package, info: WorkbookInfo) -> dict[str, SheetData]:
    """Every worksheet's values with lxml iterparse (slower than calamine, no dependencies)."""
    strings = shared_strings(pkg, info.shared_strings)
    dates = date_styles(pkg, info)
    out = {}
    for sheet in info.sheets:
        if sheet.kind not in ("worksheet", "macrosheet", "dialogsheet") or not pkg.has(sheet.part):
            continue
        out[sheet.name] = SheetData(sheet.name, _sheet_rows(pkg, sheet.part, strings, dates, info.date_system))
    return out


def _sheet_rows(pkg: Package, part: str, strings: list[str], dates: set[int], date_system: int) -> list[list[object]]:
    rows: list[list[object]] = []
    for row_no, values in iter_rows(pkg, part, strings, dates, date_system, source=io.BytesIO(pkg.read(part))):
        while len(rows) < row_no - 1:
            rows.append([])
        rows.append(values)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def iter_rows(pkg: Package, part: str, strings: list[str], dates: set[int], date_system: int,
              only: set[int] | dict[int, set[int]] | None = None,
              source: Any = None) -> Iterator[tuple[int, list[object]]]:
    """(row number, values from column A) for each row of a worksheet part, parsed as a
    stream (``source``: a file object; by default the part straight from the zip, so the
    part is never in memory whole). With ``only``, the other rows are parsed (the whole
    part must be well-formed) but not decoded."""
    row_no = 0
    stream = source if source is not None else pkg.open(part)
    try:
        events = etree.iterparse(stream, events=("end",),
                                 tag=(f"{{{NS_MAIN}}}row", f"{{{NS_MAIN_STRICT}}}row"), resolve_entities=False,
                                 no_network=True, load_dtd=False, huge_tree=True)
        for _, row in events:
            r = row.get("r")
            row_no = int(r) if r and r.isdigit() else row_no + 1
            if only is not None and row_no not in only:
                row.clear()
                continue
            ns = row.tag[1:].split("}")[0]
            cols = only.get(row_no) if isinstance(only, dict) else None
            values: list[object] = []
            col = 0
            for c in row.iterfind(f"{{{ns}}}c"):
                m = _CELL_REF.match(c.get("r") or "")
                col = col_index(m.group(1)) if m else col + 1
                if cols is not None and col not in cols:
                    continue
                value = _cell_value(c, ns, strings, dates, date_system)
                if value is None:
                    continue
                while len(values) < col - 1:
                    values.append(None)
                values.append(value)
            row.clear()
            yield row_no, values
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{pkg.name}: part {part} is not valid XML ({str(exc)[:80]})", source=str(pkg.path)) from None
    finally:
        if source is None:
            stream.close()


def _cell_value(c: etree._Element, ns: str, strings: list[str], dates: set[int], date_system: int) -> object:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        node = c.find(f"{{{ns}}}is")
        return si_text(node) if node is not None else None
    v = c.find(f"{{{ns}}}v")
    if v is None or v.text is None:
        return None
    text = v.text
    if kind == "s":
        try:
            return strings[int(text)]
        except (ValueError, IndexError):
            return None
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "e":  # a formula error (#N/A): blank, as calamine gives it
        return None
    if kind == "str":
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    try:
        style = int(c.get("s", "0"))
    except ValueError:
        style = 0
    if style in dates and 0 <= number < MAX_SERIAL + 1:
        return excel_date(number, date_system)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number
