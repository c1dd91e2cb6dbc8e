"""Column widths for big rich tables, worked out from the text instead of by rich.

rich sizes a table by measuring every cell as a renderable, twice when it is too wide for
the terminal, and ``terminal.print_fitted`` measures it once more to decide on the compact
style: for the thousands of calls a big sync lists that took most of the printing time.
For a table whose cells are all plain text (no markup, emoji codes or tabs: the tables of
``report``), the same widths follow from the lengths of the lines and words. ``pin`` works
them out by rich's own rules (the maximum when it fits, else the wrappable columns collapsed
from the widest down, then every column reduced evenly) and sets them on the columns, so
rich prints the very same table without measuring it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich._emoji_replace import _emoji_replace
from rich._ratio import ratio_reduce
from rich._wrap import divide_line
from rich.cells import cell_len, set_cell_size

from sheets_sync.terminal import EMOJI_LIKE

if TYPE_CHECKING:
    from rich.table import Column, Table

    from sheets_sync.text_table import TextColumn, TextTable

_WORD = re.compile(r"\s*\S+\s*")  # rich's word: the blanks before it, itself, the blanks after


@dataclass(frozen=True)
class Span:
    """The narrowest (longest word) and widest (longest line) a column's text can be."""

    minimum: int
    maximum: int


def _plain(value: object) -> bool:
    """Text that rich prints as it is: no markup, no emoji code, no tab."""
    return (isinstance(value, str) and "[" not in value and "\t" not in value
            and (":" not in value or not EMOJI_LIKE.search(value) or _emoji_replace(value) == value))


def _all_plain(cells: Sequence[object]) -> bool:
    """``_plain`` for every cell, tested on their text joined by line breaks, at which no
    markup, emoji code or tab can span two cells."""
    if not all(isinstance(cell, str) for cell in cells):
        return False
    return _plain("\n".join(cells))  # type: ignore[arg-type]


def _column_span(cells: Sequence[str]) -> Span:
    """The span over ``cells``; for one-line printable ASCII cells (a length is a cell count,
    a word is what lies between spaces) from their joined text, without a call per cell."""
    joined = " ".join(cells)
    if joined.isascii() and joined.isprintable():
        # a cell of spaces only has no word: its narrowest is its whole length, as in _span
        blank = max((len(cell) for cell in cells if cell.isspace()), default=0)
        return Span(max(max(map(len, joined.split()), default=0), blank), max(map(len, cells), default=0))
    widest, longest = 0, 0
    for cell in cells:
        span = _span(cell)
        widest, longest = max(widest, span.maximum), max(longest, span.minimum)
    return Span(longest, widest)


def _span(text: str) -> Span:
    lines = text.splitlines()
    widest = max((len(line) if line.isascii() else cell_len(line) for line in lines), default=0)
    words = text.split()
    longest = max((len(word) if word.isascii() else cell_len(word) for word in words), default=widest)
    return Span(longest, widest)


def measure_cells(table: Table | TextTable) -> list[Span] | None:
    """Each column's span over its cells (not the header), or None when rich must measure:
    a cell that is not plain text, or a table or column with sizes of its own."""
    if table.width is not None or table.min_width is not None or table.expand or table.show_footer:
        return None
    spans = []
    for column in table.columns:
        if column.width is not None or column.min_width is not None or column.max_width is not None:
            return None
        cells: Sequence[object] = column._cells  # noqa: SLF001 (rich keeps a column's cells here)
        if not _all_plain(cells):
            return None
        spans.append(_column_span(cells))  # type: ignore[arg-type]
    return spans


def _with_header(table: Table | TextTable, spans: list[Span]) -> list[Span] | None:
    out = []
    columns: Sequence[Column | TextColumn] = table.columns
    for column, span in zip(columns, spans, strict=True):
        if not table.show_header:
            out.append(span)
            continue
        if not _plain(column.header):
            return None
        head = _span(column.header)  # type: ignore[arg-type]
        out.append(Span(max(span.minimum, head.minimum), max(span.maximum, head.maximum)))
    if not table.rows or any(span.maximum == 0 for span in out):
        return None  # an empty table or column: rich's own edge cases, left to rich
    return out


def widest(table: Table | TextTable, spans: list[Span]) -> int | None:
    """The table's width with no column wrapped (what rich's measure gives as its maximum)."""
    full = _with_header(table, spans)
    if full is None:
        return None
    padding = [table._get_padding_width(i) for i in range(len(table.columns))]  # noqa: SLF001
    return sum(s.maximum + p for s, p in zip(full, padding, strict=True)) + table._extra_width  # noqa: SLF001


