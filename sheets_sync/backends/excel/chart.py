"""A native Excel chart for a tool sheet: the drawing part, the chart part, their XML.

Written by hand to the DrawingML chart schema (c:chartSpace with one bar or line chart),
the minimal form Excel and LibreOffice open without repair.
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


def chart_xml(sheet: str, spec: dict[str, Any], rows: list[list[Any]]) -> bytes:
    """The chart part for ``spec`` (see SheetContent.chart) over the sheet's cells."""
    kind = "line" if spec.get("type") == "line" else "bar"
    first, last, cat_col = spec["categories"]
    series = []
    for index, (header_row, col) in enumerate(spec.get("series", [])):
        name = rows[header_row - 1][col - 1] if header_row - 1 < len(rows) and col - 1 < len(rows[header_row - 1]) else ""
        series.append(
            f'<c:ser><c:idx val="{index}"/><c:order val="{index}"/>'
            f"<c:tx><c:strRef><c:f>{escape_text(_ref(sheet, col, header_row))}</c:f>"
            f'<c:strCache><c:ptCount val="1"/><c:pt idx="0"><c:v>{escape_text(str(name or ""))}</c:v></c:pt></c:strCache></c:strRef></c:tx>'
            + ('<c:marker><c:symbol val="none"/></c:marker>' if kind == "line" else '<c:invertIfNegative val="0"/>')
            + f"<c:cat><c:strRef><c:f>{escape_text(_ref(sheet, cat_col, first, last))}</c:f></c:strRef></c:cat>"
            f"<c:val><c:numRef><c:f>{escape_text(_ref(sheet, col, first, last))}</c:f></c:numRef></c:val>"
            + ('<c:smooth val="0"/>' if kind == "line" else "")
            + "</c:ser>"
        )
    title = escape_text(str(spec.get("title") or ""))
    title_xml = (
        f'<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>{title}</a:t></a:r></a:p></c:rich></c:tx>'
        '<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>' if title else '<c:autoTitleDeleted val="1"/>')
    if kind == "bar":
        plot = ('<c:barChart><c:barDir val="col"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
                + "".join(series) + '<c:gapWidth val="150"/><c:axId val="500000001"/><c:axId val="500000002"/></c:barChart>')
    else:
        plot = ('<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>' + "".join(series)
                + '<c:marker val="1"/><c:axId val="500000001"/><c:axId val="500000002"/></c:lineChart>')
    axes = (
        '<c:catAx><c:axId val="500000001"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="b"/><c:numFmt formatCode="General" sourceLinked="1"/><c:tickLblPos val="nextTo"/>'
        '<c:crossAx val="500000002"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/></c:catAx>'
        '<c:valAx><c:axId val="500000002"/><c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        '<c:axPos val="l"/><c:majorGridlines/><c:numFmt formatCode="General" sourceLinked="1"/><c:tickLblPos val="nextTo"/>'
        '<c:crossAx val="500000001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{NS_C}" xmlns:a="{NS_A}" xmlns:r="{NS_R}">'
        '<c:roundedCorners val="0"/>'
        f"<c:chart>{title_xml}<c:plotArea><c:layout/>{plot}{axes}</c:plotArea>"
        '<c:legend><c:legendPos val="r"/><c:overlay val="0"/></c:legend><c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart>'
        "</c:chartSpace>"
    ).encode()
