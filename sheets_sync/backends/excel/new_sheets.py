"""New worksheets written as XML: template sheets for ``init --into`` and tool sheets (Stats).

Template sheets get the same formatting as a workbook made by ``init`` (excel_create): a
bold header row frozen in place with a filter, tool columns' headers in grey and staff
columns' in pale blue, yyyy-mm-dd on date columns, #,##0.00 on amounts, dropdowns (list
validations) on choice columns, column widths. The styles they need are appended to
styles.xml (``Styles``); nothing existing there changes.
"""

from __future__ import annotations

import datetime as dt
import re

from sheets_sync.a1 import col_letters
from sheets_sync.backends.excel.cells import cell_xml, escape_attr, escape_text
from sheets_sync.backends.excel.sheet import SheetStyle, range_text
from sheets_sync.backends.excel.styles import ISO_DATE, Styles
from sheets_sync.model.headers import header_row
from sheets_sync.model.layout import TABLES, Column
from sheets_sync.workbook import CellValue, SheetContent

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
FORMAT_ROWS = 5000  # as excel_create: dropdowns and formats reach this row
AMOUNT_FORMAT_ID = 4  # built-in "#,##0.00"
STAFF_FILL, TOOL_FILL, BORDER_GREY = "FFDDEBF7", "FFD9D9D9", "FF808080"
_TABLES = {t.name: t for t in TABLES}


class TemplateStyles:
    """The handful of cell styles template sheets use, appended to styles.xml on first use."""

    def __init__(self, styles: Styles) -> None:
        self.styles = styles
        self._made: dict[str, int] = {}

    def get(self, name: str) -> int:
        """Style index for header_staff, header_tool, title, date, amount or wrap."""
        if name in self._made:
            return self._made[name]
        self.styles.ensure_base()  # a part lacking fonts gets its default font 0 first: ours copy it
        s, p = self.styles, self.styles.prefix
        if name in ("header_staff", "header_tool"):
            font = self._font(bold=True)
            fill = s.add_fill(f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="'
                              f'{STAFF_FILL if name == "header_staff" else TOOL_FILL}"/><{p}bgColor indexed="64"/>'
                              f"</{p}patternFill></{p}fill>")
            border = self._border()
            index = s.add_xf(font=font, fill=fill, border=border, alignment='vertical="center" wrapText="1"')
        elif name == "title":
            index = s.add_xf(font=self._font(bold=True, size=14))
        elif name == "date":
            index = s.add_xf(num_fmt=s.format_id(ISO_DATE))
        elif name == "amount":
            index = s.add_xf(num_fmt=AMOUNT_FORMAT_ID)
        else:
            index = s.add_xf(alignment='vertical="top" wrapText="1"')
        self._made[name] = index
        return index

    def _font(self, bold: bool, size: float | None = None) -> int:
        key = f"font{bold}{size}"
        if key in self._made:
            return self._made[key]
        p = self.styles.prefix
        m = re.search(rb"<" + re.escape(p.encode()) + rb"fonts\b[^>]*>\s*(<" + re.escape(p.encode())
                      + rb"font\b(?:[^>]*/>|.*?</" + re.escape(p.encode()) + rb"font>))", self.styles.data, re.S)
        base = m.group(1).decode() if m else f"<{p}font/>"
        if base.endswith("/>"):
            base = base[:-2] + f"></{p}font>"
        inner_start = base.index(">") + 1
        inner = base[inner_start:base.rindex("</")]
        inner = re.sub(rf"<{re.escape(p)}b\b[^>]*/>", "", inner)
        if size is not None:
            inner = re.sub(rf"<{re.escape(p)}sz\b[^>]*/>", "", inner)
            inner = f'<{p}sz val="{size:g}"/>' + inner
        font = f"{base[:inner_start]}{f'<{p}b/>' if bold else ''}{inner}</{p}font>"
        index = self.styles.add_font(font)
        self._made[key] = index
        return index

    def _border(self) -> int:
        if "border" not in self._made:
            p = self.styles.prefix
            self._made["border"] = self.styles.add_border(
                f'<{p}border><{p}left/><{p}right/><{p}top/><{p}bottom style="thin"><{p}color rgb="{BORDER_GREY}"/>'
                f"</{p}bottom><{p}diagonal/></{p}border>")
        return self._made["border"]


def rows_xml(rows: list[list[CellValue]], style: SheetStyle, prefix: str = "",
             styles_by_cell: dict[tuple[int, int], int | None] | None = None) -> tuple[bytes, int, int]:
    """<row> elements for ``rows`` (row 1 first); returns them, the last row and column."""
    out = []
    last_row = last_col = 0
    for r, values in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(values, start=1):
            base = (styles_by_cell or {}).get((r, c))
            if (value is None or value == "") and base is None:
                continue
            cells.append(cell_xml(prefix, c, r, None if value == "" else value, base, style.date_system, style.date_style))
            last_col = max(last_col, c)
        if cells:
            out.append(f'<{prefix}row r="{r}">{"".join(cells)}</{prefix}row>')
            last_row = r
    return "".join(out).encode(), last_row, last_col


