"""A native Excel chart for a tool sheet: the drawing part, the chart part, their XML.

Written by hand to the DrawingML chart schema (c:chartSpace with a bar or line chart, and
optionally a second one on its own value axis), the minimal form Excel and LibreOffice open without repair.
"""

from __future__ import annotations

from typing import Any

from sheets_sync.a1 import col_letters
from sheets_sync.backends.excel.cells import escape_attr, escape_text

NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
REL_DRAWING = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
REL_CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
WIDTH_COLS, HEIGHT_ROWS = 9, 16


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _ref(sheet: str, col: int, r1: int, r2: int | None = None) -> str:
    letter = col_letters(col)
    ref = f"{_quote(sheet)}!${letter}${r1}"
    return ref + (f":${letter}${r2}" if r2 is not None else "")


def drawing_xml(spec: dict[str, Any]) -> bytes:
    """The drawing part anchoring one chart (relationship rId1) at ``spec["anchor"]``."""
    row, col = spec.get("anchor", (1, 1))
    r0, c0 = row - 1, col - 1
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<xdr:wsDr xmlns:xdr="{NS_XDR}" xmlns:a="{NS_A}">'
        '<xdr:twoCellAnchor editAs="oneCell">'
        f"<xdr:from><xdr:col>{c0}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{r0}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        f"<xdr:to><xdr:col>{c0 + WIDTH_COLS}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{r0 + HEIGHT_ROWS}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
        '<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="2" name="Chart 1"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>'
        '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
        f'<a:graphic><a:graphicData uri="{NS_C}"><c:chart xmlns:c="{NS_C}" xmlns:r="{NS_R}" r:id="rId1"/></a:graphicData></a:graphic>'
        "</xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>"
    ).encode()


def drawing_rels(chart_target: str) -> bytes:
    """The drawing's relationships: rId1 -> the chart part (relative target)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL_CHART}" Target="{escape_attr(chart_target)}"/></Relationships>'
    ).encode()


def _series(sheet: str, kind: str, refs: list[tuple[int, int]], rows: list[list[Any]],
            categories: tuple[int, int, int], first_index: int) -> str:
    first, last, cat_col = categories
    out = []
    for index, (header_row, col) in enumerate(refs, start=first_index):
        name = rows[header_row - 1][col - 1] if header_row - 1 < len(rows) and col - 1 < len(rows[header_row - 1]) else ""
        out.append(
            f'<c:ser><c:idx val="{index}"/><c:order val="{index}"/>'
            f"<c:tx><c:strRef><c:f>{escape_text(_ref(sheet, col, header_row))}</c:f>"
            f'<c:strCache><c:ptCount val="1"/><c:pt idx="0"><c:v>{escape_text(str(name or ""))}</c:v></c:pt></c:strCache></c:strRef></c:tx>'
            + ('<c:marker><c:symbol val="none"/></c:marker>' if kind == "line" else '<c:invertIfNegative val="0"/>')
            + f"<c:cat><c:strRef><c:f>{escape_text(_ref(sheet, cat_col, first, last))}</c:f></c:strRef></c:cat>"
            f"<c:val><c:numRef><c:f>{escape_text(_ref(sheet, col, first, last))}</c:f></c:numRef></c:val>"
            + ('<c:smooth val="0"/>' if kind == "line" else "")
            + "</c:ser>"
        )
    return "".join(out)


def _plot(kind: str, series: str, cat_ax: int, val_ax: int) -> str:
    axes = f'<c:axId val="{cat_ax}"/><c:axId val="{val_ax}"/>'
    if kind == "bar":
        return ('<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
                f'{series}<c:gapWidth val="150"/>{axes}</c:barChart>')
    return f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>{series}<c:marker val="1"/>{axes}</c:lineChart>'


def _axis_title(text: str) -> str:
    return (f"<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>{escape_text(text)}</a:t></a:r></a:p></c:rich></c:tx>"
            '<c:overlay val="0"/></c:title>' if text else "")


def _axes(cat_ax: int, val_ax: int, secondary: bool, title: str) -> str:
    """A category axis and its value axis: at the bottom and left, or (``secondary``) a
    hidden category axis and a value axis on the right, crossing at the maximum."""
    return (
        f'<c:catAx><c:axId val="{cat_ax}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="{1 if secondary else 0}"/>'
        '<c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="1"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{val_ax}"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/></c:catAx>'
        f'<c:valAx><c:axId val="{val_ax}"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{"r" if secondary else "l"}"/>{"" if secondary else "<c:majorGridlines/>"}{_axis_title(title)}'
        '<c:numFmt formatCode="General" sourceLinked="1"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{cat_ax}"/><c:crosses val="{"max" if secondary else "autoZero"}"/><c:crossBetween val="between"/></c:valAx>'
    )


def chart_xml(sheet: str, spec: dict[str, Any], rows: list[list[Any]]) -> bytes:
    """The chart part for ``spec`` (see SheetContent.chart) over the sheet's cells: one bar
    or line chart, and with ``spec["secondary"]`` a second one over the same categories
    on a value axis of its own, at the right (small counts beside big ones stay visible)."""
    kind = "line" if spec.get("type") == "line" else "bar"
    categories = spec["categories"]
    primary = list(spec.get("series", []))
    plot = _plot(kind, _series(sheet, kind, primary, rows, categories, 0), 500000001, 500000002)
    axes = _axes(500000001, 500000002, False, str(spec.get("axis_title") or ""))
    second = spec.get("secondary")
    if second:
        kind2 = "line" if second.get("type") == "line" else "bar"
        plot += _plot(kind2, _series(sheet, kind2, list(second["series"]), rows, categories, len(primary)),
                      500000003, 500000004)
        axes += _axes(500000003, 500000004, True, str(second.get("axis_title") or ""))
    title = escape_text(str(spec.get("title") or ""))
    title_xml = (
        f'<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>{title}</a:t></a:r></a:p></c:rich></c:tx>'
        '<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>' if title else '<c:autoTitleDeleted val="1"/>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{NS_C}" xmlns:a="{NS_A}" xmlns:r="{NS_R}">'
        '<c:roundedCorners val="0"/>'
        f"<c:chart>{title_xml}<c:plotArea><c:layout/>{plot}{axes}</c:plotArea>"
        '<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        "</c:chartSpace>"
    ).encode()
