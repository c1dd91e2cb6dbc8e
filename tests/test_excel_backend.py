"""ExcelBackend on real files: read, keyed write semantics, locks, changed files, bad files."""

from __future__ import annotations

import datetime as dt
import os
import time
import zipfile

import openpyxl
import pytest
from xlsx_fixtures import D, simple

from sheets_sync.backends import open_source
from sheets_sync.backends.excel.backend import ExcelBackend
from sheets_sync.errors import SourceChanged, SourceError, WorkbookLocked
from sheets_sync.workbook import RowUpdate, SheetContent, TableRef, WriteBatch

CLIENTS = TableRef("Clients", 1, "Client ID")
TASKS = TableRef("Tasks", 1, "Task ID")
TOUCHES = TableRef("Touches", 1, None)


def values(path, sheet):
    wb = openpyxl.load_workbook(path, data_only=True)
    return [list(r) for r in wb[sheet].iter_rows(values_only=True)]


def test_read_gives_raw_values_dates_and_the_date_system(tmp_path):
    for system in (1900, 1904):
        path = simple(tmp_path / f"w{system}.xlsx", date1904=system == 1904)
        data = open_source(str(path)).read()
        assert data.date_system == system and data.source == path.name
        clients = data.sheet("clients")
        assert clients.rows[0][:3] == ["Client ID", "Name", "Email"]
        assert clients.rows[1][:2] == ["C-1", "Client 1"]
        assert clients.cell(2, 7) == D(2020, 1, 2)
        assert clients.cell(2, 8) == 1001 and isinstance(clients.cell(2, 8), int)
        assert data.sheet("Tasks").cell(3, 6) == D(2026, 12, 3)


def test_write_updates_by_key_adds_columns_appends_and_reads_back(tmp_path):
    path = simple(tmp_path / "w.xlsx", n=4)
    backend = ExcelBackend(path)
    backend.read()
    batch = WriteBatch(
        tables={"Clients": CLIENTS, "Tasks": TASKS, "Touches": TOUCHES},
        new_columns={"Clients": ["Touches", "Last Touch"]},
        updates=[
            RowUpdate(CLIENTS, "C-3", 4, {"Touches": 2, "Last Touch": D(2026, 11, 23), "Notes": "=not a formula"}),
            RowUpdate(CLIENTS, "C-99", 9, {"Touches": 1}),
            RowUpdate(TASKS, "T-1", 2, {"Status": "Done"}),
        ],
        appends={"Touches": [{"Date": D(2026, 11, 23), "Client ID": "C-3", "Channel": "Email", "Ref": "r1"}]},
    )
    result = backend.write(batch)
    assert (result.rows_updated, result.rows_appended) == (2, 1)
    assert len(result.dropped) == 1 and "C-99" in result.dropped[0]
    rows = values(path, "Clients")
    assert rows[0][-2:] == ["Touches", "Last Touch"]
    assert rows[3][0] == "C-3" and rows[3][-2] == 2 and rows[3][-1] == dt.datetime(2026, 11, 23)
    assert rows[3][8] == "=not a formula"
    assert rows[2][-2:] == [None, None]
    assert values(path, "Tasks")[1][6] == "Done"
    touches = values(path, "Touches")
    assert len(touches) == 4 and touches[3][:2] == [dt.datetime(2026, 11, 23), "C-3"] and touches[3][7] == "r1"
    again = ExcelBackend(path).read()
    assert again.sheet("Clients").cell(4, 11) == D(2026, 11, 23)


def test_fill_key_writes_only_into_a_still_blank_key_cell(tmp_path):
    path = simple(tmp_path / "w.xlsx", n=3)
    backend = ExcelBackend(path)
    backend.read()
    batch = WriteBatch(tables={"Clients": CLIENTS}, updates=[
        RowUpdate(CLIENTS, "C-1", 2, {}, fill_key=True, check={"Name": "Client 1"}),  # key not blank
    ])
    result = backend.write(batch)
    assert result.rows_updated == 0 and len(result.dropped) == 1
    assert values(path, "Clients")[1][0] == "C-1"


def test_a_file_saved_after_read_raises_source_changed(tmp_path):
    path = simple(tmp_path / "w.xlsx")
    backend = ExcelBackend(path)
    backend.read()
    time.sleep(0.01)
    simple(path, n=6)
    os.utime(path)
    before = path.read_bytes()
    with pytest.raises(SourceChanged):
        backend.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[RowUpdate(CLIENTS, "C-1", 2, {"Notes": "x"})]))
    assert path.read_bytes() == before


