"""Tool columns added to a staff sheet are readable (issue 20 item 9): widths that fit,
a header that marks them as the tool's, the staff's filter over them, the sheet's own date
format, and a note on each header. Checked by reading the workbook back with openpyxl, and
after a round trip through LibreOffice."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from workbooks import CLIENT_HEADER, TASK_HEADER, TOUCH_HEADER, D, write_workbook

from sheets_sync.cli import cli

NOTE = "written by sheets-sync on every run"
TOOL_HEADERS = ["Touches", "Last Touch", "Next Action", "Next Action Date", "Days Since Touch"]
STAFF_BLUE = "FF1F4E78"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def staff_book(path: Path) -> Path:
    """A team's own sheet: white bold headers on dark blue, dates as '05 Jan 2024', a filter
    over the table, a wide Name column and a note of their own."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Customers"
    ws.append(["Client ID", "Name", "Email", "Owner", "Tier", "Status", "Client Since"])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=STAFF_BLUE)
    for i in range(3):
        ws.append([f"C-{i}", f"Client {i}", f"c{i}@example.com", "maria@agency.example", "B", "Active",
                   dt.date(2024, 1, 5 + i)])
        ws.cell(ws.max_row, 7).number_format = "dd mmm yyyy"
    ws.auto_filter.ref = "A1:G4"
    ws.column_dimensions["B"].width = 20
    ws["B2"].comment = Comment("met at the fair", "Maria")
    wb.save(path)
    return path


def header_map(ws, row: int = 1) -> dict[str, openpyxl.cell.Cell]:
    return {c.value: c for c in ws[row] if c.value}


