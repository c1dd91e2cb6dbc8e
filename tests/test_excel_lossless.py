"""The write-back guarantee, part by part: after ``init --into`` and ``sync`` on a workbook
full of things openpyxl would lose, only our cells changed and everything reads back."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import time
import warnings
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from lxml import etree
from xlsx_fixtures import CORPUS, changed_parts, corpus_vba, parts, rich, simple

from sheets_sync.a1 import col_index
from sheets_sync.backends.excel.backend import ExcelBackend
from sheets_sync.backends.excel.package import rels_part
from sheets_sync.cli import cli

INDEX = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
SHEETS = {"Clients": "xl/worksheets/sheet1.xml", "Tasks": "xl/worksheets/sheet3.xml",
          "Touches": "xl/worksheets/sheet4.xml"}
_CELL = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def load(path: Path, **kw) -> openpyxl.Workbook:
    """openpyxl's view of the file (it warns that it would drop sparklines: we only read)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, **kw)


def cells(xml: bytes) -> dict[str, bytes]:
    return {m.group(1).decode(): m.group() for m in _CELL.finditer(xml)}


def outside_sheet_data(xml: bytes) -> bytes:
    head, rest = xml.split(b"<sheetData", 1)
    tail = rest.split(b"</sheetData>", 1)[1] if b"</sheetData>" in rest else b""
    return re.sub(rb'<dimension ref="[^"]*"/>', b"", head) + tail


def assert_entries_kept(before: dict[str, bytes], after: dict[str, bytes], names: set[str]) -> None:
    """Relationships, comments and VML shapes of ``names`` are all still there, byte for byte."""
    for name in names:
        for entry in re.findall(rb"<Relationship\b[^>]*/>|<comment\b.*?</comment>|<author>.*?</author>"
                                rb"|<v:shape\b.*?</v:shape>", before[name], re.S):
            assert entry in after[name], (name, entry)


def assert_index_kept(before: dict[str, bytes], after: dict[str, bytes]) -> None:
    """Every entry of the package index files is still there, byte for byte."""
    for name, pattern in (("[Content_Types].xml", rb"<(?:Override|Default)\b[^>]*/>"),
                          ("xl/_rels/workbook.xml.rels", rb"<Relationship\b[^>]*/>"),
                          ("xl/workbook.xml", rb"<sheet\b[^>]*/>|<definedName\b.*?</definedName>")):
        for entry in re.findall(pattern, before[name], re.S):
            assert entry in after[name], (name, entry)
    # outside its <sheets> list, workbook.xml is unchanged
    strip = re.compile(rb"<sheets>.*</sheets>", re.S)
    assert strip.sub(b"", before["xl/workbook.xml"]) == strip.sub(b"", after["xl/workbook.xml"])


def assert_styles_appended(old: bytes, new: bytes) -> None:
    """styles.xml only grew: each list keeps its old entries, in order, byte for byte."""
    if old == new:
        return
    a, b = etree.fromstring(old), etree.fromstring(new)
    assert [etree.QName(e).localname for e in a if etree.QName(e).localname != "numFmts"] == [
        etree.QName(e).localname for e in b if etree.QName(e).localname != "numFmts"]
    new_lists = {etree.QName(e).localname: e for e in b}
    for lst in a:
        name = etree.QName(lst).localname
        olds = [etree.tostring(x) for x in lst]
        news = [etree.tostring(x) for x in new_lists[name]]
        assert news[:len(olds)] == olds, name


def assert_only_cells_changed(old: bytes, new: bytes, allowed: set[str]) -> None:
    """Inside a worksheet, every cell other than ``allowed`` (A1 refs) kept its exact XML.
    Outside the cells only what the tool's new columns bring may differ: their <col>
    entries (every other column keeps its attributes), the filter's range and one
    <legacyDrawing> for their notes."""
    new_cols = {col_index(m.group(1)) for ref in allowed if (m := re.fullmatch(r"([A-Z]+)1", ref))
                and not re.search(rf'<c r="{ref}"', old.decode())}
    assert outside_sheet_data(old) == outside_sheet_data(new) or (
        _outside_but_ours(old, had_legacy=True) == _outside_but_ours(new, had_legacy=b"<legacyDrawing" in old)
        and _col_attrs(old, new_cols) == _col_attrs(new, new_cols))
    before, after = cells(old), cells(new)
    for ref, xml in before.items():
        if ref not in allowed:
            assert after.get(ref) == xml, ref


def _outside_but_ours(xml: bytes, had_legacy: bool) -> bytes:
    out = re.sub(rb'(<autoFilter ref=")[^"]*', rb"\1", outside_sheet_data(xml))
    out = re.sub(rb"<cols>.*?</cols>", b"", out, flags=re.S)
    return out if had_legacy else re.sub(rb"<legacyDrawing [^>]*/>", b"", out)