@pytest.mark.parametrize("lock_name, app", [("~$w.xlsx", "Excel"), (".~lock.w.xlsx#", "LibreOffice")])
def test_an_open_workbook_is_not_written(tmp_path, lock_name, app):
    path = simple(tmp_path / "w.xlsx")
    (tmp_path / lock_name).write_bytes(b"\x05maria" if app == "Excel" else b"maria,host,/home/maria,22.11.2026 08:00,")
    before = path.read_bytes()
    backend = ExcelBackend(path, wait=0.3)
    backend.read()
    started = time.monotonic()
    with pytest.raises(WorkbookLocked) as info:
        backend.write(WriteBatch(tables={"Clients": CLIENTS}, updates=[RowUpdate(CLIENTS, "C-1", 2, {"Notes": "x"})]))
    assert time.monotonic() - started >= 0.3
    assert app in str(info.value) and "maria" in str(info.value) and info.value.exit_code == 3
    assert path.read_bytes() == before


def test_tool_sheet_is_created_then_rewritten(tmp_path):
    path = simple(tmp_path / "w.xlsx")
    backend = ExcelBackend(path)
    backend.read()
    backend.write(WriteBatch(tool_sheets=[SheetContent("Stats", [["Month", "Clients"], ["Jan", 3], ["Feb", 4]])]))
    assert values(path, "Stats") == [["Month", "Clients"], ["Jan", 3], ["Feb", 4]]
    backend.read()
    backend.write(WriteBatch(tool_sheets=[SheetContent("Stats", [["Month", "Clients"], ["Jan", 5]])]))
    assert values(path, "Stats") == [["Month", "Clients"], ["Jan", 5]]


@pytest.mark.parametrize("content, words", [
    (b"hello, not a zip", "not a readable Excel workbook"),
    (bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 600, "password-protected"),
])
def test_bad_files_raise_one_clear_line(tmp_path, content, words):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(SourceError) as info:
        ExcelBackend(path).read()
    assert words in str(info.value) and "\n" not in str(info.value)


def test_truncated_and_bomb_files_are_refused(tmp_path):
    good = simple(tmp_path / "good.xlsx", n=200)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(SourceError):
        ExcelBackend(cut).read()
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item.filename, src.read(item.filename))
        out.writestr("xl/media/huge.xml", b"<a>" + b" " * (300 << 20) + b"</a>")
    started = time.monotonic()
    with pytest.raises(SourceError) as info:
        ExcelBackend(bomb).read()
    assert "refused" in str(info.value) and time.monotonic() - started < 5


def _same(a, b):
    norm = [[None if v == "" else v for v in row] for row in a]
    other = [[None if v == "" else v for v in row] for row in b]
    strip = lambda rows: [r[:max((i + 1 for i, v in enumerate(r) if v is not None), default=0)] for r in rows]  # noqa: E731
    x, y = strip(norm), strip(other)
    while x and not x[-1]:
        x.pop()
    while y and not y[-1]:
        y.pop()
    return x == y


@pytest.mark.parametrize("build", ["simple", "rich", "corpus"])
def test_calamine_and_the_lxml_reader_agree(tmp_path, build):
    from xlsx_fixtures import CORPUS, rich

    from sheets_sync.backends.excel.package import Package
    from sheets_sync.backends.excel.read import read_workbook, workbook_info
    from sheets_sync.backends.excel.read_lxml import read_lxml

    if build == "corpus":
        if not CORPUS.is_dir():
            pytest.skip("the shared corpus is not here")
        paths = [CORPUS / n for n in ("InlineString.xlsx", "GeneralFormatTests.xlsx", "ExcelPivotTableSample.xlsx",
                                      "DataTableCities.xlsx", "testNames.xlsm")]
    else:
        paths = [simple(tmp_path / "s.xlsx", title=True, date1904=True) if build == "simple" else rich(tmp_path / "r.xlsx")]
    for path in paths:
        with Package(path) as pkg:
            data, info = read_workbook(pkg)
            ours = read_lxml(pkg, info)
            assert workbook_info(pkg).date_system == data.date_system
        assert set(ours) == set(data.sheets), path.name
        for title, sheet in data.sheets.items():
            assert _same(sheet.rows, ours[title].rows), (path.name, title)