@pytest.fixture(scope="module")
def adopted(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("adopt")
    book = staff_book(folder / "clients.xlsx")
    assert run("init", "--into", str(book))[0] == 0
    code, out = run("sync", str(book), "--today", "2026-12-01", "--outbox", str(folder / "outbox"))
    assert code == 0, out
    return book


def test_tool_columns_are_wide_enough_for_their_headers_and_values(adopted):
    ws = openpyxl.load_workbook(adopted)["Customers"]
    head = header_map(ws)
    for header in TOOL_HEADERS:
        cell = head[header]
        width = ws.column_dimensions[cell.column_letter].width
        assert len(header) < width <= 50, header
        values = [ws.cell(r, cell.column).value for r in range(2, ws.max_row + 1)]
        for value in values:
            shown = len("05 Jan 2024") if isinstance(value, dt.datetime) else len(str(value or ""))
            assert shown < width, (header, value, width)
    assert [ws.cell(r, head["Next Action"].column).value for r in range(2, 5)] == ["Call: reconnect (tier B)"] * 3
    assert ws.column_dimensions["B"].width == 20  # the staff's own widths stay


def test_tool_headers_look_like_the_tools_and_the_staffs_keep_their_look(adopted):
    ws = openpyxl.load_workbook(adopted)["Customers"]
    head = header_map(ws)
    for header in TOOL_HEADERS:
        cell = head[header]
        assert cell.font.b and cell.fill.fill_type == "solid"
        assert cell.fill.fgColor.rgb == "FFD9D9D9", header  # the tool's grey, not the staff's blue
    # a staff column init added (empty, for the team to fill in) looks like the staff's headers
    assert head["Phone"].fill.fgColor.rgb.endswith(STAFF_BLUE[2:]) and head["Phone"].comment is None
    assert head["Name"].fill.fgColor.rgb.endswith(STAFF_BLUE[2:])


def test_the_filter_covers_the_new_columns(adopted):
    ws = openpyxl.load_workbook(adopted)["Customers"]
    last = max(c.column_letter for c in ws[1] if c.value)
    assert last == "R" and ws.auto_filter.ref == "A1:R4"


def test_dates_use_the_sheets_own_format(adopted):
    ws = openpyxl.load_workbook(adopted)["Customers"]
    head = header_map(ws)
    written = ws.cell(2, head["Next Action Date"].column)
    assert written.is_date and written.number_format == "dd mmm yyyy"
    # the column's own style shows dates too: a row the staff add later
    assert ws.column_dimensions[head["Last Touch"].column_letter].number_format == "dd mmm yyyy"


def test_each_tool_header_has_a_note_and_the_staffs_note_stays(adopted):
    ws = openpyxl.load_workbook(adopted)["Customers"]
    head = header_map(ws)
    assert {h: head[h].comment.text if head[h].comment else None for h in TOOL_HEADERS} == dict.fromkeys(
        TOOL_HEADERS, NOTE)
    assert ws["B2"].comment.text == "met at the fair"
    notes = [c.coordinate for row in ws.iter_rows() for c in row if c.comment]
    assert notes == ["N1", "O1", "P1", "Q1", "R1", "B2"]


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_keeps_widths_filter_formats_and_notes(adopted, tmp_path):
    result = subprocess.run(
        [soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "xlsx",
         "--outdir", str(tmp_path / "lo"), str(adopted)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    ws = openpyxl.load_workbook(tmp_path / "lo" / adopted.name)["Customers"]
    head = header_map(ws)
    assert ws.auto_filter.ref == "A1:R4"
    assert [head[h].comment.text.strip() if head[h].comment else None for h in TOOL_HEADERS] == [NOTE] * 5
    assert ws["B2"].comment.text.strip() == "met at the fair"
    assert ws.column_dimensions[head["Next Action"].column_letter].width > len("Call: reconnect (tier B)")
    assert ws.cell(2, head["Next Action Date"].column).number_format.replace("\\", "") == "dd mmm yyyy"


def test_a_sync_that_adds_the_tool_columns_dresses_them_too(tmp_path):
    """No init: the first sync of a plain book adds the tool columns (header on row 2, under
    a title), with the sheet's yyyy-mm-dd dates."""
    clients = [["C-1", "Bob Roe", "", "bob@example.com", "555-0101", "maria@agency.example", "B", "Active",
                D(2024, 1, 5), None, None, ""]]
    touches = [[D(2026, 8, 1), "C-1", None, "Call", "Out", "maria", "", None]]
    book = write_workbook(tmp_path / "plain.xlsx", {"Clients": [["Agency clients"], CLIENT_HEADER, *clients],
                                                    "Tasks": [TASK_HEADER], "Touches": [TOUCH_HEADER, *touches]})
    code, out = run("sync", str(book), "--today", "2026-12-01", "--outbox", str(tmp_path / "outbox"))
    assert code == 0, out
    ws = openpyxl.load_workbook(book)["Clients"]
    head = header_map(ws, row=2)
    for header in TOOL_HEADERS:
        cell = head[header]
        assert cell.comment is not None and cell.comment.text == NOTE
        assert cell.fill.fgColor.rgb == "FFD9D9D9"
        assert ws.column_dimensions[cell.column_letter].width > len(header)
    last_touch = ws.cell(3, head["Last Touch"].column)
    assert last_touch.is_date and last_touch.number_format == "yyyy-mm-dd"
    assert head["Client ID"].comment is None


# -- Google: the same, in the one batchUpdate ----------------------------------------------

FILTER_CRITERIA = {"5": {"hiddenValues": ["Lost"]}}  # the staff's own filter setting on Status


def google_staff_book(api, cols: int = 26) -> str:
    rows = [["Client ID", "Name", "Email", "Owner", "Tier", "Status", "Client Since", "Company", "Phone", "Lost On",
             "Do Not Email", "Notes", "Annual Value"],
            ["C-1", "Bob Roe", "bob@example.com", "maria@agency.example", "B", "Active", dt.date(2024, 1, 5)]]
    key = api.add_spreadsheet("Ours", {"Clients": rows, "Touches": [TOUCH_HEADER], "Tasks": [TASK_HEADER]}, cols=cols)
    api.sheet(key, "Clients").extra["basicFilter"] = {
        "range": {"sheetId": api.sheet(key, "Clients").sheet_id, "startRowIndex": 0, "endRowIndex": 2,
                  "startColumnIndex": 0, "endColumnIndex": 13},
        "criteria": FILTER_CRITERIA}
    return key


def assert_google_dressed(api, key: str) -> None:
    sheet = api.sheet(key, "Clients")
    header = api.values(key, "Clients")[0]
    tool = [header.index(h) for h in TOOL_HEADERS]
    assert tool == list(range(13, 18))
    assert sheet.extra["notes"] == {(1, c + 1): NOTE for c in tool}
    widths = {r["range"]["startIndex"]: r["properties"]["pixelSize"] for r in sheet.extra["updateDimensionProperties"]}
    for c in tool:
        assert widths[c] >= len(header[c]) * 7, header[c]
    assert widths[header.index("Next Action")] >= 40 * 7  # room for "Call: check-in (tier A)" and longer
    grey = {r["range"]["startColumnIndex"] for r in sheet.extra["repeatCell"]
            if r["cell"]["userEnteredFormat"].get("backgroundColor") == {"red": 0.85, "green": 0.85, "blue": 0.85}}
    assert grey == set(tool)
    flt = sheet.extra["basicFilter"]
    assert flt["range"]["endColumnIndex"] == 18 and flt["criteria"] == FILTER_CRITERIA


def test_google_adopt_dresses_the_tool_columns_in_its_one_request(api):
    from sheets_sync import init as init_lib
    from sheets_sync.config import Config

    key = google_staff_book(api)
    init_lib.adopt(f"gsheet:{key}", config=Config())
    assert api.counts["batchUpdate"] == 1
    assert_google_dressed(api, key)


@pytest.mark.parametrize("cols", [26, 13])  # 13: the grid ends at the staff's last column
def test_google_sync_that_adds_the_tool_columns_dresses_them_too(api, tmp_path, cols):
    key = google_staff_book(api, cols)
    code, out = run("sync", f"gsheet:{key}", "--today", "2026-12-01", "--outbox", str(tmp_path / "outbox"))
    assert code in (0, 1), out
    assert_google_dressed(api, key)


def test_a_column_format_over_the_new_columns_is_split_around_them(tmp_path):
    """The staff formatted columns A:AD at once (one <col min=1 max=30>): the new columns get
    their own widths, every other column keeps 12, and the list stays ordered, without overlap."""
    book = staff_book(tmp_path / "clients.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb["Customers"]
    del ws.column_dimensions["B"]
    dim = ws.column_dimensions["A"]
    dim.min, dim.max, dim.width = 1, 30, 12
    wb.save(book)
    assert run("init", "--into", str(book))[0] == 0
    with zipfile.ZipFile(book) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    cols = [(int(a), int(b), float(w)) for a, b, w in
            re.findall(r'<col min="(\d+)" max="(\d+)"[^>]*?width="([\d.]+)"', sheet)]
    covered = [c for lo, hi, _ in cols for c in range(lo, hi + 1)]
    assert covered == list(range(1, 31))  # in order, each column once
    width = {c: w for lo, hi, w in cols for c in range(lo, hi + 1)}
    header = [c.value for c in openpyxl.load_workbook(book)["Customers"][1]]
    first_new = header.index("Company") + 1
    assert all(width[c] == 12 for c in range(1, first_new))
    assert all(width[c] == 12 for c in range(len(header) + 1, 31))
    assert width[header.index("Next Action") + 1] > len("Next Action")
    assert width[header.index("Next Action") + 1] != 12