def _col_attrs(xml: bytes, skip: set[int]) -> dict[int, bytes]:
    """Column -> its <col> attributes (without min and max), for the columns not in ``skip``."""
    out = {}
    for m in re.finditer(rb"<col ([^>]*)/>", xml):
        lo, hi = (int(re.search(rb'\b%s="(\d+)"' % k, m.group(1)).group(1)) for k in (b"min", b"max"))
        attrs = re.sub(rb'\b(min|max)="\d+"\s*', b"", m.group(1))
        out.update({c: attrs for c in range(lo, min(hi, 200) + 1) if c not in skip})
    return out


def sync_log_part(path: Path) -> str:
    """The Sync Log's worksheet part: the tool's own sheet, rewritten by every sync."""
    from sheets_sync.backends.excel.package import Package
    from sheets_sync.backends.excel.read import workbook_info

    with Package(path) as pkg:
        sheet = workbook_info(pkg).sheet("Sync Log")
        assert sheet is not None
        return sheet.part


def written_refs(old: bytes, new: bytes) -> set[str]:
    before, after = cells(old), cells(new)
    return {r for r in after if before.get(r) != after[r]}


@pytest.mark.parametrize("kind", ["xlsx", "xlsm", "1904", "spilled"])
def test_init_into_and_sync_change_only_our_cells(tmp_path, kind, monkeypatch):
    if kind == "spilled":  # every rewritten sheet goes through a temporary file, as big ones do
        from sheets_sync.backends.excel import spill as xlsx_spill

        monkeypatch.setattr(xlsx_spill, "SPILL_FROM", 0)
        kind = "xlsx"
    vba = None
    if kind == "xlsm":
        vba = corpus_vba()
        if vba is None:
            pytest.skip("no vbaProject.bin to embed (the shared corpus is not here)")
    path = rich(tmp_path / f"book.{'xlsm' if kind == 'xlsm' else 'xlsx'}", vba=vba, date1904=kind == "1904")
    original = parts(path)

    code, out, err = run("init", "--into", str(path))
    assert (code, err) == (0, ""), out
    adopted = parts(path)
    changed = changed_parts(original, adopted)
    new = {n for n in adopted if n not in original}
    existing_sheets = {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml"}
    # the notes on the tool's new headers: added to a sheet's comments, or in new parts it links to
    notes = {"xl/comments1.xml", "xl/drawings/vmlDrawing1.vml"} | {rels_part(s) for s in existing_sheets}
    assert changed - new <= INDEX | {"xl/styles.xml"} | existing_sheets | notes
    assert_entries_kept(original, adopted, (notes & changed) - new)
    assert {n for n in new if n.startswith("xl/worksheets/sheet")}  # Settings, Sales
    assert_index_kept(original, adopted)
    assert_styles_appended(original["xl/styles.xml"], adopted["xl/styles.xml"])
    for sheet in existing_sheets & changed:
        refs = written_refs(original[sheet], adopted[sheet])
        assert all(re.fullmatch(r"[A-Z]+1", r) for r in refs), refs  # only header cells
        assert_only_cells_changed(original[sheet], adopted[sheet], refs)
    headers = [c.value for c in load(path)["Clients"][1]]
    assert headers[:10] == ["Client ID", "Name", "Email", "Owner", "Tier", "Status", "Client Since",
                            "Annual Value", "Notes", "Value x2"]
    assert headers[-5:] == ["Touches", "Last Touch", "Next Action", "Next Action Date", "Days Since Touch"]
    if vba:
        assert adopted["xl/vbaProject.bin"] == vba

    code, out, err = run("sync", str(path), "--today", "2026-11-23", "--outbox", str(tmp_path / "out"), "--json")
    assert (code, err) == (0, ""), out
    report = json.loads(out)
    synced = parts(path)
    changed = changed_parts(adopted, synced)
    new = {n for n in synced if n not in adopted}
    assert changed - new <= INDEX | {"xl/styles.xml", "xl/tables/table1.xml"} | existing_sheets | {sync_log_part(path)}
    assert_index_kept(adopted, synced)
    assert_styles_appended(adopted["xl/styles.xml"], synced["xl/styles.xml"])
    for sheet in existing_sheets & changed:
        refs = written_refs(adopted[sheet], synced[sheet])
        assert_only_cells_changed(adopted[sheet], synced[sheet], refs)
        # never a formula cell: the Value x2 column (J) is untouched
        if sheet == "xl/worksheets/sheet1.xml":
            assert refs and not any(re.fullmatch(r"J\d+", r) for r in refs)
    # values read back with openpyxl and with our reader
    wb = load(path, data_only=True)
    ws = wb["Clients"]
    head = [c.value for c in ws[1]]
    touches_col = head.index("Touches") + 1
    assert all(isinstance(ws.cell(row=r, column=touches_col).value, int) for r in range(2, 14))
    last = head.index("Last Touch") + 1
    assert ws.cell(row=2, column=last).value is None or isinstance(ws.cell(row=2, column=last).value, dt.datetime)
    data = ExcelBackend(path).read()
    assert data.date_system == (1904 if kind == "1904" else 1900)
    ours = data.sheet("Clients")
    assert [ours.cell(r, touches_col) for r in range(2, 14)] == [ws.cell(row=r, column=touches_col).value
                                                                  for r in range(2, 14)]
    assert ours.cell(2, 10) == ws.cell(row=2, column=10).value == 2002  # cached formula value kept
    assert "Stats" in wb.sheetnames and "Stats" in data.sheets
    if report["rows_appended"]:
        table = synced["xl/tables/table1.xml"]
        last_row = 1 + 3 + report["rows_appended"]
        assert f':H{last_row}"'.encode() in table


def test_tool_sheet_chart_is_kept_when_the_sheet_is_rewritten(tmp_path):
    from sheets_sync.workbook import SheetContent, WriteBatch

    path = simple(tmp_path / "w.xlsx")
    chart = {"title": "Clients per month", "type": "bar", "anchor": (2, 5), "categories": (2, 4, 1),
             "series": [(1, 2), (1, 3)]}
    backend = ExcelBackend(path)
    backend.read()
    rows = [["Month", "New", "Lost"], ["Jan", 3, 1], ["Feb", 4, 0], ["Mar", 2, 2]]
    backend.write(WriteBatch(tool_sheets=[SheetContent("Stats", rows, chart=chart)]))
    first = parts(path)
    charts = [n for n in first if n.startswith("xl/charts/")]
    assert len(charts) == 1 and b"<c:barChart>" in first[charts[0]]
    backend.read()
    backend.write(WriteBatch(tool_sheets=[SheetContent("Stats", [["Month", "New", "Lost"], ["Jan", 5, 1],
                                                                 ["Feb", 4, 0], ["Mar", 2, 7]], chart=chart)]))
    second = parts(path)
    assert changed_parts(first, second) == {"xl/worksheets/sheet4.xml"}
    assert [list(r) for r in load(path)["Stats"].iter_rows(values_only=True)][3] == ["Mar", 2, 7]


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_what_we_wrote(tmp_path):
    from sheets_sync.workbook import RowUpdate, SheetContent, TableRef, WriteBatch

    path = rich(tmp_path / "book.xlsx")
    backend = ExcelBackend(path)
    backend.read()
    ref = TableRef("Clients", 1, "Client ID")
    chart = {"title": "Values", "type": "line", "anchor": (1, 4), "categories": (2, 3, 1), "series": [(1, 2)]}
    backend.write(WriteBatch(
        tables={"Clients": ref}, new_columns={"Clients": ["Last Touch", "Next Action"]},
        updates=[RowUpdate(ref, "C-2", 3, {"Last Touch": dt.date(2026, 11, 23), "Next Action": "Call & ask <now>"})],
        tool_sheets=[SheetContent("Stats", [["Month", "Clients"], ["Jan", 3], ["Feb", 4]], chart=chart)]))
    out = tmp_path / "csv"
    result = subprocess.run(
        [soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "csv",
         "--outdir", str(out), str(path)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    text = (out / "book.csv").read_text("utf-8", "replace")
    lines = text.splitlines()
    assert lines[0].endswith("Last Touch,Next Action")
    assert lines[2].startswith("C-2,") and "Call & ask <now>" in lines[2]
    assert "2026" in lines[2].split(",")[-2] or "11/23/26" in lines[2]
    assert "repair" not in result.stderr.lower()


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_stats_chart_after_a_sync_of_the_sample(tmp_path):
    import zipfile

    book = tmp_path / "clients.xlsx"
    assert run("init", str(book), "--sample", "--today", "2026-11-23")[0] == 0
    assert run("sync", str(book), "--today", "2026-11-23", "--outbox", str(tmp_path / "outbox"))[0] == 1  # its bad cells
    result = subprocess.run(
        [soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "ods",
         "--outdir", str(tmp_path / "ods"), str(book)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0 and "repair" not in result.stderr.lower(), result.stderr
    with zipfile.ZipFile(tmp_path / "ods" / "clients.ods") as ods:
        sheets = re.findall(r'<table:table table:name="([^"]+)"', ods.read("content.xml").decode())
        charts = [ods.read(n).decode() for n in ods.namelist() if re.fullmatch(r"Object \d+/content.xml", n)]
    assert sheets == ["Clients", "Tasks", "Touches", "Settings", "Sales", "Staff", "Sync Log", "Stats"]
    [chart] = charts
    assert "<text:p>Clients per month" in chart
    # Clients at end a line on the left axis; New and Lost columns on the right one, where a few a month show
    series = re.findall(r'<chart:series chart:attached-axis="([\w-]+)"[^>]*?chart:values-cell-range-address='
                        r'"Stats\.([A-Z])5:Stats\.[A-Z]12"[^>]*?chart:class="chart:(\w+)"', chart)
    assert series == [("primary-y", "G", "line"), ("secondary-y", "E", "bar"), ("secondary-y", "F", "bar")]


def test_corpus_workbooks_are_adopted_or_refused_cleanly(tmp_path):
    """Every readable corpus file is adopted and synced with only index, styles (appended)
    and our own sheets changing; every broken or hostile one is refused in one line."""
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is not here (the shared folder only exists on the developers' machines)")
    adopted, refused = [], []
    for source in sorted(CORPUS.iterdir()):
        path = tmp_path / source.name
        shutil.copyfile(source, path)  # the bytes: the corpus files are read-only (0444), which sync refuses
        before = path.read_bytes()
        started = time.monotonic()
        code, out, err = run("init", "--into", str(path))
        assert time.monotonic() - started < 20, source.name
        if code != 0:
            assert code == 3 and err.count("\n") == 1 and "Traceback" not in err, (source.name, err)
            assert path.read_bytes() == before
            refused.append(source.name)
            continue
        original = parts(source)
        after_init = parts(path)
        changed = changed_parts(original, after_init) - {n for n in after_init if n not in original}
        index = {n for n in changed if n.endswith((".rels", "[Content_Types].xml")) or n.endswith("workbook.xml")}
        sheets = {n for n in changed if "/worksheets/" in n}  # headers added to a matching sheet
        styles = {n for n in changed if n.endswith("styles.xml")}
        assert changed == index | sheets | styles, (source.name, changed)
        for name in styles:
            assert_styles_appended(original[name], after_init[name])
        code, out, err = run("sync", str(path), "--today", "2026-11-23", "--outbox", str(tmp_path / "out"))
        assert code in (0, 1) and "Traceback" not in err, (source.name, err)
        synced = parts(path)
        ours = {n for n in after_init if n not in original} | sheets
        changed = changed_parts(after_init, synced) - {n for n in synced if n not in after_init}
        assert all(n in ours or n in index or n.endswith("styles.xml") for n in changed), (source.name, changed)
        adopted.append(source.name)
    assert len(adopted) >= 60 and len(refused) >= 5, (adopted, refused)


def test_template_sheets_added_by_init_into_are_formatted(tmp_path):
    path = simple(tmp_path / "w.xlsx")
    code, out, err = run("init", "--into", str(path))
    assert (code, err) == (0, ""), out
    wb = load(path)
    assert wb.sheetnames[:3] == ["Clients", "Tasks", "Touches"] and {"Settings", "Sales"} <= set(wb.sheetnames)
    sales = wb["Sales"]
    assert [c.value for c in sales[1]] == ["Date", "Client ID", "Amount", "Description"]
    assert sales["A1"].font.b and sales.freeze_panes == "A2" and sales.auto_filter.ref == "A1:D1"
    assert sales.column_dimensions["A"].width == pytest.approx(12.7)
    settings = wb["Settings"]
    assert settings.max_row > 5 and settings["A1"].value == "Setting"
    clients = wb["Clients"]
    head = [c.value for c in clients[1]]
    assert head[-5:] == ["Touches", "Last Touch", "Next Action", "Next Action Date", "Days Since Touch"]
    assert clients.cell(row=1, column=len(head)).font.b  # new headers look like the old ones
    touches = wb["Touches"]
    assert [c.value for c in touches[1]][-1] == "Result"
    # a new Tasks-like sheet gets dropdowns: check on a fresh adoption of an empty workbook
    empty = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(empty)
    code, out, err = run("init", "--into", str(empty))
    assert code == 0, err
    tasks = load(empty)["Tasks"]
    lists = {str(dv.sqref): dv.formula1 for dv in tasks.data_validations.dataValidation}
    assert lists["C2:C5000"] == '"Payment,Signature,Paperwork,Quote,Other"'
    assert tasks.column_dimensions["F"].number_format == "yyyy-mm-dd"
