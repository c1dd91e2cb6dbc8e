"""Hostile workbooks (issue 16 items 7, 8, 9): hand-built zips, each synced in a subprocess
under a 1 GiB address-space limit and a 30 s timeout. The cap is the assertion: the
process ends with 0, 1 or 3 and at most one line of error, never 134 (a Rust abort) or a
MemoryError traceback."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync.cli import cli

MON = "2026-11-23"
CAP = 1 << 30
SALES = "xl/worksheets/sheet5.xml"
CLIENTS = "xl/worksheets/sheet1.xml"
RUN = "import sys; from sheets_sync.cli import cli; cli(sys.argv[1:], prog_name='sheets-sync')"
MACRO_REL = ('<Relationship Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet" '
             'Target="/xl/macrosheets/sheet1.xml" Id="rId99"/>')
MACRO_SHEET = ('<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
               'name="Macro1" sheetId="99" r:id="rId99"/>')
MACRO_PART = (b'<?xml version="1.0" encoding="UTF-8"?><xm:macrosheet xmlns="http://schemas.openxmlformats.org/'
              b'spreadsheetml/2006/main" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
              b'<sheetData/></xm:macrosheet>')
DTD = b'<!DOCTYPE worksheet [<!ENTITY boom "boom">]>'

Edit = Callable[[bytes], bytes]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    book = tmp_path_factory.mktemp("sample") / "sample.xlsx"
    assert CliRunner().invoke(cli, ["init", str(book), "--sample", "--today", MON]).exit_code == 0
    return book


def rebuilt(source: Path, target: Path, edits: dict[str, Edit], extra: dict[str, bytes] | None = None) -> Path:
    """A copy of ``source`` with parts changed by ``edits`` and ``extra`` parts added."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            out.writestr(item.filename, edits.get(item.filename, lambda b: b)(data))
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return target


def append_row(row: str) -> Edit:
    """Put ``row`` (XML) at the end of a sheet's data."""
    return lambda xml: xml.replace(b"</sheetData>", row.encode() + b"</sheetData>")


def calamine_refuses() -> tuple[dict[str, Edit], dict[str, bytes]]:
    """An Excel 4 macro sheet, which python-calamine refuses: the lxml reader takes over."""
    return ({"xl/_rels/workbook.xml.rels": lambda x: x.replace(b"</Relationships>", MACRO_REL.encode() + b"</Relationships>"),
             "xl/workbook.xml": lambda x: x.replace(b"</sheets>", MACRO_SHEET.encode() + b"</sheets>"),
             "[Content_Types].xml": lambda x: x.replace(b"</Types>", b'<Override PartName="/xl/macrosheets/sheet1.xml" '
                                                         b'ContentType="application/vnd.ms-excel.macrosheet+xml"/></Types>')},
            {"xl/macrosheets/sheet1.xml": MACRO_PART})


