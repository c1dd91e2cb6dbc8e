"""The workbook's cell styles (styles.xml): which show dates, and adding the few we need.

We never rewrite styles.xml: when a style we need does not exist we append entries at the
end of its lists (fonts, fills, borders, numFmts, cellXfs) and raise the counts, so every
existing style keeps its index and bytes. Existing entries are reused whenever one fits: a
date written into a cell whose style already shows dates keeps that style.
"""

from __future__ import annotations

import re

from lxml import etree

from sheets_sync.backends.xlsx_read import _BUILTIN_DATE_FORMATS, is_date_format, local, safe_parser

ISO_DATE = "yyyy-mm-dd"
BUILTIN_SHORT_DATE = 14


class Styles:
    """styles.xml, parsed for lookups and edited by appending (see module docstring)."""

    def __init__(self, data: bytes | None) -> None:
        self.original = data
        self.data = data or b""
        self.changed = False
        self.formats: dict[int, str] = {}
        self.xfs: list[dict[str, str]] = []
        self.counts: dict[str, int] = {}
        self.prefix = ""
        if data:
            root = etree.fromstring(data, safe_parser())
            self.prefix = f"{root.prefix}:" if root.prefix else ""
            for el in root:
                name = local(el.tag)
                if name in ("numFmts", "fonts", "fills", "borders", "cellXfs", "cellStyleXfs"):
                    self.counts[name] = sum(1 for _ in el.iterchildren(tag=etree.Element))
                if name == "numFmts":
                    for fmt in el:
                        try:
                            self.formats[int(fmt.get("numFmtId", "-1"))] = fmt.get("formatCode", "")
                        except ValueError:
                            continue
                elif name == "cellXfs":
                    self.xfs = [dict(xf.attrib) for xf in el if local(xf.tag) == "xf"]
        self._date_cache: dict[int | None, int] = {}

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
        self._append("numFmts", f'<{self.prefix}numFmt numFmtId="{new_id}" formatCode="{code}"/>',
                     before=("fonts",))
        self.formats[new_id] = code
        return new_id

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

    def _append(self, list_name: str, xml: str, before: tuple[str, ...] = ()) -> int:
        """Insert ``xml`` as the last child of ``list_name`` (creating the list when the
        part has none) and update its count; returns the new entry's index."""
        if not self.data:
            raise ValueError("no styles part")
        p = re.escape(self.prefix.encode())
        index = self.counts.get(list_name, 0)
        close = re.search(rb"</" + p + list_name.encode() + rb"\s*>", self.data)
        if close is None:
            empty = re.search(rb"<" + p + list_name.encode() + rb"\b[^>]*/>", self.data)
            if empty is not None:
                self.data = self.data[:empty.start()] + (
                    f'<{self.prefix}{list_name} count="1">{xml}</{self.prefix}{list_name}>').encode() + self.data[empty.end():]
            else:
                where = None
                for name in (*before, "fonts", "fills", "borders", "cellStyleXfs", "cellXfs"):
                    m = re.search(rb"<" + p + name.encode() + rb"\b", self.data)
                    if m:
                        where = m.start()
                        break
                if where is None:
                    raise ValueError(f"styles part has no place for {list_name}")
                block = f'<{self.prefix}{list_name} count="1">{xml}</{self.prefix}{list_name}>'.encode()
                self.data = self.data[:where] + block + self.data[where:]
        else:
            self.data = self.data[:close.start()] + xml.encode() + self.data[close.start():]
            opening = re.search(rb"<" + p + list_name.encode() + rb"\b[^>]*>", self.data)
            assert opening is not None
            tag = opening.group()
            if re.search(rb'\bcount="\d*"', tag):
                new_tag = re.sub(rb'\bcount="\d*"', f'count="{index + 1}"'.encode(), tag, count=1)
            else:
                new_tag = tag[:-1] + f' count="{index + 1}">'.encode()
            self.data = self.data[:opening.start()] + new_tag + self.data[opening.end():]
        self.counts[list_name] = index + 1
        self.changed = True
        return index
