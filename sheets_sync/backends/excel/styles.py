"""The workbook's cell styles (styles.xml): which show dates, and adding the few we need.

We never rewrite styles.xml: when a style we need does not exist we append entries at the
end of its lists (fonts, fills, borders, numFmts, cellXfs) and raise the counts, so every
existing style keeps its index and bytes. Existing entries are reused whenever one fits: a
date written into a cell whose style already shows dates keeps that style.

Some generators write no styles part at all, or an empty ``<styleSheet/>``: before the first
entry is added, the lists a styles part needs are created (in the schema's order) with the
default first entries Excel assumes, so unstyled cells keep meaning General / Calibri 11
(see ``ensure_base``).
Only the top-level ``numFmts`` and ``cellXfs`` say which styles show dates: the numFmts
inside ``dxfs`` (conditional formats) reuse ids with other meanings.
"""

from __future__ import annotations

import re

from lxml import etree

from sheets_sync.backends.excel.cells import escape_attr
from sheets_sync.backends.excel.read import NS_MAIN, local, safe_parser
from sheets_sync.backends.excel.read_lxml import _BUILTIN_DATE_FORMATS, is_date_format
from sheets_sync.errors import SourceError

ISO_DATE = "yyyy-mm-dd"
BUILTIN_SHORT_DATE = 14
_BUILTIN_CODES = {"0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
REL_STYLES_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships/styles"
# CT_Stylesheet's children, in the order the schema requires
SCHEMA_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                "tableStyles", "colors", "extLst")
# The entries Excel assumes a list starts with: index 0 is every unstyled cell's, and fills
# 0 and 1 are reserved (Excel treats fill 1 as gray125 whatever it says).
_DEFAULTS = {
    "fonts": ('<{p}font><{p}sz val="11"/><{p}name val="Calibri"/><{p}family val="2"/></{p}font>',),
    "fills": ('<{p}fill><{p}patternFill patternType="none"/></{p}fill>',
              '<{p}fill><{p}patternFill patternType="gray125"/></{p}fill>'),
    "borders": ("<{p}border><{p}left/><{p}right/><{p}top/><{p}bottom/><{p}diagonal/></{p}border>",),
    "cellStyleXfs": ('<{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>',),
    "cellXfs": ('<{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',),
    "cellStyles": ('<{p}cellStyle name="Normal" xfId="0" builtinId="0"/>',),
}