def capped_sync(book: Path, *extra: str) -> tuple[int, str, str]:
    """``sheets-sync sync`` in a process limited to 1 GiB of address space and 30 s."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CAP, CAP))

    done = subprocess.run([sys.executable, "-c", RUN, "sync", str(book), "--today", MON, *extra],
                          capture_output=True, text=True, timeout=30, preexec_fn=limit, cwd=book.parent)
    return done.returncode, done.stdout, done.stderr


def assert_clean(code: int, err: str) -> None:
    assert code in (0, 1, 3), (code, err[-2000:])
    for bad in ("Traceback", "MemoryError", "memory allocation", "unexpected failure", "panicked"):
        assert bad not in err, err[-2000:]
    if code == 3:
        assert len(err.strip().splitlines()) == 1, err


def outside_grid(row: int, col: str) -> str:
    return f'<row r="{row}"><c r="{col}{row}" t="inlineStr"><is><t>far</t></is></c></row>'


@pytest.mark.parametrize("row, col, expect", [
    (1048576, "XFD", (0, 1)),  # Excel's last cell: read, sparsely
    (5000, "XFD", (0, 1)),  # 2.5 GB and 12.5 s with calamine
    (4000000000, "A", (3,)),  # no Excel has such a row: refused
    (70, "ZZZZ", (3,)),
])
def test_a_stray_cell_far_from_the_data_is_read_or_refused_in_bounded_memory(sample, tmp_path, row, col, expect):
    book = rebuilt(sample, tmp_path / "far.xlsx", {SALES: append_row(outside_grid(row, col))})
    code, out, err = capped_sync(book)
    assert_clean(code, err)
    assert code in expect, err
    if code == 3:
        assert "outside Excel's grid" in err or "refused" in err


def test_a_huge_row_number_in_every_cell_of_a_sheet_is_refused_in_bounded_memory(sample, tmp_path):
    rows = "".join(f'<row r="{n}"><c r="XFD{n}"><v>{n}</v></c></row>' for n in range(20000, 1048576, 500))
    book = rebuilt(sample, tmp_path / "many.xlsx", {SALES: append_row(rows)})
    code, _, err = capped_sync(book)
    assert_clean(code, err)


def test_a_staff_sheet_with_one_stray_far_cell_still_syncs_and_keeps_the_cell(sample, tmp_path):
    book = rebuilt(sample, tmp_path / "staff.xlsx", {CLIENTS: append_row(outside_grid(1048576, "XFD"))})
    code, out, err = capped_sync(book, "--json")
    assert code in (0, 1), err
    report = json.loads(out)
    assert report["emails_drafted"] == 10 and report["rows_appended"] == 10 and report["rows_updated"] > 0
    with zipfile.ZipFile(book) as z:
        assert b'<c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c>' in z.read(CLIENTS)


@pytest.mark.parametrize("value", [False, True])
def test_the_lxml_reader_keeps_rows_sparse(sample, tmp_path, value):
    edits, extra = calamine_refuses()
    cell = '<c r="A2000000000"><v>7</v></c>' if value else ""
    edits[SALES] = append_row(f'<row r="2000000000">{cell}</row>')
    book = rebuilt(sample, tmp_path / "sparse.xlsx", edits, extra)
    code, _, err = capped_sync(book)
    assert_clean(code, err)
    assert code in ((3,) if value else (0, 1)), err
    if value:
        assert "outside Excel's grid" in err


def test_the_lxml_reader_reads_a_lone_last_row_of_excel(sample, tmp_path):
    edits, extra = calamine_refuses()
    edits[SALES] = append_row(outside_grid(1048576, "XFD"))
    book = rebuilt(sample, tmp_path / "last.xlsx", edits, extra)
    code, _, err = capped_sync(book)
    assert code in (0, 1), err


def behind_comment(dtd: bytes, size: int = 5000) -> Edit:
    """Put ``dtd`` after a comment of ``size`` bytes, in the prolog."""
    def edit(xml: bytes) -> bytes:
        head, sep, rest = xml.partition(b"?>")
        if not sep:
            head, rest = b"", xml
        else:
            head += sep
        return head + b"<!--" + b"x" * size + b"-->" + dtd + rest
    return edit


@pytest.mark.parametrize("part", [SALES, "xl/styles.xml", "xl/workbook.xml", "[Content_Types].xml"])
@pytest.mark.parametrize("size", [10, 5000, 3 << 20])
def test_a_dtd_behind_a_long_comment_is_refused_wherever_it_is(sample, tmp_path, part, size):
    book = rebuilt(sample, tmp_path / "dtd.xlsx", {part: behind_comment(DTD, size)})
    before = book.read_bytes()
    code, _, err = capped_sync(book)
    assert_clean(code, err)
    assert code == 3 and "declares a DTD" in err, err
    assert book.read_bytes() == before


def test_a_dtd_in_a_utf16_part_and_one_after_the_root_are_refused(sample, tmp_path):
    def utf16(xml: bytes) -> bytes:
        text = xml.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
        head, sep, rest = text.partition("?>")
        return (head + sep + "<!--" + "y" * 6000 + "-->" + DTD.decode() + rest).encode("utf-16")

    for name, edit in (("u16.xlsx", utf16), ("after.xlsx", lambda x: x + b"<!--" + b"z" * 6000 + b"-->" + DTD)):
        book = rebuilt(sample, tmp_path / name, {"xl/worksheets/sheet4.xml": edit})
        code, _, err = capped_sync(book)
        assert_clean(code, err)
        assert code == 3 and "declares a DTD" in err, (name, err)


def password_zipped(source: Path, target: Path) -> Path:
    """``source`` with every part marked as zip-encrypted (the flag an encrypting zip tool sets)."""
    data = bytearray(source.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at != -1:
            data[at + offset] |= 0x1
            at = data.find(signature, at + 4)
    target.write_bytes(bytes(data))
    return target


def test_a_zip_password_is_one_line_naming_the_file_not_python_internals(sample, tmp_path):
    book = password_zipped(sample, tmp_path / "locked.xlsx")
    before = book.read_bytes()
    code, out, err = capped_sync(book)
    assert code == 3, err
    assert err.strip().splitlines() == [err.strip()]
    assert "locked.xlsx" in err and "zip password" in err and "save it again as .xlsx" in err
    assert "ZipInfo" not in err and "password required" not in err
    assert book.read_bytes() == before
