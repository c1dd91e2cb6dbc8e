"""Workbooks for the Excel backend tests, built with XlsxWriter, and package comparisons."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import xlsxwriter

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "xlsx"
D = dt.date
CLIENT_HEADER = ["Client ID", "Name", "Email", "Owner", "Tier", "Status", "Client Since", "Annual Value", "Notes"]
TASK_HEADER = ["Task ID", "Client ID", "Type", "Description", "Amount", "Due Date", "Status"]
TOUCH_HEADER = ["Date", "Client ID", "Task ID", "Channel", "Direction", "By", "Summary", "Ref"]
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f3a8b10000000049454e44ae426082")


def clients(n: int) -> list[list[Any]]:
    """``n`` client rows matching CLIENT_HEADER."""
    tiers = "ABC"
    return [[f"C-{i}", f"Client {i}", f"c{i}@example.com", "maria@agency.example", tiers[i % 3],
             "Active" if i % 4 else "Prospect", D(2020, 1, 1) + dt.timedelta(days=i % 1500), 1000 + i,
             "" if i % 2 else f"note {i}"] for i in range(1, n + 1)]


def simple(path: Path, *, n: int = 5, date1904: bool = False, inline: bool = False, title: bool = False,
           touches: int = 2) -> Path:
    """Clients, Tasks and Touches sheets (XlsxWriter, shared strings unless ``inline``)."""
    options = {"date_1904": date1904}
    if inline:
        options["strings_to_numbers"] = False
    wb = xlsxwriter.Workbook(str(path), options)
    fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    bold = wb.add_format({"bold": True})
    for name, header, rows in (
        ("Clients", CLIENT_HEADER, clients(n)),
        ("Tasks", TASK_HEADER, [[f"T-{i}", f"C-{i}", "Payment", f"Balance {i}", 100 * i, D(2026, 12, 1 + i % 28), "Open"]
                                for i in range(1, n + 1)]),
        ("Touches", TOUCH_HEADER, [[D(2026, 11, 1 + i % 20), f"C-{i}", None, "Call", "Out", "maria", f"chat {i}", None]
                                   for i in range(1, touches + 1)]),
    ):
        ws = wb.add_worksheet(name)
        top = 0
        if title and name == "Clients":
            ws.write(0, 0, "Agency clients", bold)
            top = 2
        ws.write_row(top, 0, header, bold)
        for r, row in enumerate(rows, start=top + 1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt)
                else:
                    ws.write(r, c, value)
    wb.close()
    return path


def rich(path: Path, *, vba: bytes | None = None, date1904: bool = False) -> Path:
    """A workbook with everything openpyxl would lose or rewrite: chart, image, text box,
    form control (button), sparklines, data bars, a table, comments, data validation from a
    list on another sheet, conditional formats, a defined name, a formula column, and
    optionally a VBA project (``vba``: the bytes of a vbaProject.bin; use an .xlsm path)."""
    wb = xlsxwriter.Workbook(str(path), {"date_1904": date1904})
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7"})
    red = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
    ws = wb.add_worksheet("Clients")
    lists = wb.add_worksheet("Lists")
    lists.write_column(0, 0, ["A", "B", "C"])
    ws.write_row(0, 0, CLIENT_HEADER + ["Value x2"], bold)
    rows = clients(12)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt)
            elif value != "":
                ws.write(r, c, value)
        ws.write_formula(r, len(CLIENT_HEADER), f"=H{r + 1}*2", None, (1000 + r) * 2)
    ws.data_validation(1, 4, 200, 4, {"validate": "list", "source": "=Lists!$A$1:$A$3"})
    ws.conditional_format(1, 7, 12, 7, {"type": "data_bar"})
    ws.conditional_format(1, 5, 12, 5, {"type": "cell", "criteria": "==", "value": '"Prospect"', "format": red})
    ws.write_comment(1, 1, "Met at the fair")
    ws.insert_image(14, 1, "dot.png", {"image_data": __import__("io").BytesIO(PNG)})
    ws.insert_textbox(14, 4, "Staff: do not edit the grey columns", {"width": 200, "height": 50})
    ws.insert_button(20, 4, {"caption": "Press", "macro": "say_hello" if vba else None} if vba else {"caption": "Press"})
    ws.add_sparkline(1, 10, {"range": "Clients!H2:H13"})
    ws.freeze_panes(1, 0)
    ws.set_column(0, 0, 11)
    wb.define_name("ClientIds", "=Clients!$A$2:$A$13")
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": "=Clients!$A$2:$A$13", "values": "=Clients!$H$2:$H$13", "name": "Value"})
    ws.insert_chart(24, 1, chart)
    tasks = wb.add_worksheet("Tasks")
    tasks.write_row(0, 0, TASK_HEADER, bold)
    for i in range(1, 6):
        tasks.write_row(i, 0, [f"T-{i}", f"C-{i}", "Payment", f"Balance {i}", 100 * i])
        tasks.write_datetime(i, 5, dt.datetime(2026, 12, i), fmt)
        tasks.write(i, 6, "Open")
    touches = wb.add_worksheet("Touches")
    data = [[f"C-{i}", "Call", "Out", "maria", f"chat {i}"] for i in range(1, 4)]
    touches.add_table(0, 0, 3, 7, {"name": "TouchLog", "columns": [{"header": h} for h in TOUCH_HEADER]})
    for r, row in enumerate(data, start=1):
        touches.write_datetime(r, 0, dt.datetime(2026, 11, r), fmt)
        touches.write(r, 1, row[0])
        touches.write_row(r, 3, row[1:])
    if vba is not None:
        vba_file = path.with_suffix(".bin")
        vba_file.write_bytes(vba)
        wb.add_vba_project(str(vba_file))
        wb.set_vba_name("ThisWorkbook")
    wb.close()
    return path


def corpus_vba() -> bytes | None:
    """A vbaProject.bin from the shared corpus, when it is here."""
    if not CORPUS.is_dir():
        return None
    for candidate in sorted(CORPUS.glob("*.xlsm")):
        try:
            with zipfile.ZipFile(candidate) as z:
                if "xl/vbaProject.bin" in z.namelist():
                    return z.read("xl/vbaProject.bin")
        except zipfile.BadZipFile:
            continue
    return None


def parts(path: Path) -> dict[str, bytes]:
    """Every part of the package by name, uncompressed."""
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def changed_parts(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    """Part names added, removed or different."""
    return {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
