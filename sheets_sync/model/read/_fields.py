"""Tables of fields: what each column of a sheet becomes, and what a refused or blank cell does.

A sheet's table lists its columns in the order of its row class's attributes after ``row``,
so a clean row is read in one go (one itemgetter, one parser a column, one positional
constructor: no per-cell checks on the books of hundreds of thousands of rows this reads);
a row with a refused or blank-but-needed value is read again field by field with
``read_field``, which reports each problem at its cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from sheets_sync.model import values as v
from sheets_sync.model.read._tables import RowReader, cached, lenient

Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    """A column (its layout field, which is also the row attribute it becomes) and how it is read.

    ``parse`` names one of the reader's parsers ("text", "date", ...). A value the parser
    refuses ``fails`` the row (a problem, the row left out), is ``noted`` (a problem, and
    ``default`` taken) or is ``ignored`` (None: a tool column, rewritten by the run anyway).
    A blank cell becomes ``blank`` when one is given; ``blank_fails`` is the problem a blank
    cell is when the row cannot do without the value.
    """

    name: str
    parse: str
    refused: str = "fails"  # fails | noted | ignored
    default: Any = None
    blank: Any = None
    blank_fails: str = ""


class _Blank(v.BadValue):
    """A blank cell the row cannot do without: the field-by-field reading says where and how."""


def _required(parse: Parser) -> Parser:
    def read(raw: Any) -> Any:
        value = parse(raw)
        if value == "":
            raise _Blank("blank")
        return value

    return read


def _or_blank(parse: Parser, blank: Any) -> Parser:
    return lambda raw: parse(raw) or blank


def quick_parsers(fields: Sequence[Field], parsers: dict[str, Parser]) -> list[Parser]:
    """One parser a field for reading a clean row in one go: each raises BadValue where the
    row needs reading field by field (a refused value, a blank the row cannot do without)."""
    quick = []
    for f in fields:
        parse = parsers[f.parse]
        if f.refused == "ignored":
            parse = partial(lenient, parse)
        elif f.blank_fails:
            parse = cached(_required(parse))
        elif f.blank is not None:
            parse = cached(_or_blank(parse, f.blank))
        quick.append(parse)
    return quick


def read_field(r: RowReader, f: Field, parsers: dict[str, Parser]) -> Any:
    """One field of a row that was not clean, each problem reported at its cell."""
    parse = parsers[f.parse]
    if f.refused == "ignored":
        return lenient(parse, r.raw(f.name))
    value = r.get(f.name, parse, fatal=f.refused == "fails", default=f.default)
    if f.blank_fails and value == "":
        r.fail(f.name, f.blank_fails)
    return value or f.blank if f.blank is not None else value
