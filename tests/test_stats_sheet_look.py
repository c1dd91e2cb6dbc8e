"""The Stats sheet looks finished (issue 20 item 10): columns as wide as their headers,
money in the book's currency, real dates, printed one page wide with its chart, and the
few Lost clients a month visible beside hundreds of clients (a second value axis).
Read back with openpyxl, the chart part with lxml, and the print through LibreOffice."""

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
from lxml import etree

from sheets_sync.backends.google.backend import create_spreadsheet
from sheets_sync.cli import cli
from sheets_sync.config import Config
from sheets_sync.model.rows import Book
from sheets_sync.stats.figures import compute_stats
from sheets_sync.stats.sheet import (
    FIRST_PERIOD_ROW,
    PERIOD_HEADERS,
    TABLE_HEADER_ROW,
    YTD_ROW,
    build_stats_sheet,
)

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def run(*args: str) -> int:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False).exit_code


def synced_sample(folder: Path, currency: str | None = None) -> Path:
    book = folder / "clients.xlsx"
    assert run("init", str(book), "--sample", "--today", "2026-11-23") == 0
    if currency is not None:  # as a person would type it in Settings
        wb = openpyxl.load_workbook(book)
        ws = wb["Settings"]
        row = next(r for r in ws.iter_rows() if r[0].value == "Currency symbol")
        row[1].value = currency
        wb.save(book)
    assert run("sync", str(book), "--today", "2026-11-23", "--outbox", str(folder / "outbox")) == 1  # its bad cells
    return book


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    return synced_sample(tmp_path_factory.mktemp("stats"))


