"""model.read._tables.cached: a parser memoized per raw value and its type, so that cells
equal in Python but not in the sheet (1, 1.0, True, "1") are each parsed as they are."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from sheets_sync.model.read._tables import cached

cells = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(-3, 3).map(round).map(float),
                  st.sampled_from(["1", "1.0", "True", " 1", "", "x"]), st.text(max_size=3),
                  st.dates(dt.date(2026, 1, 1), dt.date(2026, 1, 3)),
                  st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 3)).map(lambda d: d.replace(hour=0, minute=0, second=0, microsecond=0)))


@given(st.lists(cells, max_size=30))
def test_a_cached_parser_answers_as_the_parser_for_every_cell(raws: list[object]) -> None:
    def parse(raw: object) -> tuple[str, object]:
        return type(raw).__name__, raw

    quick = cached(parse)
    assert [quick(raw) for raw in raws] == [parse(raw) for raw in raws]
    assert [quick(raw) for raw in reversed(raws)] == [parse(raw) for raw in reversed(raws)]


def test_a_value_is_parsed_once() -> None:
    seen: list[object] = []
    quick = cached(lambda raw: seen.append(raw) or len(seen))
    assert [quick(v) for v in ("a", "a", 1, 1, 1.0, True, "1", "1")] == [1, 1, 2, 2, 3, 4, 5, 5]
