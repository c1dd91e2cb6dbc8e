"""backends.excel.extent.sheet_extent: the dimension is only a guess; a cell beyond it, or a
cell that does not name its place first, sends the sheet to the exact count."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from sheets_sync.backends.excel.extent import Extent, sheet_extent
from sheets_sync.backends.excel.package import Package

PART = "xl/worksheets/sheet1.xml"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><dimension ref="A1:C10"/><sheetData>')


def extent_of(tmp_path: Path, cells: str) -> Extent:
    book = tmp_path / "book.xlsx"
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                     'package/2006/content-types"/>')
        out.writestr(PART, f'{HEAD}<row r="1">{cells}</row></sheetData></worksheet>')
    with Package(book) as pkg:
        return sheet_extent(pkg, PART)


@pytest.mark.parametrize(("cells", "expect"), [
    ('<c r="A1"><v>1</v></c><c r="C10"><v>2</v></c>', Extent(10, 3, 30, True)),  # inside: the guess stands
    ('<c r="A1"><v>1</v></c><c r="C11"><v>2</v></c>', Extent(11, 3, 2, True)),  # a row beyond
    ('<c r="D2"><v>1</v></c>', Extent(2, 4, 1, True)),  # a column beyond
    ('<c r="AA1"><v>1</v></c>', Extent(1, 27, 1, True)),  # a column beyond, two letters
    ('<c r="B100000"><v>1</v></c>', Extent(100000, 2, 1, True)),  # more digits
    ('<c s="1" r="C99"><v>1</v></c>', Extent(99, 3, 1, True)),  # the reference not first: counted exactly
    ("<c><v>1</v></c>", Extent(0, 0, 1, False)),  # no reference
    ("<c/>", Extent(0, 0, 1, False)),
])
def test_a_cell_beyond_the_dimension_or_without_its_reference_first_is_found(tmp_path, cells, expect):
    assert extent_of(tmp_path, cells) == expect