def pin(table: Table | TextTable, spans: list[Span], width: int) -> bool:
    """Set each column's width to what rich would give it in ``width`` characters (so rich
    prints it without measuring a cell). False, and nothing changed, when the header needs
    rich's own measure."""
    full = _with_header(table, spans)
    if full is None or not table.columns:
        return False
    columns: Sequence[Column | TextColumn] = table.columns
    padding = [table._get_padding_width(i) for i in range(len(columns))]  # noqa: SLF001
    max_width = width - table._extra_width  # noqa: SLF001
    if max_width <= 0:
        return False
    # rich: each column's measure (content + padding), capped at the width there is
    widths = [min(s.maximum + p, max_width) or 1 for s, p in zip(full, padding, strict=True)]
    if sum(widths) > max_width:
        wrapable = [not column.no_wrap for column in columns]
        widths = type(table)._collapse_widths(widths, wrapable, max_width)  # noqa: SLF001
        if sum(widths) > max_width:
            widths = ratio_reduce(sum(widths) - max_width, [1] * len(widths), widths, widths)
        widths = [min(s.maximum + p, w) for s, p, w in zip(full, padding, widths, strict=True)]
    if any(w - p < 1 for w, p in zip(widths, padding, strict=True)):
        return False  # a column squeezed to nothing: rich's own edge cases, left to rich
    for column, w, p in zip(columns, widths, padding, strict=True):
        column.width = w - p
    return True


def render_compact(table: Table | TextTable) -> str | None:
    """The text rich prints, without styles, for a table whose widths are pinned and whose
    cells are plain text, in one of the two looks ``terminal`` gives tables (rich's default
    box, or ``terminal.compact``'s), made line by line from the cells' text with rich's own
    wrapping rule: its speed is what a table of thousands of rows needs. None for any other
    table, which rich prints itself."""
    from rich import box

    compact = _renders_plainly(table, box.SIMPLE_HEAD, edge=False)
    if not compact and not _renders_plainly(table, box.HEAVY_HEAD, edge=True):
        return None
    columns: Sequence[Column | TextColumn] = table.columns
    last = len(columns) - 1
    if compact:  # no left padding, one space at the right but the last column's
        pads = [("", "" if i == last else " ") for i in range(len(columns))]
    else:
        pads = [(" ", " ")] * len(columns)
    widths = [(column.width or 0) + len(left) + len(right) for column, (left, right) in zip(columns, pads, strict=True)]
    table_width = sum(widths) + len(columns) - 1 + (0 if compact else 2)
    out: list[str] = []
    if table.title:
        out += _cell_lines(str(table.title), table_width, str(table.title_justify), "fold", False)
    if compact:
        head_edges = row_edges = ("", " ", "")
    else:
        out.append("┏" + "┳".join("━" * w for w in widths) + "┓")
        head_edges, row_edges = ("┃", "┃", "┃"), ("│", "│", "│")
    rows: list[list[str]] = [[str(c.header) for c in columns]]
    rows += [list(row) for row in zip(*[column._cells for column in columns], strict=True)]  # noqa: SLF001
    fits = [_fits(left, right, column) for column, (left, right) in zip(columns, pads, strict=True)]
    for number, row in enumerate(rows):
        header = number == 0
        parts = [None if header else fit(text) for fit, text in zip(fits, row, strict=True)]
        if None not in parts:  # every cell on one line: the common row of a big table
            out.append(row_edges[0] + row_edges[1].join(parts) + row_edges[2])  # type: ignore[arg-type]
            continue
        rendered = []
        for text, part, column, (left, right) in zip(row, parts, columns, pads, strict=True):
            if part is not None:
                rendered.append([part])
                continue
            lines = _cell_lines(text, column.width or 0, column.justify, column.overflow, column.no_wrap)
            rendered.append([left + line + right for line in lines])
        height = max(len(lines) for lines in rendered)
        for i, lines in enumerate(rendered):
            blank = [" " * widths[i]] * (height - len(lines))
            rendered[i] = blank + lines if header else lines + blank  # a header sits at the bottom
        start, between, end = head_edges if header else row_edges
        out += [start + between.join(parts) + end for parts in zip(*rendered, strict=True)]
        if header:
            out.append("─" * table_width if compact else "┡" + "╇".join("━" * w for w in widths) + "┩")
    if not compact:
        out.append("└" + "┴".join("─" * w for w in widths) + "┘")
    return "".join(line + "\n" for line in out)


