"""Rich tables that fit the terminal they are printed in.

A table that fits is printed as it is. One that does not loses its borders first (a rule
under the header, two spaces between columns), and the headers of columns that must not
wrap (numbers, dates, phone numbers) go on two lines; text columns then wrap inside their
cells. Numbers are never cut to "$13,…".
"""

from __future__ import annotations

import textwrap

from rich import box
from rich._emoji_replace import _emoji_replace
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from sheets_sync import table_widths

HEADER_LINES = 2  # a folded header: "E at end" as "E at" / "end", not one word a line


def print_fitted(out: Console, item: RenderableType) -> None:
    """Print ``item``; a table too wide for ``out`` is printed compact (see module doc)."""
    if isinstance(item, Table):
        # A table of plain text is sized from its text (table_widths): rich's own measure
        # of thousands of rows took most of a big sync's printing time.
        spans = table_widths.measure_cells(item)
        full = table_widths.widest(item, spans) if spans is not None else None
        if full is None:
            full = out.measure(item, options=out.options.update_width(10**6)).maximum
        if full > out.width:
            compact(item)
        if spans is not None and table_widths.pin(item, spans, out.width) and _unstyled(out):
            text = table_widths.render_compact(item)
            if text is not None:  # the same text rich would print, made without rich's machinery
                out.file.write(text)
                out.file.flush()
                return
    out.print(item)


def print_lines(out: Console, *lines: str | Text, soft_wrap: bool | None = None) -> None:
    """Print each of ``lines`` as ``out.print(line, soft_wrap=soft_wrap)`` would. On a plain
    console the lines that print as they are (printable ASCII, no emoji code, short enough
    not to wrap) are written to the file together, not each through rich's rendering."""
    if not _unstyled(out):
        for line in lines:
            out.print(line, soft_wrap=soft_wrap)
        return
    width = None if (out.soft_wrap if soft_wrap is None else soft_wrap) else out.width
    ready: list[str] = []
    for line in lines:
        text = _as_is(line, width)
        if text is not None:
            ready.append(text + "\n")
            continue
        if ready:
            out.file.write("".join(ready))
            ready = []
        out.print(line, soft_wrap=soft_wrap)
    if ready:
        out.file.write("".join(ready))
        out.file.flush()


def _as_is(line: str | Text, width: int | None) -> str | None:
    """The text ``line`` prints as on a plain console, when rich leaves it as it is: printable
    ASCII (nothing stripped, every character one cell), no emoji code, at most ``width``
    characters (any length for None: no wrapping). None for any other line."""
    if isinstance(line, Text):
        if line.justify or line.overflow or line.no_wrap or line.end != "\n":
            return None
        line = line.plain  # its styles print nothing without colours
    if not (line.isascii() and line.isprintable()) or (width is not None and len(line) > width):
        return None
    if ":" in line and _emoji_replace(line) != line:
        return None
    return line


def _unstyled(out: Console) -> bool:
    """True when ``out`` prints plain text (a file or a pipe, no colours) and keeps no record."""
    return (out.color_system is None and not out.record and not out.is_jupyter and not out.legacy_windows
            and out.encoding.startswith("utf"))  # else rich draws the box in ASCII


def compact(table: Table) -> None:
    """Switch ``table`` to the compact style in place: no outer or column borders, and each
    unwrappable column's header (set no_wrap, or right-aligned: numbers) folded to the width of its widest cell."""
    table.box = box.SIMPLE_HEAD
    table.show_edge = False
    table.pad_edge = False
    table.collapse_padding = True
    for column in table.columns:
        column.no_wrap = column.no_wrap or column.justify == "right"  # right-aligned: a number
        if not column.no_wrap or not isinstance(column.header, str):
            continue
        widest = max((len(str(cell)) for cell in column.cells), default=0)
        longest_word = max((len(word) for word in column.header.split()), default=0)
        width = max(widest, longest_word)
        while len(lines := textwrap.wrap(column.header, width)) > HEADER_LINES:
            width += 1
        column.header = "\n".join(lines)
