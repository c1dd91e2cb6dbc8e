"""Which column of a header row is which field: a team's own headers ("Customer #", "Full
name", "E-mail address", "Rep") matched to the tool's fields, best match first.

Each header is tried against every field, and each try has a rank:

0. exact: the field's header or name ("Client ID", "Name"), or the header the config file maps;
1. alias: one of the field's other names ("Full Name", "E-mail Address", "Rep");
2. identifier: a header marked as an identifier ("#", "No.", "No", "Number", "Num", "ID",
   "Code", "Ref" at its end, or "#" anywhere) whose other words name what it identifies
   ("Customer #", "Account Number", "Cust ID"; nothing else: "#", "ID" for the table's key);
3. qualified: a field's name after a word naming the client or task ("Customer Name",
   "Client Email").

Pairs are taken best rank first, then left to right, and a column or field already taken is
skipped: one column is never two fields, and one field never two columns. An identifier
whose other words only name a client or task ("Customer #") is an identifier and nothing
else: never the Name, although "Customer" alone is one of the Name's aliases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from sheets_sync.model.layout import Column, Table
from sheets_sync.model.layout import normalize_header as _normalize_header

# A header row is looked for among a sheet's first rows, each cell tried against every
# field: the same few texts are normalized thousands of times (typed: 1 and True differ).
normalize_header = lru_cache(maxsize=4096, typed=True)(_normalize_header)

EXACT, ALIAS, IDENTIFIER, QUALIFIED = range(4)
ID_WORDS = frozenset({"#", "no", "nr", "nbr", "num", "number", "id", "code", "ref", "reference"})
CLIENT_WORDS = frozenset({"client", "customer", "cust", "account", "acct", "member"})
TASK_WORDS = frozenset({"task", "item", "job", "ticket"})
# What an identifier column's other words may say, per identifier field.
SUBJECTS = {"client_id": CLIENT_WORDS, "task_id": TASK_WORDS}
LINKING_WORDS = CLIENT_WORDS | TASK_WORDS  # the words a qualified header starts with


def header_words(text: object) -> list[str]:
    """A header's words, lower case, with "#" as a word of its own ("Customer #" -> customer, #)."""
    return list(_words(text))


@lru_cache(maxsize=4096, typed=True)
def _words(text: object) -> tuple[str, ...]:
    return tuple(re.findall(r"#|[0-9a-z]+", str(text or "").casefold().replace("№", "#")))


def is_identifier(text: object) -> bool:
    """True for a header that names an identifier: "#" anywhere, or an identifier word at its
    end ("Client No.", "Account Number", "Cust ID"; not "No Email" nor "# of policies")."""
    words = header_words(text)
    if words[:1] == ["#"] and len(words) > 1:  # "# of policies" counts something
        return False
    return bool(words) and ("#" in words or words[-1] in ID_WORDS)


def is_subject_identifier(text: object) -> bool:
    """True for an identifier header whose other words only name a client or task
    ("Customer #", "Client No.", "ID"): such a column is an identifier and nothing else."""
    words = header_words(text)
    return is_identifier(text) and all(w in ID_WORDS or w in CLIENT_WORDS or w in TASK_WORDS for w in words)


def _rank(text: object, column: Column, table: Table, remapped: str | None) -> int | None:
    """How well one header means one column (lower is better), or None when it does not."""
    key = normalize_header(text)
    words = _words(text)
    if remapped is not None:  # the config file names this column's header: that alone
        return EXACT if key == remapped else None
    exact, aliases, names = _column_keys(column)
    if key in exact:
        return EXACT
    if column.kind != "id" and _is_subject_identifier(text):
        return None
    if key in aliases:
        return ALIAS
    if column.kind == "id":
        subject = [w for w in words if w not in ID_WORDS]
        allowed = SUBJECTS.get(column.field, frozenset())
        if _is_identifier(text) and all(w in allowed for w in subject) and (subject or column.field == table.key):
            return IDENTIFIER
        return None
    rest = [w for w in words if w not in CLIENT_WORDS and w not in TASK_WORDS]
    if rest and len(rest) < len(words) and not _is_identifier(text) and "".join(rest) in names:
        return QUALIFIED
    return None


@lru_cache(maxsize=512)
def _column_keys(column: Column) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """A column's normalized header and field, its aliases, and every name (``Column.names``)."""
    return (frozenset({normalize_header(column.header), normalize_header(column.field)}),
            frozenset(normalize_header(a) for a in column.aliases), frozenset(column.names()))


@lru_cache(maxsize=64)
def _table_keys(table: Table) -> frozenset[str]:
    """Every normalized header, field name and alias of ``table``'s columns."""
    return frozenset().union(*(exact | aliases for exact, aliases, _ in map(_column_keys, table.columns)))


_is_identifier = lru_cache(maxsize=4096, typed=True)(is_identifier)
_is_subject_identifier = lru_cache(maxsize=4096, typed=True)(is_subject_identifier)


def match_columns(cells: Iterable[Any], table: Table, remap: Mapping[str, str] | None = None) -> dict[str, int]:
    """Field -> 0-based column index for the cells of one row that are ``table``'s headers,
    best match first (see the module's docstring). ``remap``: field -> the team's header,
    from ``[layout.<table>.columns]``."""
    remap = remap or {}
    remapped = {f: normalize_header(h) for f, h in remap.items()}
    keys = _table_keys(table).union(remapped.values()) if remapped else _table_keys(table)
    pairs: list[tuple[int, int, str]] = []
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        words = _words(cell)
        # A data cell (most cells tried) matches no column unless its key is some column's
        # header, alias or remapped header, it is an identifier, or it names a client or task.
        if not words or (normalize_header(cell) not in keys and LINKING_WORDS.isdisjoint(words)
                         and not _is_identifier(cell)):
            continue
        for column in table.columns:
            rank = _rank(cell, column, table, remapped.get(column.field))
            if rank is not None:
                pairs.append((rank, index, column.field))
    found: dict[str, int] = {}
    used: set[int] = set()
    for _, index, field_name in sorted(pairs):
        if field_name not in found and index not in used:
            found[field_name] = index
            used.add(index)
    return found


def unmapped_identifiers(cells: Iterable[Any], found: Mapping[str, int]) -> list[tuple[int, str]]:
    """(0-based index, header) of the header cells that look like identifiers and are no
    field: a key column is not added beside one of them (it may be the team's own key)."""
    taken = set(found.values())
    return [(i, str(c).strip()) for i, c in enumerate(cells)
            if i not in taken and c is not None and is_identifier(c)]
