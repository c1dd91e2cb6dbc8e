"""A1 cell names: column letters <-> 1-based column numbers, shared by every backend."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=20000)
def col_letters(index: int) -> str:
    """Column letters of a 1-based column number: 1 -> 'A', 27 -> 'AA'."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    """1-based column number of column letters: 'A' -> 1, 'AA' -> 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def cell_name(col: int, row: int) -> str:
    """A1-style name of a cell from 1-based column and row: (3, 14) -> 'C14'."""
    return f"{col_letters(col)}{row}"
