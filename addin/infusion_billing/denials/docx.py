"""A minimal Word (.docx) writer: a title, paragraphs and a checklist, nothing else.

A .docx file is a zip of a few XML parts (ECMA-376 / ISO/IEC 29500 WordprocessingML) [S104]: the
content types, the package relationships, and ``word/document.xml`` holding the body. An appeal
letter needs only a heading, plain paragraphs and list items, so the package writes those parts
itself with the standard library: no compiled dependency (python-docx needs lxml, and lxml installed
beside openpyxl changes how every workbook is parsed), so it runs the same in xlwings Lite.

Text is escaped for XML and stripped of the characters XML 1.0 forbids; the file is written to a
temporary name and renamed when complete.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>')
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>')
#: Letter page: US Letter, one-inch margins (twentieths of a point).
_PAGE = ('<w:sectPr><w:pgSz w:w="12240" w:h="15840"/>'
         '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="720" w:footer="720" '
         'w:gutter="0"/></w:sectPr>')


def _run(text: str, *, bold: bool = False, size: int = 22) -> str:
    props = f"<w:rPr>{'<w:b/>' if bold else ''}<w:sz w:val=\"{size}\"/></w:rPr>"
    return f'<w:r>{props}<w:t xml:space="preserve">{escape(_FORBIDDEN.sub("", text))}</w:t></w:r>'


def paragraph(text: str, *, kind: str = "paragraph") -> str:
    """One ``<w:p>``: a title (bold, larger), a checklist item (indented, a box before it) or plain."""
    if kind == "title":
        return f'<w:p><w:pPr><w:spacing w:after="240"/></w:pPr>{_run(text, bold=True, size=28)}</w:p>'
    if kind == "item":
        return (f'<w:p><w:pPr><w:spacing w:after="60"/><w:ind w:left="720" w:hanging="360"/></w:pPr>'
                f'{_run(chr(0x2610) + " " + text)}</w:p>')
    return f'<w:p><w:pPr><w:spacing w:after="160"/></w:pPr>{_run(text)}</w:p>'


def write_document(path: Path, paragraphs: list[tuple[str, str]]) -> Path:
    """Write ``(kind, text)`` paragraphs as a .docx at ``path`` (atomically)."""
    body = "".join(paragraph(text, kind=kind) for kind, text in paragraphs)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:document xmlns:w="{W}"><w:body>{body}{_PAGE}</w:body></w:document>')
    tmp = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _PACKAGE_RELS)
        z.writestr("word/document.xml", document)
    tmp.replace(path)
    return path


def read_text(path: Path) -> list[str]:
    """The text of each paragraph of a .docx (any writer's), for checks and tests."""
    import xml.etree.ElementTree as ET  # noqa: PLC0415, S405 - reads our own files; only tests call it

    root = ET.fromstring(zipfile.ZipFile(path).read("word/document.xml"))  # noqa: S314 - our own output
    ns = {"w": W}
    return ["".join(t.text or "" for t in p.iterfind(".//w:t", ns)) for p in root.iterfind(".//w:p", ns)]