def _renders_plainly(table: Table | TextTable, look: object, edge: bool) -> bool:
    """True for a table ``render_compact`` makes as rich would: box ``look`` (edges drawn or
    not as ``edge`` says, padding as rich's default or ``terminal.compact`` sets it), a header,
    no footer, caption, row lines or row styles, every column pinned, plain text throughout."""
    padding = (tuple(table.padding) == (0, 1, 0, 1)
               and (table.pad_edge, table.collapse_padding) == ((True, False) if edge else (False, True)))
    if (table.box is not look or table.show_edge != edge or not padding or not table.show_header
            or table.show_footer or table.show_lines or table.leading or table.caption or table.row_styles
            or table.expand or not table.columns or table.title_justify not in ("left", "center")):
        return False
    if table.title and not _plain(table.title):
        return False
    if any(row.end_section or row.style for row in table.rows):
        return False
    for column in table.columns:
        if (not column.width or column.justify not in ("left", "right") or column.vertical != "top"
                or column.overflow not in ("fold", "ellipsis", "crop")):
            return False
        if not _plain(column.header) or not _all_plain(column._cells):  # noqa: SLF001
            return False
    return True


def _fits(left: str, right: str, column: Column | TextColumn) -> Callable[[str], str | None]:
    """For ``column``'s cells: the padded line of a text that fits on one line as it is
    (printable ASCII, no longer than the column: what ``_cell_lines`` makes of it, without
    the wrapping rule), or None for any other text."""
    width = column.width or 0
    justify = column.justify

    def fit(text: str) -> str | None:
        if len(text) > width or not text.isascii() or not text.isprintable():
            return None
        if justify == "left":
            return left + text.ljust(width) + right
        return left + text.rstrip().rjust(width) + right

    return fit


def _cell_lines(text: str, width: int, justify: str, overflow: str, no_wrap: bool) -> list[str]:
    """A cell's lines as rich's Text.wrap, render_lines and Padding make them: split at line
    breaks, wrapped at word boundaries (long words folded when ``overflow`` is fold), each
    line justified, cut to ``width`` with an ellipsis or not, and padded to it."""
    out = []
    for line in text.split("\n"):
        ascii = line.isascii() and line.isprintable()
        if no_wrap:
            pieces = [line]
        else:
            fold = overflow == "fold"
            bounds = [0, *(divide(line, width, fold) if ascii else divide_line(line, width, fold=fold)), len(line)]
            pieces = [line[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
        for piece in pieces:
            if len(piece) > width and not no_wrap:  # rich's rstrip_end, for wrapped lines only
                spaces = len(piece) - len(piece.rstrip())
                piece = piece[: len(piece) - min(spaces, len(piece) - width)]
            if ascii:  # a character is a cell: what the lines below make, by length
                if justify == "left":
                    out.append(_cut(piece, width, overflow).ljust(width))
                elif justify == "center":
                    piece = _cut(piece.rstrip(), width, overflow)
                    out.append((" " * ((width - len(piece)) // 2) + piece).ljust(width))
                else:
                    out.append(_cut(piece.rstrip(), width, overflow).rjust(width))
                continue
            if justify == "left":
                piece = _truncate(piece, width, overflow, pad=True)
            elif justify == "center":
                piece = _truncate(piece.rstrip(), width, overflow)
                piece = " " * ((width - cell_len(piece)) // 2) + piece
                piece += " " * (width - cell_len(piece))
            else:
                piece = _truncate(piece.rstrip(), width, overflow)
                piece = " " * (width - cell_len(piece)) + piece
            piece = _truncate(piece, width, overflow)
            out.append(set_cell_size(piece, width))
    return out


def divide(line: str, width: int, fold: bool) -> list[int]:
    """rich's ``divide_line`` (where to break ``line`` to wrap it in ``width`` cells) for a
    line of printable ASCII, in which a character is a cell and a space the only blank."""
    breaks: list[int] = []
    offset = 0
    for word in _WORD.finditer(line):
        start, end = word.span()
        length = len(word.group().rstrip())
        if width - offset >= length:
            offset += end - start
        elif length > width:  # on no line of its own: folded, or cropped
            if not fold:
                if start:
                    breaks.append(start)
                offset = end - start
                continue
            for at in range(start, end, width):
                if at:
                    breaks.append(at)
                offset = min(width, end - at)
        elif offset and start:
            breaks.append(start)
            offset = end - start
    return breaks


def _cut(text: str, width: int, overflow: str) -> str:
    """``_truncate`` for printable ASCII."""
    if len(text) <= width:
        return text
    return text[: width - 1] + "…" if overflow == "ellipsis" else text[:width]


def _truncate(text: str, width: int, overflow: str, pad: bool = False) -> str:
    length = cell_len(text)
    if length > width:
        return set_cell_size(text, width - 1) + "…" if overflow == "ellipsis" else set_cell_size(text, width)
    if pad and length < width:
        return text + " " * (width - length)
    return text
