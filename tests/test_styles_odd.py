"""Workbooks whose styles part is missing, empty, prefixed or has dxfs with their own number
formats: ``init --into`` adopts them and ``sync`` writes dates that read back as dates.

Each workbook is zipped by hand (no library writes such files): a "Clients" sheet with a few
ordinary columns and rows, inline strings, and the styles part under test.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from lxml import etree
from xlsx_fixtures import changed_parts, parts

from sheets_sync.cli import cli

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
HEADER = ["Client ID", "Name", "Email", "Owner", "Status", "Tier", "Client Since"]
SINCE = [dt.date(2020, 3, 2), dt.date(2021, 7, 15), dt.date(2024, 1, 31)]
_CELL = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)
# schema order of a styleSheet's children (CT_Stylesheet)
ORDER = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
         "colors", "extLst"]


def _cell(ref: str, value: object, style: int | None) -> str:
    s = f' s="{style}"' if style is not None else ""
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"{s}><is><t>{value}</t></is></c>'
    if isinstance(value, dt.date):
        value = (value - dt.date(1899, 12, 30)).days
    return f'<c r="{ref}"{s}><v>{value}</v></c>'


def book(path: Path, styles: str | None, date_style: int | None = None, value_style: int | None = None) -> Path:
    """A one-sheet workbook; ``styles`` is the styles part's XML, or None for no styles part
    at all (no part, no relationship, no content-type override). Client Since cells get
    ``date_style``; an Annual Value column (1234.5) gets ``value_style``."""
    rows: list[list[object]] = [HEADER + ["Annual Value"]]
    rows += [[f"C-{i}", f"Client {i}", f"c{i}@example.com", "maria@agency.example", "Active", "A", since, 1234.5]
             for i, since in enumerate(SINCE, start=1)]
    body = "".join(
        f'<row r="{r}">' + "".join(
            _cell(f"{chr(64 + c)}{r}", v, date_style if isinstance(v, dt.date) else value_style if isinstance(v, float)
                  else None) for c, v in enumerate(row, start=1)) + "</row>"
        for r, row in enumerate(rows, start=1))
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg_rel = "http://schemas.openxmlformats.org/package/2006/relationships"
    styles_override = f'<Override PartName="/xl/styles.xml" ContentType="{CT_STYLES}"/>' if styles is not None else ""
    styles_rel = f'<Relationship Id="rId2" Type="{rel}/styles" Target="styles.xml"/>' if styles is not None else ""
    parts = {
        "[Content_Types].xml": (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            f"{styles_override}</Types>"),
        "_rels/.rels": (f'{head}<Relationships xmlns="{pkg_rel}"><Relationship Id="rId1" '
                        f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (f'{head}<workbook xmlns="{NS}" xmlns:r="{rel}">'
                            '<sheets><sheet name="Clients" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'{head}<Relationships xmlns="{pkg_rel}"><Relationship Id="rId1" Type="{rel}/worksheet" '
            f'Target="worksheets/sheet1.xml"/>{styles_rel}</Relationships>'),
        "xl/worksheets/sheet1.xml": f'{head}<worksheet xmlns="{NS}"><sheetData>{body}</sheetData></worksheet>',
    }
    if styles is not None:
        parts["xl/styles.xml"] = head + styles
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


def _styles(body: str, prefix: str = "") -> str:
    """A styleSheet holding ``body`` (its element names written without prefix)."""
    if prefix:
        body = re.sub(r"<(/?)(\w)", rf"<\1{prefix}:\2", body)
        return f'<{prefix}:styleSheet xmlns:{prefix}="{NS}">{body}</{prefix}:styleSheet>'
    return f'<styleSheet xmlns="{NS}">{body}</styleSheet>'


BASE = ('<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>')
CELL_STYLES = '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'


def custom_formats(date_at_165: bool, prefix: str = "") -> str:
    """(c) and (d): custom formats 164 (a date) and 165, then dxfs whose own numFmts reuse ids
    0 and 165 with the opposite meaning. cellXfs: 0 General, 1 -> 164, 2 -> 165."""
    codes = ("#,##0.000", "dd.mm.yyyy", "0.00") if date_at_165 else ("d mmm yyyy", "0.00", "yyyy-mm-dd")
    top_164, top_165, dxf_code = codes
    return _styles(
        f'<numFmts count="2"><numFmt numFmtId="164" formatCode="{top_164}"/>'
        f'<numFmt numFmtId="165" formatCode="{top_165}"/></numFmts>{BASE}'
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        f'{CELL_STYLES}<dxfs count="2"><dxf><numFmt numFmtId="165" formatCode="{dxf_code}"/></dxf>'
        f'<dxf><numFmt numFmtId="0" formatCode="{dxf_code}"/><fill><patternFill><bgColor rgb="FFFFC7CE"/>'
        '</patternFill></fill></dxf></dxfs>', prefix)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def sheet_cells(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {m.group(1).decode(): m.group() for m in _CELL.finditer(z.read("xl/worksheets/sheet1.xml"))}


def assert_styles_grew(old: bytes, new: bytes) -> None:
    """Each list of the old styles part keeps its entries, in order, byte for byte; lists
    are only added, never removed."""
    a, b = etree.fromstring(old), etree.fromstring(new)
    new_lists = {etree.QName(e).localname: e for e in b}
    for lst in a:
        olds = [etree.tostring(x) for x in lst]
        assert [etree.tostring(x) for x in new_lists[etree.QName(lst).localname]][:len(olds)] == olds


def adopt_and_sync(path: Path, tmp_path: Path, dated: bool = True) -> None:
    """``init --into`` then ``sync`` through the CLI, checked as the corpus loop checks real
    workbooks (only the package index, styles and sheets changed; the styles only grew); the
    staff's cells keep their exact XML, and every date the tool wrote reads back (openpyxl)
    as a date with a date format."""
    before, original = sheet_cells(path), parts(path)
    code, out = run("init", "--into", str(path))
    assert code == 0, out
    adopted = parts(path)
    index = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
    assert changed_parts(original, adopted) - set(adopted.keys() - original.keys()) <= index | {
        "xl/styles.xml", "xl/worksheets/sheet1.xml"}
    if "xl/styles.xml" in original:
        assert_styles_grew(original["xl/styles.xml"], adopted["xl/styles.xml"])
    code, out = run("sync", str(path), "--today", "2026-11-23", "--outbox", str(tmp_path / "out"))
    assert code in (0, 1), out
    assert_styles_grew(adopted["xl/styles.xml"], parts(path)["xl/styles.xml"])
    after = sheet_cells(path)
    for ref, xml in before.items():
        assert after.get(ref) == xml, ref
    ws = load(path)["Clients"]
    header = [c.value for c in ws[1]]
    assert header[:7] == HEADER
    if dated:  # (without a styles part the staff's dates can only be serial numbers)
        assert [ws.cell(row=r, column=7).value for r in (2, 3, 4)] == [dt.datetime.combine(d, dt.time()) for d in SINCE]
    written = 0
    for name in ("Last Touch", "Next Action Date"):
        col = header.index(name) + 1
        for r in (2, 3, 4):
            cell = ws.cell(row=r, column=col)
            if cell.value is None:
                continue
            assert isinstance(cell.value, dt.datetime) and cell.is_date, (name, r, cell.value, cell.number_format)
            written += 1
    assert written >= 3
    number = ws.cell(row=2, column=header.index("Days Since Touch") + 1).value
    assert number is None or isinstance(number, (int, float)), number


def styles_part(path: Path) -> tuple[etree._Element, str]:
    with zipfile.ZipFile(path) as z:
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        target = re.search(r'Type="[^"]*/styles" Target="([^"]+)"', rels)
        assert target is not None, rels
        name = "xl/" + target.group(1)
        types = z.read("[Content_Types].xml").decode()
        return etree.fromstring(z.read(name)), types.replace(f'PartName="/{name}" ContentType="{CT_STYLES}"', "@")


def assert_complete(root: etree._Element, cell_styles: bool = True) -> None:
    """The lists a styles part needs, in schema order, with index 0 still plain General
    (``cell_styles``: cellStyleXfs and cellStyles too)."""
    names = [etree.QName(e).localname for e in root]
    assert names == sorted(names, key=ORDER.index), names
    needed = {"fonts", "fills", "borders", "cellXfs"} | ({"cellStyleXfs", "cellStyles"} if cell_styles else set())
    assert needed <= set(names), names
    lists = {etree.QName(e).localname: e for e in root}
    for name, first in (("fonts", 1), ("fills", 2), ("borders", 1), ("cellXfs", 1), ("cellStyleXfs", 1),
                        ("cellStyles", 1)):
        if name not in needed:
            continue
        assert int(lists[name].get("count")) == len(lists[name]) >= first, name
    xf0 = lists["cellXfs"][0]
    assert xf0.get("numFmtId") == "0" and not len(xf0), etree.tostring(xf0)  # unstyled cells stay General
    fills = [f[0].get("patternType") for f in lists["fills"]]
    assert fills[:2] == ["none", "gray125"], fills  # Excel's two reserved fills


def test_a_workbook_without_a_styles_part_gets_one_and_syncs(tmp_path):
    path = book(tmp_path / "nostyles.xlsx", None)
    adopt_and_sync(path, tmp_path, dated=False)
    root, types = styles_part(path)
    assert types.count("@") == 1  # listed once, with the styles content type
    assert etree.QName(root).namespace == NS
    assert_complete(root)
    ws = load(path)["Sales"]  # the template sheets got their formatting too
    assert ws["A1"].font.b


@pytest.mark.parametrize("prefix", ["", "x"])
def test_an_empty_stylesheet_is_filled_in_schema_order(tmp_path, prefix):
    styles = f'<{prefix}:styleSheet xmlns:{prefix}="{NS}"/>' if prefix else f'<styleSheet xmlns="{NS}"/>'
    path = book(tmp_path / "empty.xlsx", styles)
    adopt_and_sync(path, tmp_path, dated=False)
    root, _ = styles_part(path)
    assert root.prefix == (prefix or None)
    assert_complete(root)


@pytest.mark.parametrize("prefix", ["", "x"])
def test_lists_missing_from_a_partial_stylesheet_are_added_in_order(tmp_path, prefix):
    """fonts and cellXfs present, the rest missing (and a dxfs at the end to insert before):
    fills and borders are added before cellXfs; the cell style lists are not needed."""
    styles = _styles('<fonts count="1"><font><sz val="10"/><name val="Arial"/></font></fonts>'
                     '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
                     '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/></cellXfs>'
                     '<dxfs count="0"/>', prefix)
    path = book(tmp_path / "partial.xlsx", styles, date_style=1)
    adopt_and_sync(path, tmp_path)
    root, _ = styles_part(path)
    assert_complete(root, cell_styles=False)
    assert "cellStyles" not in [etree.QName(e).localname for e in root]
    fonts = root[[etree.QName(e).localname for e in root].index("fonts")]
    assert etree.tostring(fonts[0]).count(b"Arial") == 1  # the workbook's own font is still font 0


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("date_at_165", [False, True], ids=["165-is-a-number", "165-is-a-date"])
def test_dxfs_number_formats_do_not_decide_what_is_a_date(tmp_path, date_at_165, prefix):
    """(c)+(d): custom date formats (164, and 165 in one direction), '0.00' at 165 in the
    other; the dxfs' own numFmts reuse 0 and 165 with the opposite meaning."""
    path = book(tmp_path / "dxfs.xlsx", custom_formats(date_at_165, prefix), date_style=2 if date_at_165 else 1,
                value_style=1 if date_at_165 else 2)
    adopt_and_sync(path, tmp_path)
    ws = load(path)["Clients"]
    assert [ws.cell(row=r, column=8).value for r in (2, 3, 4)] == [1234.5] * 3  # staff numbers stay numbers
    root, _ = styles_part(path)
    names = [etree.QName(e).localname for e in root]
    assert names == sorted(names, key=ORDER.index) and names.count("numFmts") == 1
    dxfs = root[names.index("dxfs")]
    assert [f.get("numFmtId") for f in dxfs.iter(f"{{{NS}}}numFmt")] == ["165", "0"]  # left as they were


