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
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from sheets_sync.backends.excel.extent import MAX_CELLS, TOO_BIG, Budget, Extent, sheet_extent
from sheets_sync.backends.excel.package import Package, rels_part, resolve
from sheets_sync.errors import SourceError
from sheets_sync.heap import give_back_freed_memory, one_arena
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


CELL_KINDS = ("worksheet", "macrosheet", "dialogsheet")


def read_workbook(pkg: Package) -> tuple[WorkbookData, WorkbookInfo]:
    """Every worksheet's used range as raw values, from A1 (``rows[0]`` is row 1).

    Chart sheets have no cells and are left out; macro and dialog sheets are read like
    worksheets. A sheet whose farthest cell would make calamine's rectangle far bigger than
    its cells (a stray value at XFD1048576) is read by the sparse lxml reader instead.
    Raises SourceError (one line) for anything unreadable or past the limits of extent.py.
    """
    try:
        info = workbook_info(pkg)
        # Biggest first: its long conversion then runs while the smaller ones parse.
        order = sorted((s for s in info.sheets if s.kind in CELL_KINDS and pkg.has(s.part)),
                       key=lambda s: -_part_size(pkg, s.part))
        # The sheets are checked by the scans below, on the helper thread (in the same pass
        # as their extent, before calamine parses them); every other part is checked here.
        pkg.check_all(skip={s.part for s in order})
        parsed = {s.part for s in order} | {info.shared_strings or "", info.styles or ""}
        for part in parsed:  # a part we parse under an odd name was not checked as XML by check_all
            if pkg.has(part) and not part.endswith((".xml", ".rels", ".vml")):
                pkg.read(part, keep=False)
        if info.shared_strings:
            check_strings(pkg, info.shared_strings, pkg.read(info.shared_strings))
    except SourceError:
        _refuse_as_check_all(pkg)
        raise
    from sheets_sync.backends.excel.read_lxml import read_lxml  # it builds on this module

    budget = Budget(pkg.name, str(pkg.path))
    one_arena()  # the helpers below allocate where the main thread will reuse it, and give it back
    # Each sheet's extent is found (and the sheet checked) on a helper thread while calamine
    # parses the one before (without the GIL): only the first scan adds to the read's time.
    with _helper() as scanner:
        scans = {s.name: scanner.submit(sheet_extent, pkg, s.part) for s in order}
        try:
            sheets, sparse = _read_calamine(pkg, [s.name for s in order], scans, budget)
        except SourceError:
            _cancel(scans)
            _refuse_as_check_all(pkg)
            raise
        except Exception:  # calamine refused something the package checks let through
            _cancel(scans)
            pkg.check_all()  # every sheet checked before the other reader parses any
            sheets, sparse = read_lxml(pkg, info, budget=Budget(pkg.name, str(pkg.path))), set()
    if sparse:
        sheets.update(read_lxml(pkg, info, budget=budget, names=sparse))
    sheets = {s.name: sheets[s.name] for s in info.sheets if s.name in sheets}  # the workbook's order
    give_back_freed_memory()  # calamine's parse is over: the rest of the run need not stack on its pages
    return WorkbookData(sheets=sheets, date_system=info.date_system, source=pkg.name), info


def _read_calamine(pkg: Package, names: list[str], scans: dict[str, Future[Extent]],
                   budget: Budget) -> tuple[dict[str, SheetData], set[str]]:
    """The sheets whose extent calamine can hold, and the names of those it cannot."""
    from python_calamine import CalamineWorkbook

    sparse: set[str] = set()
    cells = 0
    with open(pkg.path, "rb") as fh:
        book = CalamineWorkbook.from_filelike(fh)
        try:
            known = set(book.sheet_names)
            out: dict[str, SheetData] = {}
            # calamine parses a sheet without holding the GIL: the next sheet is parsed on
            # this core while a helper thread turns the last one into rows (a third off a
            # big read). The parse stays on this thread: memory the parser frees is then
            # reused by the rest of the run (a thread's own malloc arena keeps it).
            with _helper() as pool:
                converting = None
                for name in names:
                    extent = scans[name].result()
                    cells += extent.cells
                    if cells > MAX_CELLS:
                        raise SourceError(TOO_BIG.format(name=pkg.name, what=f"it has more than the {MAX_CELLS:,} cells "
                                                                             "sheets-sync reads"), source=str(pkg.path))
                    if not extent.fits_calamine() or name not in known:
                        sparse.add(name)
                        continue
                    sheet = book.get_sheet_by_name(name)
                    if converting is not None:
                        converting.result()
                    converting = pool.submit(_convert_into, out, name, sheet, budget)
                    del sheet
                if converting is not None:
                    converting.result()
            return out, sparse
        finally:
            book.close()


def _helper() -> ThreadPoolExecutor:
    """One helper thread, started idle. A thread that a submit starts runs its work at once,
    and the thread that started it then waits for the GIL a whole switch interval (5 ms)."""
    pool = ThreadPoolExecutor(1)
    pool.submit(int).result()
    return pool


def _refuse_as_check_all(pkg: Package) -> None:
    """On the way out with an error: a damaged or hostile part anywhere is what the read
    refuses the workbook for, the first in the package's order, as when every part was
    checked before anything else was read."""
    pkg.check_all()


def _cancel(scans: dict[str, Future[Extent]]) -> None:
    for scan in scans.values():
        scan.cancel()


def _part_size(pkg: Package, part: str) -> int:
    info = pkg.infos.get(part)
    return info.file_size if info is not None else 0


def _convert_into(out: dict[str, SheetData], name: str, sheet: Any, budget: Budget) -> None:
    rows = _sheet_rows_calamine(sheet)
    budget.spend(sum(map(len, rows)) + 8 * len(rows))
    out[name] = SheetData(name, rows)


_KEPT = frozenset((str, dt.date, dt.datetime))  # the values worth one object each


class _Interned(dict[object, object]):
    """A cell's value -> its cleaned object, one object for each text or date ("" is None).
    Numbers, booleans and times are cleaned and not kept: 1.0 and True are equal keys, and
    neither equals a text or date, so a number never finds a kept value."""

    def __missing__(self, value: object) -> object:
        if type(value) not in _KEPT:
            return _clean(value)
        self[value] = value
        return value


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
    seen = _Interned({"": None})
    same = seen.__getitem__
    for raw in sheet.iter_rows():
        row = list(map(same, raw))
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


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    """Excel's _xHHHH_ escapes (control characters, a literal "_x" as _x005F_) decoded."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text