def test_columns_fit_their_headers_and_values(book):
    ws = openpyxl.load_workbook(book)["Stats"]
    header = [c.value for c in ws[TABLE_HEADER_ROW]]
    assert header[:4] == ["Period", "Start", "End", "Clients at start"]
    for index, text in enumerate(header, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        width = ws.column_dimensions[letter].width
        assert len(text) < width <= 30, (text, width)
    longest_label = max(len(ws.cell(r, 1).value) for r in range(FIRST_PERIOD_ROW, YTD_ROW + 1))
    assert ws.column_dimensions["A"].width > longest_label  # "Nov 2026 (so far)"


def test_dates_are_dates_and_money_is_money(book):
    ws = openpyxl.load_workbook(book)["Stats"]
    header = [c.value for c in ws[TABLE_HEADER_ROW]]
    start, end = header.index("Start") + 1, header.index("End") + 1
    lost_value, cost = header.index("Lost value") + 1, header.index("Cost to replace") + 1
    as_of = ws.cell(2, 2)
    assert as_of.is_date and as_of.value.date().isoformat() == "2026-11-23" and as_of.number_format == "yyyy-mm-dd"
    for r in range(FIRST_PERIOD_ROW, YTD_ROW + 1):
        for c in (start, end):
            assert ws.cell(r, c).is_date and ws.cell(r, c).number_format == "yyyy-mm-dd"
        for c in (lost_value, cost):
            assert isinstance(ws.cell(r, c).value, (int, float))
            assert ws.cell(r, c).number_format == '"$"#,##0.00'
    assert ws.cell(FIRST_PERIOD_ROW, start).value.date().isoformat() == "2026-04-01"
    owner_header = next(r for r in range(YTD_ROW, ws.max_row + 1) if ws.cell(r, 1).value == "Owner")
    owner_lost = [c.value for c in ws[owner_header]].index("Lost value") + 1
    assert ws.cell(owner_header + 1, owner_lost).number_format == '"$"#,##0.00'


def test_the_books_currency_is_used(tmp_path):
    ws = openpyxl.load_workbook(synced_sample(tmp_path, currency="€"))["Stats"]
    header = [c.value for c in ws[TABLE_HEADER_ROW]]
    assert ws.cell(FIRST_PERIOD_ROW, header.index("Lost value") + 1).number_format == '"€"#,##0.00'


def test_rewriting_the_sheet_adds_no_styles(book, tmp_path):
    copy = tmp_path / book.name
    shutil.copyfile(book, copy)

    def cell_styles() -> int:
        with zipfile.ZipFile(copy) as z:
            return len(etree.fromstring(z.read("xl/styles.xml")).find(
                "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}cellXfs"))

    before = cell_styles()
    assert run("sync", str(copy), "--today", "2026-11-24", "--outbox", str(tmp_path / "outbox")) == 1
    assert openpyxl.load_workbook(copy)["Stats"].cell(2, 2).value.date().isoformat() == "2026-11-24"
    assert cell_styles() == before


def test_printed_landscape_one_page_wide(book):
    ws = openpyxl.load_workbook(book)["Stats"]
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage


def test_new_and_lost_have_a_value_axis_of_their_own(book):
    with zipfile.ZipFile(book) as z:
        [name] = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        chart = etree.fromstring(z.read(name))
    axes = {ax.find(f"{C}axId").get("val"): ax.find(f"{C}axPos").get("val") for ax in chart.iter(f"{C}valAx")}
    assert sorted(axes.values()) == ["l", "r"]
    on_axis = {}
    for plot in chart.find(f"{C}chart/{C}plotArea"):
        if plot.tag not in (f"{C}barChart", f"{C}lineChart"):
            continue
        side = next(axes[a.get("val")] for a in plot.iter(f"{C}axId") if a.get("val") in axes)
        for ser in plot.iter(f"{C}ser"):
            on_axis[ser.find(f"{C}tx//{C}v").text] = (plot.tag[len(C):], side)
    assert on_axis == {"Clients at end": ("lineChart", "l"), "New": ("barChart", "r"), "Lost": ("barChart", "r")}


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_prints_the_table_and_chart_on_one_page(book, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    result = subprocess.run(
        [soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "pdf"), str(book)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    pages = [page.extract_text() for page in pypdf.PdfReader(tmp_path / "pdf" / "clients.pdf").pages]
    marks = ("Client statistics", "Bought again %", "Clients per month", "New and lost", "At risk now")
    stats = [text for text in pages if any(mark in text for mark in marks)]
    assert len(stats) == 1, f"the Stats sheet printed on {len(stats)} pages"
    page = stats[0]
    # the title, the table's first and last columns, the chart's title and its axis titles
    for text in ("Client statistics", "Period", "Bought again %", "Clients per month", "New and lost"):
        assert text in page, text


def test_google_draws_the_same_chart_new_and_lost_on_the_right_axis(api):
    book = Book(clients=[], tasks=[], touches=[], sales=[], problems=[], tables={}, headers={}, missing_tool_columns={})
    key = create_spreadsheet("Stats", [build_stats_sheet(compute_stats(book, dt.date(2026, 11, 23)))], Config())
    (chart,) = api.sheet(key, "Stats").extra["charts"]
    basic = chart["spec"]["basicChart"]
    assert basic["chartType"] == "COMBO"
    drawn = [(s["series"]["sourceRange"]["sources"][0]["startColumnIndex"], s["type"], s["targetAxis"])
             for s in basic["series"]]
    # Clients at end (column G), New (E), Lost (F)
    assert drawn == [(6, "LINE", "LEFT_AXIS"), (4, "COLUMN", "RIGHT_AXIS"), (5, "COLUMN", "RIGHT_AXIS")]
    assert basic["axis"] == [{"position": "LEFT_AXIS", "title": "Clients"},
                             {"position": "RIGHT_AXIS", "title": "New and lost"}]
    widths = {r["range"]["startIndex"]: r["properties"]["pixelSize"]
              for r in api.sheet(key, "Stats").extra["updateDimensionProperties"]}
    assert widths[PERIOD_HEADERS.index("Cost to replace")] >= len("Cost to replace") * 7  # the header fits
