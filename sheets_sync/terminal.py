"""Rich tables that fit the terminal they are printed in.

A table that fits is printed as it is. One that does not loses its borders first (a rule
under the header, two spaces between columns), and the headers of columns that must not
wrap (numbers, dates, phone numbers) go on two lines; text columns then wrap inside their
cells. Numbers are never cut to "$13,…".

Printed to a file or a pipe, plain lines and tables are written as text, byte for byte what
rich would print, without rich's rendering (and, for lines alone, without importing it).
"""

from __future__ import annotations

import itertools
import os
import re
import sys
import textwrap
from typing import IO, TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table
    from rich.text import Text

    from sheets_sync.text_table import TextTable

HEADER_LINES = 2  # a folded header: "E at end" as "E at" / "end", not one word a line
# What every emoji code rich replaces (":smile:", ":flag-emoji:") looks like: two colons, no blank between
EMOJI_LIKE = re.compile(r":\S*:")


class PlainStdout:
    """Standard output when it is a file or a pipe that rich would print to without colours
    (see ``plain_stdout``): ``print_lines`` and ``print_fitted`` write plain text there
    themselves, and a rich Console, with its imports, is made only for what they leave to rich."""

    color_system = None
    record = False
    is_jupyter = False
    legacy_windows = False
    soft_wrap = False

    def __init__(self, width: int):
        self.width = width
        self._console: Console | None = None

    @property
    def file(self) -> IO[str]:
        """Where rich would write: sys.stdout as it is now."""
        return getattr(sys.stdout, "rich_proxied_file", sys.stdout)

    @property
    def encoding(self) -> str:
        """The file's encoding, lower case, as rich reads it."""
        return (getattr(self.file, "encoding", "utf-8") or "utf-8").lower()

    def console(self) -> Console:
        """The rich Console this stands for (made once, on first use)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(width=self.width, soft_wrap=False, highlight=False, markup=False)
        return self._console

    def print(self, *objects: Any, **options: Any) -> None:
        """``Console.print``, by rich."""
        self.console().print(*objects, **options)


Out: TypeAlias = "Console | PlainStdout"


def plain_stdout(width: int) -> PlainStdout | None:
    """A PlainStdout ``width`` wide when rich would print to stdout in plain text at that width
    (not a terminal, no COLUMNS, nothing forcing colours, no notebook, not Windows), else None."""
    environ = os.environ
    if (environ.get("COLUMNS") or "FORCE_COLOR" in environ or "TTY_COMPATIBLE" in environ
            or sys.platform == "win32" or "IPython" in sys.modules
            or getattr(sys.stdin, "__module__", "").startswith("idlelib")):
        return None
    try:
        if sys.stdout is None or sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return PlainStdout(width)


def print_fitted(out: Out, item: RenderableType | TextTable) -> None:
    """Print ``item``; a table too wide for ``out`` is printed compact (see module doc)."""
    from sheets_sync import table_widths
    from sheets_sync.text_table import TextTable

    if isinstance(item, TextTable):
        spans = table_widths.measure_cells(item) if _unstyled(out) else None
        full = table_widths.widest(item, spans) if spans is not None else None
        if spans is None or full is None:
            item = item.rich_table()  # as built: sized and printed below, as any rich Table
        else:
            if full > out.width:
                compact(item)
            text = table_widths.render_compact(item) if table_widths.pin(item, spans, out.width) else None
            if text is not None:
                out.file.write(text)
                out.file.flush()
            else:
                out.print(item.rich_table())  # with the look and widths set here
            return
    from rich.table import Table  # loaded already when item is one

    if isinstance(item, Table):
        # A table of plain text is sized from its text (table_widths): rich's own measure
        # of thousands of rows took most of a big sync's printing time.
        spans = table_widths.measure_cells(item)
        full = table_widths.widest(item, spans) if spans is not None else None
        if full is None:
            console = out.console() if isinstance(out, PlainStdout) else out
            full = console.measure(item, options=console.options.update_width(10**6)).maximum
        if full > out.width:
            compact(item)
        if spans is not None and table_widths.pin(item, spans, out.width) and _unstyled(out):
            text = table_widths.render_compact(item)
            if text is not None:  # the same text rich would print, made without rich's machinery
                out.file.write(text)
                out.file.flush()
                return
    out.print(item)


def print_lines(out: Out, *lines: str | Text, soft_wrap: bool | None = None) -> None:
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
        text = _wrapped(line, width)
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


def assemble(out: Out, *parts: str | tuple[str, str]) -> str | Text:
    """``Text.assemble(*parts)`` (text, or (text, style) pairs), or its plain text where ``out``
    prints both the same (no colours, and a line rich leaves as it is): rich.text unimported."""
    plain = "".join(part if isinstance(part, str) else part[0] for part in parts)
    if _unstyled(out) and _as_is(plain, out.width) is not None:
        return plain
    from rich.text import Text

    return Text.assemble(*parts)


def _as_is(line: str | Text, width: int | None) -> str | None:
    """The text ``line`` prints as on a plain console, when rich leaves it as it is: printable
    ASCII (nothing stripped, every character one cell), no emoji code, at most ``width``
    characters (any length for None: no wrapping). None for any other line."""
    if not isinstance(line, str):  # a rich Text
        if line.justify or line.overflow or line.no_wrap or line.end != "\n":
            return None
        line = line.plain  # its styles print nothing without colours
    if not (line.isascii() and line.isprintable()) or (width is not None and len(line) > width):
        return None
    if ":" in line and EMOJI_LIKE.search(line):
        from rich._emoji_replace import _emoji_replace

        if _emoji_replace(line) != line:
            return None
    return line


def _wrapped(line: str | Text, width: int | None) -> str | None:
    """The text ``line`` prints as on a plain console when rich at most wraps it: a line
    ``_as_is`` takes at any length, cut where rich's word wrap cuts it (``divide_line``, long
    words folded) and each piece's blanks past ``width`` dropped (``Text.rstrip_end``).
    None for any other line. A sync's summary line is often longer than a log's 140 columns,
    and printing it through rich imported rich's whole console."""
    text = _as_is(line, None)
    if text is None or width is None or len(text) <= width:
        return text
    from rich._wrap import divide_line  # table_widths uses it too: no console imported

    cuts = [0, *divide_line(text, width, fold=True), len(text)]
    pieces = []
    for start, end in itertools.pairwise(cuts):
        piece = text[start:end]
        if len(piece) > width:
            piece = piece[:len(piece) - min(len(piece) - len(piece.rstrip()), len(piece) - width)]
        pieces.append(piece)
    return "\n".join(pieces)


def _unstyled(out: Out) -> bool:
    """True when ``out`` prints plain text (a file or a pipe, no colours) and keeps no record."""
    return (out.color_system is None and not out.record and not out.is_jupyter and not out.legacy_windows
            and out.encoding.startswith("utf"))  # else rich draws the box in ASCII


def compact(table: Table | TextTable) -> None:
    """Switch ``table`` to the compact style in place: no outer or column borders, and each
    unwrappable column's header (set no_wrap, or right-aligned: numbers) folded to the width of its widest cell."""
    from rich import box

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
