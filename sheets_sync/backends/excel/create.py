"""Create a new, well-formatted Excel workbook from template sheets (``sheets-sync init``).

Formatting follows the layout's column specs: a bold header row frozen in place, a filter,
yyyy-mm-dd on date columns, dropdowns on choice columns, column widths, and tool columns'
headers in grey so staff can see which columns the tool writes.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sheets_sync.backends.excel.cells import escape_x
from sheets_sync.errors import ConfigError, SourceError
from sheets_sync.model.headers import header_row
from sheets_sync.model.layout import TABLES, Column, Table
from sheets_sync.workbook import SheetContent

DATE_FORMAT = "yyyy-mm-dd"
AMOUNT_FORMAT = "#,##0.00"
FORMAT_ROWS = 5000  # dropdowns reach this row; staff rarely outgrow it in a small team
STAFF_FILL = PatternFill("solid", fgColor="DDEBF7")  # pale blue: columns staff fill in
TOOL_FILL = PatternFill("solid", fgColor="D9D9D9")  # light grey: columns the tool writes
HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
HEADER_BORDER = Border(bottom=Side(style="thin", color="808080"))

EXISTS = "{name} already exists; choose another name or use --into to add the sheets to it"
_TABLES = {t.name: t for t in TABLES}


def create_workbook(path: Path, sheets: list[SheetContent]) -> None:
    """Write ``sheets`` to a new workbook at ``path``; never overwrites an existing file.

    Template sheets (``table`` set) get the layout's formatting around their header row (the
    row among the first 20 matching most of the table's headers, normally row 1): bold and
    frozen, a filter over the table, date format, dropdowns and widths per column. Rows below
    the header are written as values (dates as real dates). The file appears whole or not at
    all: it is written to a temporary file in the same folder, then renamed.
    Raises ConfigError when ``path`` exists, SourceError when the folder is not writable.
    """
    path = Path(path)
    if path.exists():
        raise ConfigError(EXISTS.format(name=path.name))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ConfigError(f"{path}: folder {folder} does not exist; create it first")
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "sheets-sync"
    for content in sheets:
        fill_sheet(workbook.create_sheet(content.title), content)
    # Not tempfile.mkstemp: its 0600 mode would make the workbook private to one user.
    tmp_name = str(folder / f".{path.stem}.{secrets.token_hex(4)}.tmp")
    try:
        open(tmp_name, "xb").close()
    except OSError as exc:
        raise SourceError(f"{path}: cannot write in {folder} ({exc.strerror})", source=str(path)) from None
    try:
        workbook.save(tmp_name)
        if path.exists():  # someone created it while we were building ours
            raise ConfigError(EXISTS.format(name=path.name))
        os.replace(tmp_name, path)
    except OSError as exc:
        raise SourceError(f"{path}: cannot write the workbook ({exc.strerror})", source=str(path)) from None
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def fill_sheet(ws: Worksheet, content: SheetContent) -> None:
    """Write ``content`` into the empty worksheet ``ws`` with the template's formatting (as
    ``create_workbook`` does; ``init --into`` can use it for the sheets it adds)."""
    for r, values in enumerate(content.rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is None or value == "":
                continue
            if isinstance(value, str):  # text stays text: never a formula, no character lost
                cell = ws.cell(row=r, column=c, value=escape_x(value))
                cell.data_type = "s"
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
    table = _TABLES.get(content.table or "")
    if table is not None:
        _format_table(ws, content, table)
    if content.chart:
        _add_chart(ws, content)


def _format_table(ws: Worksheet, content: SheetContent, table: Table) -> None:
    top, found = header_row(content.rows, table)
    if not found:
        return
    for r in range(1, top):
        first = ws.cell(row=r, column=1)
        if isinstance(first.value, str):  # a title above the table
            first.font = TITLE_FONT
    last_row = max(top, len(content.rows))
    last_col = max(len(content.rows[top - 1]), 1)
    ws.freeze_panes = ws.cell(row=top + 1, column=1)
    ws.auto_filter.ref = f"A{top}:{get_column_letter(last_col)}{last_row}"
    by_index = {index: table.column(field) for field, index in found.items()}
    for index in range(last_col):
        header = ws.cell(row=top, column=index + 1)
        column = by_index.get(index)
        header.font = HEADER_FONT
        header.border = HEADER_BORDER
        header.alignment = Alignment(vertical="center", wrap_text=True)
        header.fill = TOOL_FILL if column is not None and column.tool else STAFF_FILL
        if column is not None:
            _format_column(ws, column, index + 1, top, len(content.rows), table)


def _format_column(ws: Worksheet, column: Column, col: int, top: int, last: int, table: Table) -> None:
    letter = get_column_letter(col)
    dimension = ws.column_dimensions[letter]
    dimension.width = column.width
    below = range(top + 1, last + 1)
    # The column style is what Excel gives a cell that staff type into later; cells written
    # now (sample rows) carry their own format.
    if column.kind == "date":
        dimension.number_format = DATE_FORMAT
        for r in below:
            ws.cell(row=r, column=col).number_format = DATE_FORMAT
    elif column.kind == "number":
        dimension.number_format = AMOUNT_FORMAT
        for r in below:
            ws.cell(row=r, column=col).number_format = AMOUNT_FORMAT
    elif table.name == "settings" and column.field == "notes":
        dimension.alignment = Alignment(wrap_text=True, vertical="top")
        for r in below:
            ws.cell(row=r, column=col).alignment = Alignment(wrap_text=True, vertical="top")
    if column.choices:
        _add_dropdown(ws, column, f"{letter}{top + 1}:{letter}{FORMAT_ROWS}")


def _add_dropdown(ws: Worksheet, column: Column, cells: str) -> None:
    listed = ", ".join(column.choices)
    # A warning, not a stop: the tool also reads aliases ("Customer", "Paid"), and a
    # person's word wins.
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(column.choices) + '"',
        allow_blank=True,
        showDropDown=False,  # openpyxl's name is inverted: False shows the arrow
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle=f"{column.header}: not in the list"[:32],  # Excel's limit; longer needs repair
        error=f"The tool understands {listed}. Keep this value anyway?",
        showInputMessage=False,
    )
    validation.add(cells)
    ws.add_data_validation(validation)


def _add_chart(ws: Worksheet, content: SheetContent) -> None:
    spec = content.chart or {}
    chart = LineChart() if spec.get("type") == "line" else BarChart()
    chart.title = spec.get("title")
    first, last, cat_col = spec["categories"]
    for header_row_number, col in spec.get("series", []):
        data = Reference(ws, min_col=col, min_row=header_row_number, max_row=last)
        chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=cat_col, min_row=first, max_row=last))
    row, col = spec.get("anchor", (1, 1))
    ws.add_chart(chart, f"{get_column_letter(col)}{row}")
