"""Patching a sheet's XML: whatever the shape of its rows, exactly the target cells change."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from sheets_sync.a1 import col_index, col_letters
from sheets_sync.backends.excel.sheet import SheetPatch, SheetStyle, patch_sheet, patched_stream

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STYLE = SheetStyle(1900, lambda style: 0)

# One existing row: how its tag is written (r first as Excel does, r after another
# attribute, no r at all, or an empty self-closing row) and which columns hold a number.
ROW = st.tuples(st.sampled_from(["first", "later", "none", "empty"]), st.sets(st.integers(1, 5), max_size=4))


def build(prefix: str, rows: dict[int, tuple[str, set[int]]]) -> tuple[bytes, dict[tuple[int, int], str]]:
    """A worksheet with these rows (row -> (tag style, columns)) and the values it holds."""
    p = f"{prefix}:" if prefix else ""
    body, values = [], {}
    previous = 0
    for r in sorted(rows):
        how, cols = rows[r]
        if how == "none" and r != previous + 1:
            how = "first"  # a row without its number can only follow the row before it
        attrs = {"first": f' r="{r}" spans="1:5"', "later": f' spans="1:5" r="{r}"', "none": "",
                 "empty": f' r="{r}"'}[how]
        if how == "empty":
            body.append(f"<{p}row{attrs}/>")
        else:
            cells = "".join(f'<{p}c r="{col_letters(c)}{r}"><{p}v>{r * 10 + c}</{p}v></{p}c>' for c in sorted(cols))
            values.update({(r, c): str(r * 10 + c) for c in cols})
            body.append(f"<{p}row{attrs}>{cells}</{p}row>")
        previous = r
    ns = f' xmlns{":" + prefix if prefix else ""}="{NS}"'
    xml = (f'<?xml version="1.0"?><{p}worksheet{ns}><{p}dimension ref="A1:E9"/><{p}sheetData>'
           + "".join(body) + f"</{p}sheetData></{p}worksheet>").encode()
    return xml, values


def cells_of(xml: bytes) -> dict[tuple[int, int], str]:
    """Every cell's value as an XML parser reads the sheet (rows and cells numbered as Excel does)."""
    out: dict[tuple[int, int], str] = {}
    row_no = 0
    rows = etree.fromstring(xml).iter(f"{{{NS}}}row")
    for row in rows:
        row_no = int(row.get("r")) if row.get("r") else row_no + 1
        col = 0
        for c in row.iter(f"{{{NS}}}c"):
            ref = c.get("r")
            col = col_index("".join(ch for ch in ref if ch.isalpha())) if ref else col + 1
            assert (row_no, col) not in out, "a cell written twice"
            v = c.find(f"{{{NS}}}v")
            out[(row_no, col)] = v.text if v is not None else ""
    return out


@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(["", "x"]), rows=st.dictionaries(st.integers(1, 25), ROW, max_size=15),
       changes=st.dictionaries(st.integers(1, 30), st.dictionaries(st.integers(1, 6), st.integers(100, 999),
                                                                   min_size=1, max_size=3), max_size=10))
def test_only_the_target_cells_change_whatever_the_rows_look_like(prefix, rows, changes):
    xml, before = build(prefix, rows)
    patched, report = patch_sheet(xml, changes, STYLE, "Sheet")
    want = dict(before)
    want.update({(r, c): str(v) for r, cols in changes.items() for c, v in cols.items()})
    assert cells_of(patched) == want
    numbers = [int(r.get("r")) for r in etree.fromstring(patched).iter(f"{{{NS}}}row") if r.get("r")]
    assert numbers == sorted(set(numbers))  # rows stay in order, none twice
    assert not report.kept_formulas



@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(["", "x"]), rows=st.dictionaries(st.integers(1, 25), ROW, max_size=15),
       changes=st.dictionaries(st.integers(1, 30), st.dictionaries(st.integers(1, 6), st.integers(100, 999),
                                                                   min_size=1, max_size=3), max_size=10),
       block=st.integers(1, 400), grow=st.booleans())
def test_a_sheet_patched_as_it_streams_in_is_the_sheet_patched_whole(prefix, rows, changes, block, grow):
    """A big sheet is patched a block at a time as it comes out of the zip: whatever the
    blocks cut through (a tag, a row, </sheetData>), the same bytes and the same report."""
    xml, _ = build(prefix, rows)
    xml = xml.replace(b"</worksheet>", f'<{prefix + ":" if prefix else ""}autoFilter ref="A1:E9"/></worksheet>'.encode())
    grow_filter = (1, 9, max(changes, default=9)) if grow else None
    whole, report = patch_sheet(xml, changes, STYLE, "Sheet", grow_filter=grow_filter)
    streamed = SheetPatch()
    blocks = [xml[at:at + block] for at in range(0, len(xml), block)]
    assert b"".join(patched_stream(blocks, changes, STYLE, "Sheet", streamed, grow_filter=grow_filter)) == whole
    assert streamed == report


CELL_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, -0.0, 1, 1.0, True]), st.text(max_size=80), st.dates(),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=1))])),
)


@settings(max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(["", "x:"]), st.integers(1, 800), st.integers(1, 10**6), CELL_VALUES,
                          st.sampled_from([None, 0, 3])), max_size=40))
def test_a_cell_reused_from_an_earlier_one_is_written_as_if_made_afresh(cells):
    """SheetStyle.cell reuses what follows a reference for equal values: never when equal
    values are written differently (0.0 and -0.0, one instant in two time zones)."""
    from sheets_sync.backends.excel.cells import cell_xml

    styled = SheetStyle(1900, lambda style: 7)
    for prefix, col, row, value, style in cells * 2:  # each twice: the second from what was kept
        assert styled.cell(prefix, col, row, value, style) == \
            cell_xml(prefix, col, row, value, style, 1900, lambda style: 7).encode()


def test_equal_values_written_differently_are_not_reused():
    from sheets_sync.backends.excel.cells import cell_xml

    utc = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    paris = utc.astimezone(dt.timezone(dt.timedelta(hours=1)))  # the same instant: equal
    styled = SheetStyle(1900, lambda style: 7)
    for value in (0.0, -0.0, utc, paris):
        assert styled.cell("", 1, 2, value, None) == cell_xml("", 1, 2, value, None, 1900, lambda s: 7).encode()
    assert styled.cell("", 1, 2, -0.0, None) == b'<c r="A2"><v>-0</v></c>'
    assert styled.cell("", 1, 2, paris, None) == b'<c r="A2" s="7"><v>46349.4583333333</v></c>'  # 11:00
