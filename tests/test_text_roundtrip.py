"""Every text an Excel cell can hold is written so that it reads back the same.

Through the real writers (a patched cell, an appended Touches row, a new sheet; init's
openpyxl workbook; the Google values API on the fake server) and read back by openpyxl,
python-calamine and the project's own readers. Carriage returns are the case that broke
syncs: an XML parser turns a literal CR (and CR LF) into LF.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.escape import unescape as openpyxl_unescape
from python_calamine import CalamineWorkbook
from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER, D, write_workbook
from xlsx_fixtures import simple

from sheets_sync.backends.excel.backend import ExcelBackend
from sheets_sync.backends.excel.create import create_workbook
from sheets_sync.backends.excel.package import Package
from sheets_sync.backends.excel.read import workbook_info
from sheets_sync.backends.excel.read_lxml import read_lxml
from sheets_sync.cli import cli
from sheets_sync.workbook import RowUpdate, SheetContent, TableRef, WriteBatch

CLIENTS = TableRef("Clients", 1, "Client ID")
TOUCHES = TableRef("Touches", 1, None)
NOTES, SUMMARY = 9, 7  # columns in xlsx_fixtures' Clients and Touches sheets

NASTY = [
    "Lou\rLong", "A\r\nB", "\r", "\r\n", "\n", "trailing CR\r", "\rleading CR", "a\r\rb\n\nc",
    "_x000D_", "Lou_x000D_Long", "_x005F_x000D_", "_x005F_", "_x0041_", "_x00e9_", "_X0041_", "_x12", "_x1234",
    "_x1234\x01", "_x1234\r", "__x0041__", "x_", "_",
    "bell\x07", "\x00", "\x01\x02\x1f", "\x0b\x0c", "tab\there", "\t", " ", "  ", "  lead", "trail  ", " both ",
    "in  between", "\u00a0nbsp\u00a0", "\u3000ideographic", "\x85next line", "\u2028line sep",
    "😀", "U+1F600 😀 in text", "𝄞 music", "\ufffe", "\uffff", "lone \ud800 surrogate", "\udfff", "_x1234\ufffe", "\ufffd", "\ufeffBOM",
    "=SUM(A1)", "=1+1", "+1 555 0101", "-5", "@user", "'quoted", "''", "0012", "1e5", "1,234.50", "12%",
    "2026-01-01", "1/2", "01/02/2026", "TRUE", "false", "#N/A", "#DIV/0!", "NaN", "inf",
    "a & b < c > d \"q\" 'a'", "]]>", "<t>", "&amp;", "&#13;", "\\r", "ünïcödé ✓", "مرحبا", "שלום",
]
LONGEST = "é" * 32767  # Excel's limit, counted as Excel counts (UTF-16 units)

_NEEDS_X = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_BEYOND_CALAMINE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")


def as_calamine_reads(text: str) -> str:
    """python-calamine decodes _xHHHH_ only up to _x00FF_: U+FFFE, U+FFFF and lone
    surrogates (which XML cannot carry otherwise) come back as the escape, as they do from
    a workbook Excel saved. Every other text comes back as it is."""
    return _BEYOND_CALAMINE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def excel_write(path: Path, texts: list[str]) -> list[str]:
    """Write each text three ways: a patched Clients Notes cell, a new Touches row's
    Summary, and a cell of a new sheet. Returns what the write reported as not written."""
    simple(path, n=len(texts), touches=2)
    backend = ExcelBackend(path)
    backend.read()
    result = backend.write(WriteBatch(
        tables={"Clients": CLIENTS, "Touches": TOUCHES},
        updates=[RowUpdate(CLIENTS, f"C-{i}", i + 1, {"Notes": t}) for i, t in enumerate(texts, start=1)],
        appends={"Touches": [{"Date": D(2026, 11, 23), "Client ID": f"C-{i}", "Summary": t}
                             for i, t in enumerate(texts, start=1)]},
        tool_sheets=[SheetContent("Texts", [["Text"], *[[t] for t in texts]])],
    ))
    return result.dropped


def written_cells(texts: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Where excel_write put each text: sheet -> (row, column), 1-based."""
    return {"Clients": [(i + 2, NOTES) for i in range(len(texts))],
            "Touches": [(i + 4, SUMMARY) for i in range(len(texts))],
            "Texts": [(i + 2, 1) for i in range(len(texts))]}


def cell(rows: list[list[object]], r: int, c: int) -> object:
    row = rows[r - 1] if r <= len(rows) else []
    return row[c - 1] if c <= len(row) else None


def expected(text: str) -> object:
    return None if text == "" else text