def test_cells_away_from_a1_keep_their_place(tmp_path):
    import xlsxwriter

    path = tmp_path / "off.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    ws.write(3, 2, "x")
    ws.write(4, 3, 5)
    wb.close()
    sheet = ExcelBackend(path).read().sheet("S")
    assert (sheet.cell(4, 3), sheet.cell(5, 4), len(sheet.rows)) == ("x", 5, 5)


def test_awkward_text_round_trips(tmp_path):
    path = simple(tmp_path / "w.xlsx", n=3)
    backend = ExcelBackend(path)
    backend.read()
    texts = ["tab\there, bell\x07", "_x0041_ stays literal", "  spaced  ", "a & b < c > d \"q\"", "line\nbreak",
             "=SUM(A1:A2)", "ünïcödé ✓"]
    batch = WriteBatch(tables={"Clients": CLIENTS},
                       updates=[RowUpdate(CLIENTS, f"C-{i + 1}", 0, {"Notes": t}) for i, t in enumerate(texts[:3])]
                       + [RowUpdate(CLIENTS, "C-1", 0, {"Name": texts[3]}), RowUpdate(CLIENTS, "C-2", 0, {"Name": texts[4]}),
                          RowUpdate(CLIENTS, "C-3", 0, {"Name": texts[5], "Email": texts[6]})])
    backend.write(batch)
    rows = ExcelBackend(path).read().sheet("Clients").rows
    assert [rows[1][8], rows[2][8], rows[3][8]] == ["tab\there, bell\x07", "_x0041_ stays literal", "  spaced  "]
    assert [rows[1][1], rows[2][1], rows[3][1], rows[3][2]] == texts[3:]
    assert values(path, "Clients")[3][1] == "=SUM(A1:A2)"


def test_only_a_sheet_that_just_gets_rows_appended_is_streamed(tmp_path, monkeypatch):
    """Streaming a part learns only at its end that a change lies above its last row: the
    sheets with updated rows must not be streamed first (a big sync paid 5 s for that)."""
    from sheets_sync.backends.excel import append as xlsx_append
    from sheets_sync.backends.excel import write as xlsx_write

    for name, value in (("STREAM_FROM", 0), ("HEAD", 2048), ("WINDOW", 4096)):
        monkeypatch.setattr(xlsx_append, name, value)
    streamed: list[str] = []
    real = xlsx_write.streamed_append
    monkeypatch.setattr(xlsx_write, "streamed_append", lambda pkg, part, *a: streamed.append(part) or real(pkg, part, *a))
    path = simple(tmp_path / "w.xlsx", n=300, touches=300)
    backend = ExcelBackend(path)
    data = backend.read()
    touches_at = len(data.sheet("Touches").rows) + 1
    clients, touches = TableRef("Clients", 1, "Client ID"), TableRef("Touches", 1, None)
    backend.write(WriteBatch(tables={"Clients": clients, "Touches": touches},
                             updates=[RowUpdate(clients, f"C-{i}", i + 1, {"Notes": f"n{i}"}) for i in range(1, 301)],
                             appends={"Touches": [{"Client ID": "C-1", "Summary": "new"}]}))
    assert len(streamed) == 1
    with zipfile.ZipFile(path) as z:
        assert streamed[0] in z.namelist()
    after = ExcelBackend(path).read()
    assert after.sheet("Touches").rows[touches_at - 1][1] == "C-1"
    assert after.sheet("Clients").rows[300][after.sheet("Clients").rows[0].index("Notes")] == "n300"


