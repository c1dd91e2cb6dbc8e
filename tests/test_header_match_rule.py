"""model.header_match.match_columns skips a cell that can match no column without trying it
against each one; its answer stays the rule's: every cell ranked against every column, the
best pairs taken first, left to right."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.model import header_match
from sheets_sync.model.header_match import CLIENT_WORDS, ID_WORDS, TASK_WORDS, match_columns
from sheets_sync.model.layout import TABLES, Table

VOCABULARY = sorted({word for table in TABLES for column in table.columns
                     for text in (column.header, column.field.replace("_", " "), *column.aliases)
                     for word in header_match.header_words(text)}
                    | ID_WORDS | CLIENT_WORDS | TASK_WORDS | {"of", "x", "notes", "2026"})
words = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3)
texts = st.builds(lambda ws, sep, case: case(sep.join(ws)), words, st.sampled_from([" ", "", "-", " / ", "_"]),
                  st.sampled_from([str, str.upper, str.title]))
known = st.sampled_from(sorted({text for table in TABLES for column in table.columns
                                for text in (column.header, *column.aliases)}))
linking = st.sampled_from(sorted(CLIENT_WORDS | TASK_WORDS))
qualified = st.builds(lambda w, t: f"{w.title()} {t}", linking, st.one_of(known, texts))  # "Client Email"
identifiers = st.builds(lambda w, i: f"{w} {i}", linking, st.sampled_from(sorted(ID_WORDS)))  # "Cust No"
cells = st.one_of(st.none(), texts, known, qualified, identifiers, st.builds(lambda t: f"{t} #", texts),
                  st.builds(lambda t: f"№ {t}", texts),
                  st.sampled_from(["#", "No.", "ID", "", " ", "Ann Lee", "ann@lee.example", "C-26"]),
                  st.integers(0, 3), st.booleans(), st.just(dt.date(2026, 11, 24)), st.text(max_size=4))


def by_rule(cells: list[object], table: Table, remap: Mapping[str, str]) -> dict[str, int]:
    """Every cell tried against every column (``_rank``), best rank first, then left to right."""
    remapped = {f: header_match.normalize_header(h) for f, h in remap.items()}
    pairs = sorted((rank, index, column.field) for index, cell in enumerate(cells)
                   if cell is not None and header_match.header_words(cell) for column in table.columns
                   if (rank := header_match._rank(cell, column, table, remapped.get(column.field))) is not None)
    found: dict[str, int] = {}
    for _, index, field_name in pairs:
        if field_name not in found and index not in found.values():
            found[field_name] = index
    return found


@settings(max_examples=400)
@given(st.sampled_from(TABLES), st.lists(cells, max_size=12), st.data())
def test_the_columns_found_are_the_rules(table: Table, row: list[object], data: st.DataObject) -> None:
    fields = [c.field for c in table.columns]
    remap = data.draw(st.dictionaries(st.sampled_from(fields), st.one_of(texts, known), max_size=2))
    assert match_columns(row, table, remap) == by_rule(row, table, remap)