def check_read_back(path: Path, texts: list[str]) -> None:
    """The texts as openpyxl, python-calamine, and the project's calamine and lxml readers
    give them back."""
    wb = openpyxl.load_workbook(path)
    book = CalamineWorkbook.from_path(str(path))
    ours = ExcelBackend(path).read()
    with Package(path) as pkg:
        lxml_sheets = read_lxml(pkg, workbook_info(pkg))
    for sheet, places in written_cells(texts).items():
        calamine_rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        for text, (r, c) in zip(texts, places, strict=True):
            want = expected(text)
            where = f"{sheet} row {r} column {c}"
            assert cell(lxml_sheets[sheet].rows, r, c) == want, f"{where}: our lxml reader"
            by_calamine = expected(as_calamine_reads(text))
            assert cell(ours.sheet(sheet).rows, r, c) == by_calamine, f"{where}: our reader (calamine)"
            assert (cell(calamine_rows, r, c) or None) == by_calamine, f"{where}: python-calamine"
            raw = wb[sheet].cell(r, c).value
            # openpyxl leaves Excel's _xHHHH_ escapes undecoded (its own unescape does it):
            # exact wherever XML can carry the text as it is, CR included
            if _NEEDS_X.search(text):
                assert openpyxl_unescape(raw) == text, f"{where}: openpyxl"
            else:
                assert raw == want, f"{where}: openpyxl"


def test_the_reported_texts_round_trip_through_every_excel_write_path(tmp_path: Path) -> None:
    texts = NASTY + [LONGEST, "😀" * 16383]
    path = tmp_path / "w.xlsx"
    assert excel_write(path, texts) == []
    check_read_back(path, texts)


texts_st = st.one_of(
    st.text(),
    st.text(alphabet=st.sampled_from(["\r", "\n", "\t", " ", "_", "x", "0", "D", "F", "5", "\x01", "\x1f",
                                      "😀", "=", "'", "&", "<", "\ufffe", "\x00"])),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])),
    st.sampled_from(NASTY),
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(max_size=5)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(texts_st, min_size=1, max_size=6))
def test_any_text_round_trips_through_every_excel_write_path(tmp_path: Path, texts: list[str]) -> None:
    path = tmp_path / "w.xlsx"
    path.unlink(missing_ok=True)
    assert excel_write(path, texts) == []
    check_read_back(path, texts)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(texts_st, min_size=1, max_size=6))
def test_init_writes_any_text_as_text(tmp_path: Path, texts: list[str]) -> None:
    path = tmp_path / "new.xlsx"
    path.unlink(missing_ok=True)
    create_workbook(path, [SheetContent("Texts", [["Text"], *[[t] for t in texts]])])
    places = [(i + 2, 1) for i in range(len(texts))]
    ours = ExcelBackend(path).read().sheet("Texts").rows
    calamine_rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Texts").to_python(skip_empty_area=False)
    ws = openpyxl.load_workbook(path)["Texts"]
    for text, (r, c) in zip(texts, places, strict=True):
        assert cell(ours, r, c) == expected(as_calamine_reads(text))
        assert (cell(calamine_rows, r, c) or None) == expected(as_calamine_reads(text))
        assert ws.cell(r, c).data_type == "s" or text == ""
        assert openpyxl_unescape(ws.cell(r, c).value or "") == text


def test_a_text_longer_than_a_cell_holds_is_reported_at_its_cell_and_left_out(tmp_path: Path) -> None:
    too_long, emoji = "a" * 32768, "😀" * 16384  # 32,768 characters; 32,768 UTF-16 units as Excel counts
    path = tmp_path / "w.xlsx"
    dropped = excel_write(path, ["fine", too_long, emoji])
    assert dropped == [
        f"{sheet}!{cell_ref}: a text of {n:,} characters is longer than the 32,767 an Excel cell holds; "
        "it was left out of the write (shorten the text it comes from)"
        for sheet, cell_ref, n in (("Clients", "I3", 32768), ("Clients", "I4", 32768),
                                   ("Touches", "G5", 32768), ("Touches", "G6", 32768),
                                   ("Texts", "A3", 32768), ("Texts", "A4", 32768))]
    rows = ExcelBackend(path).read()
    assert [cell(rows.sheet("Clients").rows, r, NOTES) for r in (2, 3, 4)] == ["fine", "note 2", None]
    touches = rows.sheet("Touches").rows
    assert [cell(touches, r, SUMMARY) for r in (4, 5, 6)] == ["fine", None, None]
    assert [cell(touches, r, 2) for r in (4, 5, 6)] == ["C-1", "C-2", "C-3"]  # the rows are there
    assert [cell(rows.sheet("Texts").rows, r, 1) for r in (2, 3, 4)] == ["fine", None, None]