class Styles:
    """styles.xml, parsed for lookups and edited by appending (see module docstring).
    ``data`` None: the workbook has no styles part; one (in ``namespace``) is made when a
    style is added, and the caller lists it in the package."""

    def __init__(self, data: bytes | None, namespace: str = NS_MAIN, where: str = "styles.xml") -> None:
        self.original = data
        self.data = data if data is not None else (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{namespace}"/>').encode()
        self.changed = False
        self.formats: dict[int, str] = {}
        self.xfs: list[dict[str, str]] = []
        self.counts: dict[str, int] = {}
        root = etree.fromstring(self.data, safe_parser())
        if local(root.tag) != "styleSheet":  # no spreadsheet program opens such a file either
            raise SourceError(f"{where} is not a styles part (its root is <{local(root.tag)}>, not <styleSheet>); "
                              "open and save the workbook in Excel or LibreOffice to repair it")
        self.prefix = f"{root.prefix}:" if root.prefix else ""
        for el in root:  # the top-level lists only: dxfs hold numFmts of their own
            name = local(el.tag)
            if name in _DEFAULTS or name == "numFmts":
                self.counts[name] = sum(1 for _ in el.iterchildren(tag=etree.Element))
            if name == "numFmts":
                for fmt in el.iterchildren(tag=etree.Element):
                    if local(fmt.tag) != "numFmt":
                        continue
                    try:
                        self.formats[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "")
                    except ValueError:
                        continue
            elif name == "cellXfs":
                self.xfs = [dict(xf.attrib) for xf in el.iterchildren(tag=etree.Element) if local(xf.tag) == "xf"]
        self._date_cache: dict[int | None, int] = {}
        self._complete = False

    def num_fmt(self, style: int | None) -> int:
        """The number format id of a cell style (0 = General)."""
        if style is None or not 0 <= style < len(self.xfs):
            return 0
        try:
            return int(self.xfs[style].get("numFmtId", "0"))
        except ValueError:
            return 0

    def is_date(self, style: int | None) -> bool:
        """True when a cell with this style shows a number as a date."""
        fmt = self.num_fmt(style)
        if fmt in self.formats:
            return is_date_format(self.formats[fmt])
        return fmt in _BUILTIN_DATE_FORMATS

    def date_style(self, style: int | None) -> int:
        """A style that shows dates and otherwise looks like ``style``: ``style`` itself
        when it shows dates, else an existing date style with the same font, fill, border
        and alignment, else a new one appended (built-in short date format 14)."""
        if style in self._date_cache:
            return self._date_cache[style]
        if style is not None and self.is_date(style):
            self._date_cache[style] = style
            return style
        base = self.xfs[style] if style is not None and 0 <= style < len(self.xfs) else (self.xfs[0] if self.xfs else {})
        same = ("fontId", "fillId", "borderId", "xfId")
        found = next((i for i, xf in enumerate(self.xfs) if self.is_date(i)
                      and all(xf.get(k, "0") == base.get(k, "0") for k in same)), None)
        if found is None:
            found = self.add_xf(num_fmt=BUILTIN_SHORT_DATE, base=base)
        self._date_cache[style] = found
        return found

    def format_id(self, code: str) -> int:
        """The number format id for ``code`` (an existing one, or a new custom format)."""
        for fmt_id, existing in self.formats.items():
            if existing == code:
                return fmt_id
        if code == "0.00":
            return 2
        new_id = max([163, *self.formats]) + 1
        self._append("numFmts", f'<{self.prefix}numFmt numFmtId="{new_id}" formatCode="{escape_attr(code)}"/>')
        self.formats[new_id] = code
        return new_id

    def number_style(self, code: str) -> int:
        """A plain style (font, fill and border 0) showing numbers as ``code``: an existing
        one, else one appended. A sheet rewritten on every run (Stats) finds the style the
        first run added, so styles.xml does not grow with each run."""
        fmt = _BUILTIN_CODES.get(code)
        if fmt is None:
            fmt = next((i for i, existing in self.formats.items() if existing == code), None)
        return self.format_style(fmt if fmt is not None else self.format_id(code))

    def format_style(self, fmt: int) -> int:
        """A plain style (font, fill and border 0) with number format id ``fmt``: an
        existing one, else one appended."""
        for index, xf in enumerate(self.xfs):
            if xf.get("numFmtId") == str(fmt) and all(xf.get(k, "0") == "0" for k in ("fontId", "fillId", "borderId")):
                return index
        return self.add_xf(num_fmt=fmt)

    def add_font(self, xml: str) -> int:
        """Append a <font> (inner XML without prefix handling: plain element names)."""
        return self._append("fonts", xml)

    def add_fill(self, xml: str) -> int:
        """Append a <fill>."""
        return self._append("fills", xml)

    def add_border(self, xml: str) -> int:
        """Append a <border>."""
        return self._append("borders", xml)

    def add_xf(self, *, num_fmt: int | None = None, base: dict[str, str] | None = None, font: int | None = None,
               fill: int | None = None, border: int | None = None, alignment: str = "") -> int:
        """Append a cellXfs entry built from ``base`` with the given parts replaced."""
        attrs = {k: v for k, v in (base or {}).items() if k in ("numFmtId", "fontId", "fillId", "borderId", "xfId")}
        attrs.setdefault("numFmtId", "0")
        for key in ("fontId", "fillId", "borderId", "xfId"):
            attrs.setdefault(key, "0")
        if num_fmt is not None:
            attrs["numFmtId"] = str(num_fmt)
            attrs["applyNumberFormat"] = "1"
        for key, value, flag in (("fontId", font, "applyFont"), ("fillId", fill, "applyFill"),
                                 ("borderId", border, "applyBorder")):
            if value is not None:
                attrs[key] = str(value)
                attrs[flag] = "1"
        if alignment:
            attrs["applyAlignment"] = "1"
        text = " ".join(f'{k}="{v}"' for k, v in attrs.items())
        inner = f"<{self.prefix}alignment {alignment}/>" if alignment else ""
        xml = f"<{self.prefix}xf {text}/>" if not inner else f"<{self.prefix}xf {text}>{inner}</{self.prefix}xf>"
        index = self._append("cellXfs", xml)
        self.xfs.append(attrs)
        return index

    def ensure_base(self) -> None:
        """Create the lists a styles part needs, and their default first entries, where the
        part lacks them (see module docstring); a complete part is left as it is. The cell
        style lists (cellStyleXfs, cellStyles) only come with a first cellXfs: a part whose
        cells have styles already works without them (several real ones have no cellStyles)."""
        if self._complete:
            return
        self._complete = True
        whole = not self.counts.get("cellXfs")
        for name, entries in _DEFAULTS.items():
            if name in ("cellStyleXfs", "cellStyles") and not whole:
                continue
            for xml in entries[self.counts.get(name, 0):]:
                self._add(name, xml.format(p=self.prefix))
                if name == "cellXfs":
                    self.xfs.append({"numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0", "xfId": "0"})

    def _append(self, list_name: str, xml: str) -> int:
        """Add ``xml`` at the end of ``list_name``, the part made complete first."""
        self.ensure_base()
        return self._add(list_name, xml)

    def _add(self, list_name: str, xml: str) -> int:
        """Insert ``xml`` as the last child of ``list_name`` (creating the list, in schema
        order, when the part has none) and update its count; returns the new entry's index."""
        p = re.escape(self.prefix.encode())
        name = list_name.encode()
        index = self.counts.get(list_name, 0)
        close = re.search(rb"</" + p + name + rb"\s*>", self.data)
        block = f'<{self.prefix}{list_name} count="1">{xml}</{self.prefix}{list_name}>'.encode()
        if close is not None:
            self.data = self.data[:close.start()] + xml.encode() + self.data[close.start():]
            opening = re.search(rb"<" + p + name + rb"\b[^>]*>", self.data)
            assert opening is not None
            tag = opening.group()
            attr = re.compile(rb"""(?<=\s)count\s*=\s*("[^"]*"|'[^']*')""")
            new_tag = attr.sub(f'count="{index + 1}"'.encode(), tag, count=1) if attr.search(tag) else \
                tag[:-1] + f' count="{index + 1}">'.encode()
            self.data = self.data[:opening.start()] + new_tag + self.data[opening.end():]
        elif (empty := re.search(rb"<" + p + name + rb"\b[^>]*/>", self.data)) is not None:
            self.data = self.data[:empty.start()] + block + self.data[empty.end():]
        else:
            where = self._slot(list_name)
            self.data = self.data[:where] + block + self.data[where:]
        self.counts[list_name] = index + 1
        self.changed = True
        return index

    def _slot(self, list_name: str) -> int:
        """Where a new ``list_name`` goes: before the first list the schema puts after it,
        else at the end of the styleSheet (opened up when it is an empty element)."""
        p = re.escape(self.prefix.encode())
        for later in SCHEMA_ORDER[SCHEMA_ORDER.index(list_name) + 1:]:
            m = re.search(rb"<" + p + later.encode() + rb"[\s/>]", self.data)
            if m is not None:
                return m.start()
        close = re.search(rb"</" + p + rb"styleSheet\s*>", self.data)
        if close is not None:
            return close.start()
        root = re.search(rb"<" + p + rb"styleSheet\b[^>]*?(\s*/>)", self.data)
        if root is None:
            raise ValueError("the styles part has no styleSheet element")
        self.data = self.data[:root.start(1)] + f"></{self.prefix}styleSheet>".encode() + self.data[root.end(1):]
        return root.start(1) + 1
