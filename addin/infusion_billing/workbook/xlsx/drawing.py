"""Charts on a tool sheet: the DrawingML parts that place native Excel charts over the sheet's cells.

A chart in an .xlsx is three parts: the chart itself (``xl/charts/chartN.xml``, a DrawingML
``chartSpace`` whose series name cell ranges of the sheet), a drawing (``xl/drawings/drawingN.xml``)
that anchors each chart between two cells, and the relationships that tie sheet -> drawing -> charts
[S112]. :class:`SheetChart` is one chart and where it goes; :func:`drawing_xml` and
:func:`drawing_rels_xml` write the drawing for a sheet's charts. Excel and LibreOffice both read
charts written this way, and recompute them from the cells when they open the file.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from .ooxml import attr_xml

NS_DRAWING = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_DRAWING = NS_R + "/drawing"
REL_CHART = NS_R + "/chart"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(frozen=True)
class SheetChart:
    """One chart: its ``chartSpace`` XML and the cells it covers (0-based column and row of its
    top-left and bottom-right corners), with a name shown in Excel's selection pane."""

    xml: bytes
    anchor: tuple[int, int, int, int]
    name: str = "Chart"


def drawing_xml(charts: Sequence[SheetChart]) -> bytes:
    """The drawing part: one two-cell anchor per chart, chart ``i`` behind relationship ``rId{i+1}``."""
    anchors = []
    for i, chart in enumerate(charts, start=1):
        c0, r0, c1, r1 = chart.anchor
        anchors.append(
            f'<xdr:twoCellAnchor editAs="oneCell"><xdr:from><xdr:col>{c0}</xdr:col><xdr:colOff>0</xdr:colOff>'
            f'<xdr:row>{r0}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>{c1}</xdr:col>'
            f'<xdr:colOff>0</xdr:colOff><xdr:row>{r1}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>'
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{i + 1}" '
            f'name="{attr_xml(chart.name)}"/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>'
            '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
            f'<a:graphic><a:graphicData uri="{NS_CHART}"><c:chart xmlns:c="{NS_CHART}" r:id="rId{i}"/>'
            '</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>')
    return (f'{_DECLARATION}<xdr:wsDr xmlns:xdr="{NS_DRAWING}" xmlns:a="{NS_A}" xmlns:r="{NS_R}">'
            + "".join(anchors) + "</xdr:wsDr>").encode()


def drawing_rels_xml(drawing_part: str, chart_parts: Sequence[str]) -> bytes:
    """The drawing's relationships: ``rId{i}`` -> the i-th chart part, as a path relative to the drawing."""
    here = posixpath.dirname(drawing_part)
    rels = "".join(f'<Relationship Id="rId{i}" Type="{REL_CHART}" '
                   f'Target="{attr_xml(posixpath.relpath(part, here))}"/>' for i, part in enumerate(chart_parts, 1))
    return f'{_DECLARATION}<Relationships xmlns="{NS_PKG_REL}">{rels}</Relationships>'.encode()
