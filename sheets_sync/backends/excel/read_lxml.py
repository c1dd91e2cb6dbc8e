"""The lxml reader of worksheet values: the fallback when calamine refuses a workbook, the
reader of the read-back after a write, and the reference the tests compare calamine with.
"""

from __future__ import annotations

import io
import re
from collections.abc import Collection, Iterator
from typing import Any

from lxml import etree

from sheets_sync.a1 import col_index
from sheets_sync.backends.excel.extent import MAX_COLS, MAX_ROWS, Budget
from sheets_sync.backends.excel.package import Package
from sheets_sync.backends.excel.read import (
    NS_MAIN,
    NS_MAIN_STRICT,
    WorkbookInfo,
    local,
    parse_xml,
    unescape,
)
from sheets_sync.dates import MAX_SERIAL, excel_date
from sheets_sync.errors import SourceError
from sheets_sync.workbook import SheetData

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


def si_text(si: etree._Element) -> str:
    """The text of an <si> or <is> element: its <t>, or its runs' <t>s, without phonetics."""
    if len(si) == 1:  # most texts: one plain <t>
        el = si[0]
        if isinstance(el.tag, str) and local(el.tag) == "t":
            return unescape(el.text or "")
    return runs_text(si)


def runs_text(si: etree._Element) -> str:
    """The text of an <si> or <is> element by the rule over all its children (``si_text``
    takes this for any but a lone plain <t>): each <t>, and each run's <t>s, joined."""
    parts = []
    for el in si:
        name = local(el.tag)
        if name == "t":
            parts.append(el.text or "")
        elif name == "r":
            parts.extend(t.text or "" for t in el if local(t.tag) == "t")
    return unescape("".join(parts))


_CELL_REF = re.compile(r"([A-Z]+)(\d+)$")
_V_TAG = {ns: f"{{{ns}}}v" for ns in (NS_MAIN, NS_MAIN_STRICT)}
_IS_TAG = {ns: f"{{{ns}}}is" for ns in (NS_MAIN, NS_MAIN_STRICT)}
OUTSIDE = ("{name}: refused: part {part} has a value outside Excel's grid of 1,048,576 rows and 16,384 "
           "columns (a damaged or hostile file)")


def read_lxml(pkg: Package, info: WorkbookInfo, *, budget: Budget | None = None,
              names: Collection[str] | None = None) -> dict[str, SheetData]:
    """Every worksheet's values with lxml iterparse (slower than calamine, no dependencies).

    ``names``: only these sheets. Rows are kept sparse while parsing: a lone row numbered
    1,048,576 costs one row, and the list built at the end stops at the last row holding a
    value. ``budget`` bounds what the sheets may hold (SourceError past it)."""
    budget = budget or Budget(pkg.name, str(pkg.path))
    strings = shared_strings(pkg, info.shared_strings)
    dates = date_styles(pkg, info)
    out = {}
    for sheet in info.sheets:
        if sheet.kind not in ("worksheet", "macrosheet", "dialogsheet") or not pkg.has(sheet.part):
            continue
        if names is not None and sheet.name not in names:
            continue
        out[sheet.name] = SheetData(sheet.name, _sheet_rows(pkg, sheet.part, strings, dates, info.date_system, budget))
    return out


def _sheet_rows(pkg: Package, part: str, strings: list[str], dates: set[int], date_system: int,
                budget: Budget) -> list[list[object]]:
    found: dict[int, list[object]] = {}
    for row_no, values in iter_rows(pkg, part, strings, dates, date_system):
        if values:
            budget.spend(len(values) + 8)
            found[row_no] = values
    last = max(found, default=0)
    budget.spend(8 * last)
    return [found.get(number) or [] for number in range(1, last + 1)]


def iter_rows(pkg: Package, part: str, strings: list[str], dates: set[int], date_system: int,
              only: set[int] | dict[int, set[int]] | None = None,
              source: Any = None) -> Iterator[tuple[int, list[object]]]:
    """(row number, values from column A) for each row of a worksheet part, parsed as a
    stream (``source``: a file object; by default the part straight from the zip, so the
    part is never in memory whole). With ``only``, the other rows are parsed (the whole
    part must be well-formed) but not decoded."""
    row_no = 0
    columns: dict[str, int] = {}  # column letters -> number: a sheet has few, each seen on every row
    stream = source if source is not None else pkg.open(part)
    try:
        events = etree.iterparse(stream, events=("end",),
                                 tag=(f"{{{NS_MAIN}}}row", f"{{{NS_MAIN_STRICT}}}row"), resolve_entities=False,
                                 no_network=True, load_dtd=False, huge_tree=True)
        for _, row in events:
            r = row.get("r")
            if r and r.isdigit():
                row_no = int(r) if len(r) <= 8 else MAX_ROWS + 1  # int() of a 5,000-digit text raises
            else:
                row_no += 1
            if only is not None and row_no not in only:
                _drop(row)
                continue
            ns = row.tag[1:].split("}")[0]
            cols = only.get(row_no) if isinstance(only, dict) else None
            values: list[object] = []
            col = 0
            for c in row.iterfind(f"{{{ns}}}c"):
                m = _CELL_REF.match(c.get("r") or "")
                if m is None:
                    col += 1
                elif (known := columns.get(letters := m.group(1))) is not None:
                    col = known
                else:
                    col = columns[letters] = col_index(letters) if len(letters) <= 3 else MAX_COLS + 1
                if cols is not None and col not in cols:
                    continue
                value = _cell_value(c, ns, strings, dates, date_system)
                if value is None:
                    continue
                if row_no > MAX_ROWS or col > MAX_COLS:
                    raise SourceError(OUTSIDE.format(name=pkg.name, part=part), source=str(pkg.path))
                while len(values) < col - 1:
                    values.append(None)
                values.append(value)
            _drop(row)
            yield row_no, values
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{pkg.name}: part {part} is not valid XML ({str(exc)[:80]})", source=str(pkg.path)) from None
    finally:
        if source is None:
            stream.close()


def _drop(row: etree._Element) -> None:
    """Free a parsed row and the rows before it (cleared rows would pile up in the tree)."""
    row.clear()
    parent = row.getparent()
    if parent is not None:
        while row.getprevious() is not None:
            del parent[0]


def _child(el: etree._Element, tag: str) -> etree._Element | None:
    """``el``'s first child named ``tag``, as ``el.find(tag)`` gives it: lxml's find goes
    through its path machinery on every call, three times this loop's cost a cell."""
    for child in el:
        if child.tag == tag:
            return child
    return None


def _cell_value(c: etree._Element, ns: str, strings: list[str], dates: set[int], date_system: int) -> object:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        node = _child(c, _IS_TAG[ns] if ns in _IS_TAG else f"{{{ns}}}is")
        return si_text(node) if node is not None else None
    v = _child(c, _V_TAG[ns] if ns in _V_TAG else f"{{{ns}}}v")
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
