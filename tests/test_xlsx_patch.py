"""Patching a sheet's XML: whatever the shape of its rows, exactly the target cells change."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from sheets_sync.a1 import col_index, col_letters
from sheets_sync.backends.xlsx_sheet import SheetStyle, patch_sheet

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
