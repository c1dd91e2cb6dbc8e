"""One cell's XML from a Python value, the way Excel itself would write it.

Strings are written as inline strings (``t="inlineStr"``): Excel, LibreOffice and every
reader accept them, and they leave the shared strings part byte-identical (Excel moves them
into its shared table the next time a person saves). A text starting with "=" is text: we
never write a formula. Dates become serial numbers in the workbook's date system, in a
cell whose style shows a date.

Every text a cell can hold reads back the same: a carriage return goes as the character
reference ``&#13;`` (an XML parser turns a literal CR, and CR LF, into LF; openpyxl, unlike
calamine and Excel, leaves Excel's own ``_x000D_`` undecoded), the characters XML 1.0 cannot
carry (other control characters, U+FFFE, U+FFFF, lone surrogates) as Excel's ``_xHHHH_``,
and a ``_`` that would read as the start of such an escape as ``_x005F_``. A text longer
than Excel's 32,767 characters is never cut short: ``drop_unstorable`` takes it out of the
write and says so at its cell.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from itertools import chain
from typing import cast

from sheets_sync.a1 import col_letters
from sheets_sync.dates import excel_serial

_NOT_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"  # what XML 1.0 cannot carry
# A "_" is escaped when a reader would take it for the start of an escape: followed by
# xHHHH and then "_" or a character whose own escape starts with "_".
_ILLEGAL = re.compile(rf"{_NOT_XML}|\r|_(?=x[0-9A-Fa-f]{{4}}(?:_|{_NOT_XML}))")
_X_ONLY = re.compile(rf"{_NOT_XML}|_(?=x[0-9A-Fa-f]{{4}}(?:_|{_NOT_XML}))")
_SPACE_INSIDE = re.compile(r"[\t\n\r]|  ")
MAX_TEXT = 32767  # Excel's limit on one cell's text, in UTF-16 units (an emoji counts 2)
TOO_LONG = ("{cell}: a text of {length:,} characters is longer than the 32,767 an Excel cell holds; "
            "it was left out of the write (shorten the text it comes from)")


def _escaped(m: re.Match[str]) -> str:
    char = m.group()
    if char == "_":
        return "_x005F_"
    if char == "\r":
        return "&#13;"
    return f"_x{ord(char):04X}_"


def escape_text(text: str) -> str:
    """Text for an XML element, read back the same by any XML parser and Excel: markup
    escaped, CR as &#13;, what XML cannot carry as Excel's _xHHHH_ (see the module doc)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ILLEGAL.sub(_escaped, text)


def escape_x(text: str) -> str:
    """Only the _xHHHH_ part of ``escape_text``: for a writer that escapes markup and CR
    itself (openpyxl, for ``init``)."""
    return _X_ONLY.sub(_escaped, text)


def text_length(text: str) -> int:
    """The length of ``text`` as Excel counts it (UTF-16 units: a character beyond U+FFFF counts 2)."""
    if len(text) <= MAX_TEXT // 2:
        return len(text)  # cannot be over the limit however it is counted
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def drop_unstorable(sheet: str, cells: dict[int, dict[int, object]]) -> list[str]:
    """Take out of ``cells`` (row -> column -> value, 1-based) the texts no Excel cell can
    hold (over 32,767 characters); returns one message per cell, ``Sheet!A1: ...``."""
    problems: list[str] = []
    # one pass in C first: a big sync plans a million cells, and almost never a long text
    # (the cast: str.__instancecheck__ keeps only texts, which a type checker cannot see)
    texts = cast("Iterator[str]", filter(str.__instancecheck__, chain.from_iterable(map(dict.values, cells.values()))))
    if max(map(len, texts), default=0) <= MAX_TEXT // 2:
        return problems
    for row, cols in cells.items():
        long = [(col, value) for col, value in cols.items()
                if isinstance(value, str) and len(value) > MAX_TEXT // 2 and text_length(value) > MAX_TEXT]
        for col, value in long:
            del cols[col]
            problems.append(TOO_LONG.format(cell=f"{sheet}!{col_letters(col)}{row}", length=text_length(value)))
    return problems


def drop_unstorable_rows(sheet: str, rows: list[list[object]]) -> list[str]:
    """``drop_unstorable`` for a sheet written whole: such a cell is left empty."""
    problems = []
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            if isinstance(value, str) and len(value) > MAX_TEXT // 2 and text_length(value) > MAX_TEXT:
                values[c - 1] = None
                problems.append(TOO_LONG.format(cell=f"{sheet}!{col_letters(c)}{r}", length=text_length(value)))
    return problems


def escape_attr(text: str) -> str:
    """Text for an XML attribute value in double quotes."""
    return escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def number_text(value: int | float) -> str | None:
    """A number as Excel writes it, or None for NaN/infinity (which a cell cannot hold)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return None
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def cell_xml(prefix: str, col: int, row: int, value: object, style: int | None, date_system: int,
             date_style: Callable[[int | None], int]) -> str:
    """The ``<c>`` element for ``value`` at (row, col); ``style`` is the cell's current
    style index; ``date_style(style)`` gives a date style for it when the value is a date."""
    kind = type(value)
    # the common cases first, by exact type: a big sync writes a million cells
    if kind is dt.date or kind is dt.datetime:
        style = date_style(style)
        inner = f"<{prefix}v>{excel_serial(value, date_system)}</{prefix}v>"  # type: ignore[arg-type]
        return f'<{prefix}c r="{col_letters(col)}{row}"{_s_attr(style)}>{inner}</{prefix}c>'
    if kind is int:
        return f'<{prefix}c r="{col_letters(col)}{row}"{_s_attr(style)}><{prefix}v>{value}</{prefix}v></{prefix}c>'
    ref = f"{col_letters(col)}{row}"
    if isinstance(value, (dt.date, dt.datetime)):
        style = date_style(style)
    attrs = f' r="{ref}"' + _s_attr(style)
    c = f"{prefix}c"
    if value is None:
        return f"<{c}{attrs}/>"
    if isinstance(value, bool):
        return f'<{c}{attrs} t="b"><{prefix}v>{int(value)}</{prefix}v></{c}>'
    if isinstance(value, (dt.date, dt.datetime)):
        return f"<{c}{attrs}><{prefix}v>{excel_serial(value, date_system)}</{prefix}v></{c}>"
    if isinstance(value, (int, float)):
        text = number_text(value)
        return f"<{c}{attrs}/>" if text is None else f"<{c}{attrs}><{prefix}v>{text}</{prefix}v></{c}>"
    text = str(value)
    if text == "":
        return f"<{c}{attrs}/>"
    if len(text) > MAX_TEXT // 2 and text_length(text) > MAX_TEXT:
        raise ValueError(f"a text of {text_length(text):,} characters cannot be written (drop_unstorable first)")
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() or _SPACE_INSIDE.search(text) else ""
    return f'<{c}{attrs} t="inlineStr"><{prefix}is><{prefix}t{space}>{escape_text(text)}</{prefix}t></{prefix}is></{c}>'


def _s_attr(style: int | None) -> str:
    """The s="N" attribute of a cell (nothing for the default style 0)."""
    return f' s="{style}"' if style else ""