@pytest.mark.parametrize("logged", [50000, 35000])  # 17 and 14 MB (a 10,000-client office's log is 13.5 MB)
def test_rows_appended_to_a_big_log_are_streamed_and_nothing_else_moves(tmp_path, logged):
    import re
    import tracemalloc

    import xlsxwriter
    from xlsx_fixtures import TOUCH_HEADER, parts

    path = tmp_path / "log.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Touches")
    ws.write_row(0, 0, TOUCH_HEADER)
    ws.autofilter(0, 0, logged, len(TOUCH_HEADER) - 1)
    fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r in range(1, logged + 1):
        ws.write_datetime(r, 0, dt.datetime(2026, 1, 1) + dt.timedelta(days=r % 300), fmt)
        ws.write_row(r, 1, [f"C-{r}", f"T-{r}", "Call", "Out", "maria@agency.example", f"a chat about item {r}"])
    wb.close()
    before = parts(path)
    backend = ExcelBackend(path)
    backend.read()
    tracemalloc.start()
    result = backend.write(WriteBatch(tables={"Touches": TOUCHES}, appends={"Touches": [
        {"Date": D(2026, 11, 23), "Client ID": "C-1", "Ref": "checkin:C-1:1", "Result": "sent"},
        {"Date": D(2026, 11, 23), "Client ID": "C-2", "Summary": "x & <y>"}]}))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.rows_appended == 2 and "'Result'" in result.dropped[0]  # no such column here
    assert peak < len(before["xl/worksheets/sheet1.xml"]) / 2  # never held whole
    after = parts(path)
    old, new = before["xl/worksheets/sheet1.xml"], after["xl/worksheets/sheet1.xml"]
    added = re.findall(rb'<row r="(?:%d|%d)">.*?</row>' % (logged + 2, logged + 3), new)
    assert len(added) == 2
    norm = lambda x: re.sub(rb'(<dimension|<autoFilter) ref="[^"]*"', rb"\1", x)  # noqa: E731
    assert norm(new.replace(b"".join(added), b"")) == norm(old)
    assert b'<autoFilter ref="A1:H%d"/>' % (logged + 3) in new and b'<dimension ref="A1:H%d"/>' % (logged + 3) in new
    assert {n for n in after if after[n] != before.get(n)} == {"xl/worksheets/sheet1.xml"}
    rows = ExcelBackend(path).read().sheet("Touches").rows
    assert rows[-2][0] == D(2026, 11, 23) and rows[-2][7:] == ["checkin:C-1:1"]
    assert rows[-1][6] == "x & <y>" and rows[-3][1] == f"C-{logged}"



def test_a_sheet_of_a_few_megabytes_is_patched_without_holding_it_whole(tmp_path):
    """Clients and Tasks of a 10,000-client book (4-6 MB of XML) are patched as they come
    out of the zip, never read whole (and joined: two copies)."""
    import tracemalloc

    from xlsx_fixtures import parts

    path = simple(tmp_path / "w.xlsx", n=12000)
    size = len(parts(path)["xl/worksheets/sheet1.xml"])
    backend = ExcelBackend(path)
    backend.read()
    clients = TableRef("Clients", 1, "Client ID")
    batch = WriteBatch(tables={"Clients": clients},
                       updates=[RowUpdate(clients, f"C-{i}", i + 1, {"Notes": f"n{i}"}) for i in range(1, 12001, 10)])
    tracemalloc.start()
    result = backend.write(batch)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.rows_updated == 1200 and not result.dropped
    assert peak < size, (peak, size)  # one copy of the sheet would reach it
    rows = ExcelBackend(path).read().sheet("Clients").rows
    notes = rows[0].index("Notes")
    assert [rows[i][notes] for i in (1, 2, 11991)] == ["n1", "note 2", "n11991"]


def test_days_before_1900_03_01_read_as_excel_shows_them_and_read_back_after_a_write(tmp_path):
    """Excel's 1900 system counts a 1900-02-29 that never was: serial 1 is 1900-01-01. The
    writer and calamine knew it; the lxml reader (and so the read-back after every write)
    read serial 1 as 1899-12-31, and a write of such a date failed its read-back."""
    from sheets_sync.backends.excel.package import Package
    from sheets_sync.backends.excel.read import read_workbook
    from sheets_sync.backends.excel.read_lxml import read_lxml

    path = tmp_path / "early.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Early"
    for row, number in enumerate((1, 59, 60, 61, 1.5), start=1):
        ws.cell(row, 1, number).number_format = "yyyy-mm-dd"
    wb.save(path)
    with Package(path) as pkg:
        data, info = read_workbook(pkg)
        ours = read_lxml(pkg, info)
    assert ours["Early"].rows == data.sheet("Early").rows == [
        [D(1900, 1, 1)], [D(1900, 2, 28)], [D(1900, 2, 28)], [D(1900, 3, 1)], [dt.datetime(1900, 1, 1, 12)]]

    path = simple(tmp_path / "w.xlsx", n=2)
    backend = ExcelBackend(path)
    backend.read()
    result = backend.write(WriteBatch(tables={"Clients": CLIENTS},
                                      updates=[RowUpdate(CLIENTS, "C-1", 2, {"Name": D(1900, 1, 15)})]))
    assert (result.rows_updated, result.dropped) == (1, [])
    assert values(path, "Clients")[1][1] == dt.datetime(1900, 1, 15)
