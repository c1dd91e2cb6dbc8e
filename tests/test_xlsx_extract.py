"""Reading back a few rows of a written sheet: streamed a block at a time, as from memory."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.backends.excel.extract import extract_rows, extract_rows_from


def sheet_xml(prefix: str = "", rows: int = 40, numbered: bool = True) -> bytes:
    p = f"{prefix}:" if prefix else ""
    body = []
    for r in range(1, rows + 1):
        ref = f' r="{r}"' if numbered or r % 3 else ""  # some rows without their number
        if r % 7 == 0:
            body.append(f'<{p}row{ref} s="1" customFormat="1"/>')  # an empty, styled row
            continue
        cells = "".join(f'<{p}c r="{col}{r}" t="inlineStr"><{p}is><{p}t>{col}{r} &amp; x</{p}t></{p}is></{p}c>'
                        for col in "ABC")
        body.append(f"<{p}row{ref}>{cells}</{p}row>")
    ns = f' xmlns{":" + prefix if prefix else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    return (f'<?xml version="1.0"?><{p}worksheet{ns}><{p}dimension ref="A1:C{rows}"/><{p}sheetData>'
            + "".join(body) + f'</{p}sheetData><{p}pageMargins left="0.7"/></{p}worksheet>').encode()


@settings(max_examples=150, deadline=None)
@given(block=st.integers(1, 600), prefix=st.sampled_from(["", "x"]), numbered=st.booleans(),
       wanted=st.dictionaries(st.integers(1, 45), st.sets(st.integers(1, 4), min_size=1, max_size=3), max_size=8))
def test_streamed_extract_is_the_same_as_from_memory(block, prefix, numbered, wanted):
    xml = sheet_xml(prefix, numbered=numbered)
    assert extract_rows_from(io.BytesIO(xml), wanted, block=block) == extract_rows(xml, wanted)


def test_the_extract_keeps_the_structure_and_only_the_wanted_cells():
    xml = sheet_xml()
    mini = extract_rows_from(io.BytesIO(xml), {2: {2}, 40: {1, 3}}, block=16)
    assert mini.startswith(xml[: xml.index(b"<sheetData>") + len(b"<sheetData>")])
    assert mini.endswith(b'</sheetData><pageMargins left="0.7"/></worksheet>')
    assert b">B2 &amp; x<" in mini and b">A40 &amp; x<" in mini and b">C40 &amp; x<" in mini
    assert b">A2 " not in mini and b">B40 " not in mini and b"A3" not in mini


def test_a_sheet_without_its_end_is_refused():
    xml = sheet_xml()
    truncated = xml[: xml.index(b"</sheetData>")]
    with pytest.raises(ValueError, match="not closed"):
        extract_rows_from(io.BytesIO(truncated), {2: {1}}, block=50)


@settings(max_examples=150, deadline=None)
@given(block=st.integers(1, 600), numbered=st.booleans(),
       wanted=st.dictionaries(st.integers(1, 45), st.sets(st.integers(1, 4), min_size=1, max_size=3), max_size=8))
def test_the_extract_holds_exactly_the_wanted_cells_that_exist(block, numbered, wanted):
    from lxml import etree

    mini = extract_rows_from(io.BytesIO(sheet_xml(numbered=numbered)), wanted, block=block)
    got, row_no = set(), 0
    for row in etree.fromstring(mini).iter("{*}row"):
        row_no = int(row.get("r")) if row.get("r") else row_no + 1
        for cell in row.iter("{*}c"):
            assert cell.findtext("{*}is/{*}t") == f"{cell.get('r')} & x"
            got.add((row_no, cell.get("r")))
    # a row where a wanted cell is not found by its reference is kept whole
    expected = {(r, f"{'ABC'[c - 1]}{r}") for r, cols in wanted.items() if r <= 40 and r % 7
                for c in (cols if max(cols) <= 3 else {1, 2, 3})}
    assert got == expected


def test_a_row_that_never_closes_is_refused_not_looped_on():
    xml = (b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
           b'<row r="2"><c r="A2"><v>2</v></c></sheetData></worksheet>')
    with pytest.raises(ValueError, match="not closed"):
        extract_rows(xml, {2: {2}})


def test_many_wanted_rows_without_numbers_are_all_found():
    body = b"".join(b'<row><c t="inlineStr"><is><t>%d</t></is></c></row>' % r for r in range(1, 6001))
    xml = b"<worksheet><sheetData>" + body + b"</sheetData></worksheet>"
    wanted = {r: {1} for r in range(1, 6001, 12)}
    mini = extract_rows(xml, wanted)
    assert mini.count(b"<row") == len(wanted)
    for r in wanted:
        assert b'<row r="%d"><c t="inlineStr"><is><t>%d</t>' % (r, r) in mini