def format_styles(content: SheetContent, styles: Styles) -> dict[tuple[int, int], int | None]:
    """The cell style for each cell of ``content.formats`` (one style per format code)."""
    by_code = {code: styles.number_style(code) for code in set(content.formats.values())}
    return {cell: by_code[code] for cell, code in content.formats.items()}


def new_sheet_xml(content: SheetContent, style: SheetStyle, template: TemplateStyles | None,
                  drawing_rid: str | None, formatted: dict[tuple[int, int], int | None] | None = None) -> bytes:
    """A complete worksheet part for ``content``; ``formatted`` gives the styles of the
    cells of ``content.formats`` (``format_styles``)."""
    table = _TABLES.get(content.table or "") if template is not None else None
    top, found = header_row(content.rows, table) if table else (0, {})
    cell_styles: dict[tuple[int, int], int | None] = dict(formatted or {})
    cols_xml = validations = auto_filter = pane = ""
    if content.widths and table is None:
        cols_xml = "<cols>" + "".join(f'<col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>'
                                      for c, w in sorted(content.widths.items())) + "</cols>"
    if table is not None and template is not None and found:
        by_index = {index + 1: table.column(field) for field, index in found.items()}
        last_col = max(len(content.rows[top - 1]), 1)
        last_row = max(top, len(content.rows))
        for r in range(1, top):
            if content.rows[r - 1] and isinstance(content.rows[r - 1][0], str):
                cell_styles[(r, 1)] = template.get("title")
        col_entries, dv = [], []
        for c in range(1, last_col + 1):
            column = by_index.get(c)
            cell_styles[(top, c)] = template.get("header_tool" if column is not None and column.tool else "header_staff")
            if column is None:
                continue
            body_style = _body_style(column, table.name, template)
            for r in range(top + 1, len(content.rows) + 1):
                value = content.rows[r - 1][c - 1] if c - 1 < len(content.rows[r - 1]) else None
                if body_style is not None and value not in (None, "") and not (
                        column.kind != "date" and isinstance(value, (dt.date, dt.datetime))):
                    cell_styles[(r, c)] = body_style
            style_attr = f' style="{body_style}"' if body_style is not None else ""
            col_entries.append(f'<col min="{c}" max="{c}" width="{column.width + 0.7:g}"{style_attr} customWidth="1"/>')
            if column.choices:
                dv.append(_dropdown(column, f"{col_letters(c)}{top + 1}:{col_letters(c)}{FORMAT_ROWS}"))
        cols_xml = f"<cols>{''.join(col_entries)}</cols>" if col_entries else ""
        validations = f'<dataValidations count="{len(dv)}">{"".join(dv)}</dataValidations>' if dv else ""
        auto_filter = f'<autoFilter ref="{range_text(top, 1, last_row, last_col)}"/>'
        pane = (f'<pane ySplit="{top}" topLeftCell="A{top + 1}" activePane="bottomLeft" state="frozen"/>'
                f'<selection pane="bottomLeft" activeCell="A{top + 1}" sqref="A{top + 1}"/>')
    body, last_row, last_col = rows_xml(content.rows, style, "", cell_styles)
    drawing = f'<drawing r:id="{drawing_rid}"/>' if drawing_rid else ""
    # Printed landscape, one page wide and as many tall as it takes: the table and the chart beside it.
    sheet_pr = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if content.fit_width else ""
    page_setup = '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>' if content.fit_width else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_R}">{sheet_pr}'
        f'<dimension ref="{range_text(1, 1, max(last_row, 1), max(last_col, 1))}"/>'
        f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"{cols_xml}<sheetData>{body.decode()}</sheetData>{auto_filter}{validations}"
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        f"{page_setup}{drawing}</worksheet>"
    ).encode()


def _body_style(column: Column, table: str, template: TemplateStyles) -> int | None:
    if column.kind == "date":
        return template.get("date")
    if column.kind == "number":
        return template.get("amount")
    if table == "settings" and column.field == "notes":
        return template.get("wrap")
    return None


def _dropdown(column: Column, sqref: str) -> str:
    listed = ", ".join(column.choices)
    # A warning, not a stop, as in excel_create: the tool also reads aliases, and a person's word wins.
    return (
        f'<dataValidation type="list" errorStyle="warning" allowBlank="1" showErrorMessage="1" '
        f'errorTitle="{escape_attr(f"{column.header}: not in the list"[:32])}" '
        f'error="{escape_attr(f"The tool understands {listed}. Keep this value anyway?")}" sqref="{sqref}">'
        f'<formula1>{escape_text(chr(34) + ",".join(column.choices) + chr(34))}</formula1></dataValidation>'
    )