def test_a_styles_part_that_is_no_stylesheet_is_refused_in_one_line(tmp_path):
    path = book(tmp_path / "odd.xlsx", f'<sst xmlns="{NS}"/>')
    before = path.read_bytes()
    code, out = run("init", "--into", str(path))
    assert code == 3 and out.count("\n") == 1 and "not a styles part" in out and "report" not in out, out
    assert path.read_bytes() == before


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice is not installed")
def test_libreoffice_opens_them_and_shows_the_dates(tmp_path):
    no_styles, empty = book(tmp_path / "none.xlsx", None), book(tmp_path / "empty.xlsx", f'<x:styleSheet xmlns:x="{NS}"/>')
    dxfs = [book(tmp_path / f"dxfs{int(flag)}.xlsx", custom_formats(flag, "x" if flag else ""), 2 if flag else 1,
                 1 if flag else 2) for flag in (False, True)]
    for path in (no_styles, empty, *dxfs):
        adopt_and_sync(path, tmp_path, dated=path in dxfs)
    paths = [str(p) for p in (no_styles, empty, *dxfs)]
    result = subprocess.run(
        [shutil.which("soffice") or shutil.which("libreoffice") or "", "--headless",
         f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "csv", "--outdir", str(tmp_path / "csv"),
         *paths], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "repair" not in result.stderr.lower(), result.stderr
    for path in paths:
        lines = (tmp_path / "csv" / (Path(path).stem + ".csv")).read_text("utf-8").splitlines()
        col = lines[0].split(",").index("Next Action Date")
        for line in lines[1:4]:  # shown as a date (2020-04-01 or 04/01/2020), not a serial number
            assert re.fullmatch(r"\d{2,4}[-/.]\d{2}[-/.]\d{2,4}", line.split(",")[col]), (path, line)
