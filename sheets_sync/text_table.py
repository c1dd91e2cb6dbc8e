"""A table of plain text, described without importing rich.

``report`` builds its tables as TextTables, with the part of rich's Table API it uses (a
title, columns of text, rows). ``terminal.print_fitted`` writes one to a plain file or pipe
itself (``table_widths``), and hands rich the Table made of it (``rich_table``) for anything
else: rich.table, with the style machinery it imports, loads only then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rich.box import Box
    from rich.table import Table


@dataclass
class TextColumn:
    """A column as rich's Column keeps it: the attributes ``table_widths`` reads and sets."""

    header: str
    justify: str = "left"
    no_wrap: bool = False
    overflow: str = "ellipsis"
    width: int | None = None
    min_width: int | None = None
    max_width: int | None = None
    vertical: str = "top"
    _cells: list[str] = field(default_factory=list)

    @property
    def cells(self) -> Iterator[str]:
        """The column's cells, top to bottom."""
        return iter(self._cells)


@dataclass(frozen=True)
class TextRow:
    """A row as rich's Row keeps it: no style, no section line under it."""

    style: None = None
    end_section: bool = False


ROW = TextRow()


class TextTable:
    """rich's default Table (heavy head box, one space of padding each side), of text cells."""

    width = min_width = None
    expand = show_footer = show_lines = False
    show_header = True
    leading = 0
    caption = None
    row_styles = ()
    padding = (0, 1, 0, 1)

    def __init__(self, title: str = "", title_justify: str = "center"):
        self.title = title
        self.title_justify = title_justify
        from rich.box import HEAVY_HEAD

        self.box: Box | None = HEAVY_HEAD
        self.show_edge = self.pad_edge = True
        self.collapse_padding = False
        self.columns: list[TextColumn] = []
        self.rows: list[TextRow] = []

    def add_column(self, header: str, *, justify: str = "left", no_wrap: bool = False,
                   overflow: str = "ellipsis") -> None:
        """Add a column, as ``Table.add_column``."""
        self.columns.append(TextColumn(header, justify=justify, no_wrap=no_wrap, overflow=overflow))

    def add_row(self, *cells: str) -> None:
        """Add a row of text, one cell a column, as ``Table.add_row``."""
        for column, cell in zip(self.columns, cells, strict=True):
            column._cells.append(cell)  # noqa: SLF001
        self.rows.append(ROW)

    def rich_table(self) -> Table:
        """The rich Table of this one as it stands (its look and widths as set since)."""
        from rich.table import Table

        table = Table(title=self.title, title_justify=self.title_justify,  # type: ignore[arg-type]
                      box=self.box, show_edge=self.show_edge, pad_edge=self.pad_edge,
                      collapse_padding=self.collapse_padding)
        for column in self.columns:
            table.add_column(column.header, justify=column.justify, no_wrap=column.no_wrap,  # type: ignore[arg-type]
                             overflow=column.overflow, width=column.width)  # type: ignore[arg-type]
        for row in zip(*(column._cells for column in self.columns), strict=True):  # noqa: SLF001
            table.add_row(*row)
        return table

    # rich's Table computes these three so (rich/table.py); table_widths sizes a table with them
    def _get_padding_width(self, column_index: int) -> int:
        _, pad_right, _, pad_left = self.padding
        if self.collapse_padding:
            pad_left = 0
            pad_right = abs(pad_left - pad_right)
        if not self.pad_edge:
            if column_index == 0:
                pad_left = 0
            if column_index == len(self.columns) - 1:
                pad_right = 0
        return pad_left + pad_right

    @property
    def _extra_width(self) -> int:
        return (2 if self.box and self.show_edge else 0) + (len(self.columns) - 1 if self.box else 0)

    @staticmethod
    def _collapse_widths(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
        from rich._ratio import ratio_reduce

        total_width = sum(widths)
        excess_width = total_width - max_width
        if any(wrapable):
            while total_width and excess_width > 0:
                max_column = max(width for width, allow_wrap in zip(widths, wrapable, strict=True) if allow_wrap)
                second_max_column = max(width if allow_wrap and width != max_column else 0
                                        for width, allow_wrap in zip(widths, wrapable, strict=True))
                column_difference = max_column - second_max_column
                ratios = [(1 if (width == max_column and allow_wrap) else 0)
                          for width, allow_wrap in zip(widths, wrapable, strict=True)]
                if not any(ratios) or not column_difference:
                    break
                max_reduce = [min(excess_width, column_difference)] * len(widths)
                widths = ratio_reduce(excess_width, ratios, max_reduce, widths)
                total_width = sum(widths)
                excess_width = total_width - max_width
        return widths
