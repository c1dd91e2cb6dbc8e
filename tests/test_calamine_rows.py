"""The calamine reader's rows: each cell cleaned by itself ("" is None, a whole number an
int, a time a fraction of a day), one object kept for each text or date, trailing empty cells
and rows dropped, columns left of the first used one padded. A number and a boolean that
compare equal (1.0 and True) keep their own types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from sheets_sync.backends.excel.read import _clean, _sheet_rows_calamine

values = st.one_of(st.just(""), st.booleans(), st.sampled_from([0.0, -0.0, 1.0, 2.0, 1.5, 1e15, 3e15]),
                   st.floats(-5, 5, allow_nan=False), st.integers(-2, 2), st.sampled_from(["a", "1", "True", " "]),
                   st.dates(dt.date(2026, 1, 1), dt.date(2026, 1, 2)),
                   st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 2)),
                   st.times(), st.timedeltas(dt.timedelta(0), dt.timedelta(days=2)))


class Sheet:
    """What calamine hands over: the used range's top-left corner and its rows."""

    def __init__(self, rows: list[list[object]], left: int) -> None:
        self.rows, self.start = rows, (0, left)

    def iter_rows(self) -> Iterator[list[object]]:
        return iter(self.rows)


def by_rule(raw_rows: list[list[object]], left: int) -> list[list[object]]:
    rows = []
    for raw in raw_rows:
        row = [_clean(v) for v in raw]
        while row and row[-1] is None:
            row.pop()
        rows.append([None] * left + row if row else row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def typed(rows: list[list[object]]) -> list[list[tuple[type, object]]]:
    return [[(type(v), v) for v in row] for row in rows]


@given(st.lists(st.lists(values, max_size=6), max_size=8), st.integers(0, 2))
def test_each_cell_is_cleaned_as_by_itself(raw_rows: list[list[object]], left: int) -> None:
    assert typed(_sheet_rows_calamine(Sheet(raw_rows, left))) == typed(by_rule(raw_rows, left))


def test_a_boolean_and_an_equal_number_keep_their_types() -> None:
    rows = _sheet_rows_calamine(Sheet([[True, 1.0, "x"], [1.0, True, 0.0, False, ""]], 0))
    assert typed(rows) == [[(bool, True), (int, 1), (str, "x")], [(int, 1), (bool, True), (int, 0), (bool, False)]]