def test_the_google_path_stores_every_text_as_text(api) -> None:  # type: ignore[no-untyped-def]
    from sheets_sync.backends.google.backend import GoogleBackend

    texts = [t for t in NASTY if t != ""] + [LONGEST]
    header = ["Client ID", "Name", "Notes"]
    key = api.add_spreadsheet("Book", {
        "Clients": [header, *[[f"C-{i}", f"Client {i}", None] for i in range(1, len(texts) + 1)]],
        "Touches": [TOUCH_HEADER],
    })
    gb = GoogleBackend(key, time_limit=5, first_delay=0.01)
    gb.read()
    result = gb.write(WriteBatch(
        tables={"Clients": CLIENTS, "Touches": TOUCHES},
        updates=[RowUpdate(CLIENTS, f"C-{i}", i + 1, {"Notes": t}) for i, t in enumerate(texts, start=1)],
        appends={"Touches": [{"Client ID": f"C-{i}", "Summary": t} for i, t in enumerate(texts, start=1)]},
        tool_sheets=[SheetContent("Texts", [["Text"], *[[t] for t in texts]])],
    ))
    assert result.dropped == []
    data = GoogleBackend(key, time_limit=5, first_delay=0.01).read()
    clients, touches, sheet = data.sheet("Clients").rows, data.sheet("Touches").rows, data.sheet("Texts").rows
    for i, text in enumerate(texts, start=1):
        assert cell(clients, i + 1, 3) == text
        assert cell(touches, i + 1, SUMMARY) == text
        assert cell(sheet, i + 1, 1) == text


def test_a_client_named_with_a_carriage_return_syncs_and_reads_back(tmp_path: Path) -> None:
    """The reported bug: 'Lou\\rLong' on the at-risk list made every sync end with exit 3."""
    names = {"C-1": "Lou\rLong", "C-2": "A\r\nB", "C-3": "Pat Lee"}
    clients = [[cid, name, "", f"{cid.lower()}@example.com", "", "maria@agency.example", "A", "Active",
                D(2024, 1, 5), None, None, "note\r\nwith CR LF"] for cid, name in names.items()]
    touches = [[D(2026, 8, 1), cid, None, "Call", "Out", "maria", "chat", None] for cid in names]
    book = write_workbook(tmp_path / "clients.xlsx", {
        "Clients": [CLIENT_HEADER, *clients], "Tasks": [TASK_HEADER], "Touches": [TOUCH_HEADER, *touches]})
    assert ExcelBackend(book).read().sheet("Clients").rows[1][1] == "Lou\rLong"  # openpyxl keeps the CR
    result = CliRunner().invoke(cli, ["sync", str(book), "--today", "2026-11-23", "--outbox", str(tmp_path / "out"),
                                      "--json"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    assert json.loads(result.stdout)["rows_updated"] > 0
    data = ExcelBackend(book).read()
    assert [r[1] for r in data.sheet("Clients").rows[1:]] == list(names.values())
    assert [r[11] for r in data.sheet("Clients").rows[1:]] == ["note\r\nwith CR LF"] * 3
    stats = [v for row in data.sheet("Stats").rows for v in row if isinstance(v, str)]
    assert "Lou\rLong" in stats and "A\r\nB" in stats
    ws = openpyxl.load_workbook(book)["Stats"]
    assert {"Lou\rLong", "A\r\nB"} <= {c.value for row in ws.iter_rows() for c in row}
    calamine_rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Stats").to_python()
    assert {"Lou\rLong", "A\r\nB"} <= {v for row in calamine_rows for v in row}


def test_a_long_text_excel_saved_as_a_shared_string_is_read_not_refused(tmp_path: Path) -> None:
    """Once Excel saves the workbook, our inline strings sit in its shared strings table,
    with CRs as _x000D_: the reader's guard against oversized strings counts characters as
    Excel does, not bytes, and still refuses a text over the limit."""
    import xlsxwriter

    from sheets_sync.errors import SourceError

    fits = ["é" * 32767, "a\rb" * 10922, "😀" * 16383, "&<" * 16383]
    path = tmp_path / "saved.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    for r, text in enumerate(fits):
        ws.write_string(r, 0, text)
    wb.close()
    assert [row[0] for row in ExcelBackend(path).read().sheet("S").rows] == fits
    too_long = tmp_path / "too_long.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(too_long, "w") as dst:
        for name in src.namelist():  # XlsxWriter itself cuts a text at the limit
            data = src.read(name)
            dst.writestr(name, data.replace("é".encode() * 32767, b"x" * 32768) if "sharedStrings" in name else data)
    with pytest.raises(SourceError, match="longer than Excel's 32,767-character cell limit"):
        ExcelBackend(too_long).read()
