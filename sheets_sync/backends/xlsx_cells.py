"""One cell's XML from a Python value, the way Excel itself would write it.

Strings are written as inline strings (``t="inlineStr"``): Excel, LibreOffice and every
reader accept them, and they leave the shared strings part byte-identical (Excel moves them
into its shared table the next time a person saves). A text starting with "=" is text: we
never write a formula. Dates become serial numbers in the workbook's date system, in a
cell whose style shows a date.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable

from sheets_sync.a1 import col_letters

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
EPOCHS = {1900: dt.datetime(1899, 12, 30), 1904: dt.datetime(1904, 1, 1)}
MAX_TEXT = 32767


def escape_text(text: str) -> str:
    """Text for an XML element: markup escaped, control characters as Excel's _xHHHH_."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ILLEGAL.sub(lambda m: "_x005F_" if m.group() == "_" else f"_x{ord(m.group()):04X}_", text)


def escape_attr(text: str) -> str:
    """Text for an XML attribute value in double quotes."""
    return escape_text(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")


def serial(value: dt.date, date_system: int) -> float | int:
    """The serial day number of a date or datetime in the workbook's date system (a
    datetime's wall-clock time: a cell has no time zone)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # before the cache: one instant in two zones is equal, but not the same wall time
        value = value.replace(tzinfo=None)
    return _serial(value, date_system)


@functools.lru_cache(maxsize=50000)
def _serial(value: dt.date, date_system: int) -> float | int:
    moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    delta = moment - EPOCHS[date_system]
    if date_system == 1900 and moment < dt.datetime(1900, 3, 1):
        delta -= dt.timedelta(days=1)  # Excel's 1900-02-29 that never was
    days = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    return int(days) if days == int(days) else round(days, 10)


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
        inner = f"<{prefix}v>{serial(value, date_system)}</{prefix}v>"  # type: ignore[arg-type]
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
        return f"<{c}{attrs}><{prefix}v>{serial(value, date_system)}</{prefix}v></{c}>"
    if isinstance(value, (int, float)):
        text = number_text(value)
        return f"<{c}{attrs}/>" if text is None else f"<{c}{attrs}><{prefix}v>{text}</{prefix}v></{c}>"
    text = str(value)[:MAX_TEXT]
    if text == "":
        return f"<{c}{attrs}/>"
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f'<{c}{attrs} t="inlineStr"><{prefix}is><{prefix}t{space}>{escape_text(text)}</{prefix}t></{prefix}is></{c}>'


def _s_attr(style: int | None) -> str:
    """The s="N" attribute of a cell (nothing for the default style 0)."""
    return f' s="{style}"' if style else ""
