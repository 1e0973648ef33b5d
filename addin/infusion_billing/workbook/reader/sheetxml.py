"""A table's cells read straight from its sheet's XML, a few megabytes at a time.

A clinic-year's Administrations sheet is 300 MB of XML. A cell library (python-calamine) builds the
whole sheet as its own cells first and then hands over a second copy as Python values: 1 GB at the
peak for 360,000 rows. Here the sheet part is unpacked a chunk at a time and each cell becomes its
Python value as it is met, with equal cells sharing one value (a month repeats the same routes,
drugs, doses and clock times thousands of times), so the raw grid the typed read walks is the only
copy and costs about a tenth. The cells holding a formula are noted in the same pass.

The values are exactly the cell library's: numbers as float, a number with a date format as a
``date``, ``time`` or ``datetime`` (1900 date system, Excel's phantom 29 February 1900 included), a
``[h]:mm`` duration as ``timedelta``, TRUE/FALSE as bool, shared and inline strings (rich text
joined, phonetic guides left out), an error such as ``#N/A`` or a formula with no stored value as
blank (""). An Excel Table gives its header and every row of its range, a sheet every row from A1
to its last filled cell, merged ranges with it. Anything this reader does not take apart for
certain (a date format it cannot classify, the 1904 date system, ``_x000D_`` escapes, a namespace
prefix, a cell written another way) raises :class:`Unsupported`, and the caller reads that table
with the cell library as before: the result is the same either way, only the memory differs.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import posixpath
import re
import zipfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .book import Grid


class Unsupported(Exception):
    """Sheet XML this reader does not take apart for certain: read the table with the cell library."""


#: The sheet XML cut at each cell (its column letters kept) and each row's end: a flat list of
#: (letters, rest of the cell) pairs, None for a row's end followed by the next row's tag.
_SPLIT = re.compile(rb'<c r="([A-Z]{1,3})[0-9]+"|</row>')
#: A cell element the split does not cut at (``<c s="1" r="A1">``, ``<c>``): the sheet is refused.
#: Other tags starting ``<c`` (cols, color, charset, cfRule, customSheetView, cellWatch) are not cells.
_OTHER_CELL = re.compile(rb'<c(?! r="[A-Z]{1,3}[0-9]+"|[ohfue])')
#: A cell holding a formula (with or without a stored value).
FORMULA_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[^>]*?(?<!/)><f[ >/]')
_ATTR = re.compile(rb'([A-Za-z:]+)="([^"]*)"')
_TEXT = re.compile(rb"<t((?: [^>]*)?)>([^<]*)</t>|<t(?: [^>]*)?/>")
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.DOTALL)
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)"')
_SHEET = re.compile(rb"<sheet\b([^>]*)/?>")
_REL = re.compile(rb"<Relationship\b([^>]*)/?>")
_TABLE_PART = re.compile(rb"<tablePart\b([^>]*)/?>")
_TABLE = re.compile(rb"<table\b([^>]*)>")
_TABLE_COLUMN = re.compile(rb"<tableColumn\b([^>]*?)/?>")
_XF = re.compile(rb"<xf\b([^>]*?)/?>")
_NUM_FMT = re.compile(rb"<numFmt\b([^>]*?)/?>")
_CELL_XFS = re.compile(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.DOTALL)
_SHARED_ITEM = re.compile(rb"<si>(.*?)</si>|<si/>", re.DOTALL)
_REF = re.compile(r"([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)")
_CHUNK = 1 << 22
#: Bytes read without meeting a row's end before the sheet is refused (a row of 16,384 full cells
#: fits many times over).
_LONGEST_ROW = 1 << 28
#: Distinct cells remembered at most (an ID column brings a new one on every row): past this the
#: memory starts again, and the values met often are remembered again at once.
_SHARE_LIMIT = 200_000

#: Built-in number formats the cell library reads as dates or times (ECMA-376 18.8.30), and [h]:mm:ss.
_BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47})
_BUILTIN_DURATION = 46
_NUMBER = 0
_DATE = 1
_DURATION = 2
_EPOCH = dt.datetime(1899, 12, 31)
_MS_PER_DAY = 86_400_000


def _attrs(raw: bytes) -> dict[bytes, str]:
    return {k: html.unescape(v.decode()) for k, v in _ATTR.findall(raw)}


def col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _format_kind(code: str) -> int:
    """How the cell library reads a number in custom format ``code``: a number, a date or a duration.

    Its reading, step by step: quoted text and escaped characters say nothing; only the first section
    (before ``;``) counts; ``[h]``, ``[mm]``, ``[ss]`` make a duration; any other d, m, h, y or s outside
    brackets makes a date, as does ``a`` followed by p, m or / (AM/PM, A/P).
    """
    escaped = quoted = after_a = elapsed = False
    brackets = 0
    previous = " "
    for ch in code:
        if escaped:
            escaped = False
        elif ch in "_\\":
            escaped = True
        elif quoted:
            quoted = ch != '"'
        elif ch == '"':
            quoted = True
        elif ch == ";":
            return _NUMBER
        elif ch == "[":
            brackets += 1
        elif ch == "]" and brackets == 1 and elapsed:
            return _DURATION
        elif ch == "]":
            brackets = max(brackets - 1, 0)
        elif brackets == 0 and not after_a and ch in "aA":
            after_a = True
        elif brackets == 0 and after_a and ch in "pm/PM":
            return _DATE
        elif brackets == 0 and not after_a and ch in "dmhysDMHYS":
            return _DATE
        elif not (elapsed and ch.lower() == previous.lower()):
            elapsed = previous == "[" and ch in "mhsMHS"
        previous = ch
    return _NUMBER


@dataclass
class TablePart:
    """An Excel Table as its part declares it: name, sheet, range and column names."""

    name: str
    sheet: str
    top: int
    left: int
    bottom: int
    right: int
    columns: list[str]


@dataclass
class Package:
    """What a workbook's parts say about where cells are and how to read them (no cell read yet)."""

    sheets: dict[str, str]  # sheet name -> part
    tables: dict[str, TablePart]
    kinds: list[int]  # per cell style (xf): number, date or duration
    shared_part: str | None = None
    _shared: list[str] | None = field(default=None, repr=False)

    def shared(self, z: zipfile.ZipFile) -> list[str]:
        """The shared strings table, read the first time a cell needs it."""
        if self._shared is None:
            self._shared = _shared_strings(z, self.shared_part) if self.shared_part else []
        return self._shared


def open_package(z: zipfile.ZipFile) -> Package:
    """The sheets, Tables, styles and shared strings part of an open workbook zip."""
    wb_xml = z.read("xl/workbook.xml")
    if b"<sheets" not in wb_xml or b"<sheetData" in wb_xml:
        raise Unsupported("workbook part")
    pr = re.search(rb"<workbookPr\b([^>]*)", wb_xml)
    if pr and _attrs(pr.group(1)).get(b"date1904", "0").lower() in ("1", "true"):
        raise Unsupported("1904 date system")
    rels = _relations(z, "xl/workbook.xml")
    sheets: dict[str, str] = {}
    for raw in _SHEET.findall(wb_xml):
        a = _attrs(raw)
        kind, target = rels.get(a.get(b"r:id", ""), ("", ""))
        if kind.endswith("/worksheet"):
            sheets[a.get(b"name", "")] = target
    shared = next((target for kind, target in rels.values() if kind.endswith("/sharedStrings")), None)
    tables: dict[str, TablePart] = {}
    for sheet, part in sheets.items():
        for kind, target in _relations(z, part).values():
            if kind.endswith("/table"):
                table = _table_part(z, target, sheet)
                tables.setdefault(table.name, table)
    style_part = next((target for kind, target in rels.values() if kind.endswith("/styles")), None)
    kinds = _style_kinds(z.read(style_part)) if style_part and style_part in z.NameToInfo else []
    return Package(sheets, tables, kinds, shared_part=shared)


def _relations(z: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: Id -> (type, target part)."""
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", name + ".rels")
    if rels_part not in z.NameToInfo:
        return {}
    out = {}
    for raw in _REL.findall(z.read(rels_part)):
        a = _attrs(raw)
        if a.get(b"TargetMode", "") == "External":
            continue
        target = a.get(b"Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[a.get(b"Id", "")] = (a.get(b"Type", ""), path)
    return out


def _table_part(z: zipfile.ZipFile, part: str, sheet: str) -> TablePart:
    xml = z.read(part)
    head = _TABLE.search(xml)
    if head is None:
        raise Unsupported("table part")
    a = _attrs(head.group(1))
    if a.get(b"headerRowCount", "1") != "1" or a.get(b"totalsRowCount", "0") != "0":
        raise Unsupported("table without one header row or with a totals row")
    ref = _REF.fullmatch(a.get(b"ref", ""))
    if ref is None:
        raise Unsupported("table range")
    columns = [_attrs(raw).get(b"name", "") for raw in _TABLE_COLUMN.findall(xml)]
    if any("_x" in c for c in columns):
        raise Unsupported("escaped column name")
    c0, r0, c1, r1 = (col_number(ref[1]), int(ref[2]), col_number(ref[3]), int(ref[4]))
    return TablePart(a.get(b"displayName") or a.get(b"name", ""), sheet, r0, c0, r1, c1, columns)


def _style_kinds(xml: bytes) -> list[int]:
    formats = {}
    for raw in _NUM_FMT.findall(xml):
        a = _attrs(raw)
        formats[int(a.get(b"numFmtId", "0"))] = a.get(b"formatCode", "")
    xfs = _CELL_XFS.search(xml)
    kinds = []
    for raw in _XF.findall(xfs.group(1) if xfs else b""):
        fmt = int(_attrs(raw).get(b"numFmtId", "0"))
        if fmt in formats:
            kinds.append(_format_kind(formats[fmt]))
        elif fmt in _BUILTIN_DATES:
            kinds.append(_DATE)
        elif fmt == _BUILTIN_DURATION:
            kinds.append(_DURATION)
        else:
            kinds.append(_NUMBER)
    return kinds


def _shared_strings(z: zipfile.ZipFile, part: str) -> list[str]:
    if part not in z.NameToInfo:
        return []
    return [_text(m.group(1) or b"") for m in _SHARED_ITEM.finditer(z.read(part))]


def _text(inner: bytes) -> str:
    """The text of a shared or inline string: its runs joined, phonetic guides left out."""
    if b"<rPh" in inner:
        inner = _PHONETIC.sub(b"", inner)
    # Like the cell library, a run's text is trimmed unless it says xml:space="preserve".
    parts = [text if b"preserve" in attrs else text.strip(b" \t\r\n") for attrs, text in _TEXT.findall(inner)]
    raw = parts[0] if len(parts) == 1 else b"".join(parts)
    if b"_x" in raw or b"\r" in raw:
        raise Unsupported("escaped characters in text")
    text = raw.decode()
    return html.unescape(text) if "&" in text else text


def _serial(value: float, kind: int) -> Any:
    """A date-formatted number as the cell library gives it (1900 system, milliseconds rounded)."""
    if value < 0 or value >= 2_958_466:
        raise Unsupported("date out of range")
    if kind == _DURATION:
        return dt.timedelta(milliseconds=math.floor(value * _MS_PER_DAY + 0.5))
    days = value - 1 if value >= 60 else value  # Excel's phantom 29 February 1900
    moment = _EPOCH + dt.timedelta(milliseconds=math.floor(days * _MS_PER_DAY + 0.5))
    if value < 1:
        return moment.time()
    if moment.hour == moment.minute == moment.second == moment.microsecond == 0:
        return moment.date()
    return moment


class _CellValues(dict):
    """A cell's XML after its reference (attributes and content) -> its Python value.

    A dict of the cells met so far, so equal cells share one value and cost one conversion, and
    looking a cell up is one C call (``values[rest]``); a cell not met yet is converted by
    :meth:`__missing__`. The text after a ``</row>`` (the next row's tag) gives None.
    """

    def __init__(self, package: Package, z: zipfile.ZipFile):
        super().__init__()
        self.package, self.zip = package, z
        self.by_attrs: dict[bytes, tuple[bytes, int]] = {}

    def __missing__(self, rest: bytes) -> Any:
        start = rest[:1]
        if start == b"<" or not rest:
            return None  # a row's tag (or the sheet's end), not a cell
        if start not in (b" ", b">", b"/"):
            raise Unsupported("cell element")
        close = rest.find(b">")
        head = rest[:close]
        # The common inline string, one run of plain text (kept as written, or trimmed as the cell
        # library trims a run without xml:space="preserve"): no conversion machinery.
        plain = rest.startswith(b"<is><t>", close + 1)
        kept = not plain and rest.startswith(b'<is><t xml:space="preserve">', close + 1)
        text = rest[close + (8 if plain else 29):-13]
        if (plain or kept) and rest.endswith(b"</t></is></c>") and b"<" not in text and b"&" not in text \
                and b"_x" not in text and b"\r" not in text and self.kind(head)[0] == b"inlineStr":
            value: Any = (text.strip(b" \t\n") if plain else text).decode()
        elif head.endswith(b"/"):
            value = ""
        else:
            if not rest.endswith(b"</c>"):
                raise Unsupported("cell element")
            value = self.value(head, rest[close + 1:-4])
        if len(self) >= _SHARE_LIMIT:
            self.clear()  # an ID column fills it with values met once: start again, the common ones come back
        self[rest] = value
        return value

    def kind(self, head: bytes) -> tuple[bytes, int]:
        """A cell's type (``n``, ``s``, ``inlineStr`` ...) and its style's reading of numbers, from its attributes."""
        found = self.by_attrs.get(head)
        if found is None:
            a = dict(_ATTR.findall(head))
            style = int(a.get(b"s", b"0"))
            kinds = self.package.kinds
            found = self.by_attrs[head] = (a.get(b"t", b"n"), kinds[style] if style < len(kinds) else _NUMBER)
        return found

    def value(self, head: bytes, inner: bytes) -> Any:
        cell_type, kind = self.kind(head)
        if cell_type == b"inlineStr":
            start = inner.find(b"<is>")
            if start < 0:
                raise Unsupported("inline string")
            return _text(inner[start + 4:inner.rfind(b"</is>")])
        start = inner.find(b"<v>")
        if start < 0:
            if b"<v" in inner.replace(b"<v/>", b"").replace(b"<v />", b""):
                raise Unsupported("value element")
            return ""
        raw = inner[start + 3:inner.find(b"</v>", start)]
        if cell_type == b"n":
            if not raw:
                return ""
            number = float(raw)
            return number if kind == _NUMBER else _serial(number, kind)
        if cell_type == b"s":
            return self.package.shared(self.zip)[int(raw)]
        if cell_type == b"str":
            return _text(b"<t xml:space=\"preserve\">" + raw + b"</t>")
        if cell_type == b"b":
            return raw == b"1"
        if cell_type == b"e":
            return ""
        raise Unsupported(f"cell type {cell_type!r}")


def stream(z: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The sheet XML in pieces that each end with a ``</row>`` (no row cut in two), then the tail."""
    tail = b""
    with z.open(part) as fh:
        while True:
            block = fh.read(_CHUNK)
            if not block:
                break
            data = tail + block
            cut = data.rfind(b"</row>")
            if cut < 0:
                if len(data) > _LONGEST_ROW:
                    raise Unsupported("no row ends")  # (rows written with a namespace prefix)
                tail = data
                continue
            cut += len(b"</row>")
            yield data[:cut]
            tail = data[cut:]
    yield tail


def _row_number(preamble: bytes, previous: int) -> int:
    """The number of the row whose tag ends ``preamble`` (the next one when it has no ``r``)."""
    tag = preamble.rfind(b"<row")
    at = preamble.find(b' r="', tag)
    if at < 0:
        return previous + 1
    at += 4
    return int(preamble[at:preamble.index(b'"', at)])


def read_grid(z: zipfile.ZipFile, package: Package, sheet: str, table: TablePart | None) -> Grid:
    """The grid of an Excel Table (header row first, every row of its range) or of a whole sheet.

    Raises Unsupported for XML this reader does not take apart for certain.
    """
    part = package.sheets.get(sheet)
    if part is None or part not in z.NameToInfo:
        raise Unsupported("sheet part")
    if table is not None:
        top, left, bottom, width = table.top, table.left, table.bottom, table.right - table.left + 1
    else:
        top, left, bottom, width = 1, 1, 1 << 21, 0
    value_of = _CellValues(package, z).__getitem__
    places = _Places(left, width)
    place_of = places.__getitem__
    span = width + 1 if width else 1  # a Table's rows keep one spare place for cells beside it
    rows: list[list[Any]] = []
    formulas: set[tuple[int, int]] = set()
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
    number = 0
    drain = deque[None](maxlen=0).extend
    for piece in stream(z, part):
        # The piece cut at every cell and row end: [row tag, letters, cell, letters, cell, None, row
        # tag, letters, cell ...]. Places and values are then looked up a whole piece at a time (C
        # loops; only cells not met before are converted) and each row filled in one call.
        flat = _SPLIT.split(piece)
        at = list(map(place_of, flat[1::2]))  # -1 where a row ends
        # Every "<c" must be a cell the split cut at, or another tag (cols, a rich text's color ...).
        if piece.count(b"<c") != len(at) - at.count(-1) and _OTHER_CELL.search(piece):
            raise Unsupported("cell written another way")
        if b"<f" in piece:
            formulas.update((int(r), col_number(c.decode())) for c, r in FORMULA_CELL.findall(piece))
        if b":sheetData" in piece:
            raise Unsupported("sheet XML with a namespace prefix")
        if b"<mergeCell " in piece:
            merged += [((int(r0), col_number(c0.decode())), (int(r1), col_number(c1.decode())))
                       for c0, r0, c1, r1 in _MERGE.findall(piece)]
        found = list(map(value_of, flat[2::2]))
        tags = flat[2::2]
        preamble = flat[0]
        start = 0
        while True:
            try:
                end = at.index(-1, start)
            except ValueError:
                end = len(at)
            if b"<row" in preamble:
                previous, number = number, _row_number(preamble, number)
                if number <= previous:
                    raise Unsupported("rows out of order")
                if top <= number <= bottom:
                    while len(rows) < number - top:
                        rows.append([""] * span)
                    row = [""] * (span if width else max(at[start:end], default=-1) + 1)
                    drain(map(row.__setitem__, at[start:end], found[start:end]))
                    rows.append(row)
            if end >= len(at):
                break
            preamble, start = tags[end], end + 1
    if table is not None:
        while len(rows) < bottom - top + 1:
            rows.append([""] * span)
        for r in rows:
            del r[width:]
        header = list(table.columns)
        if len(header) != width or any(not h.strip() for h in header):
            header = rows[0]
        rows[0] = header
        return Grid(sheet, rows, top=top, left=left, formulas=formulas, table_name=table.name)
    return Grid(sheet, _used_area(rows), formulas=formulas, merged=merged)


class _Places(dict):
    """Column letters -> place in a row (None, a row's end -> -1); a column outside a Table goes to
    the spare place at the end of its rows."""

    def __init__(self, left: int, width: int):
        super().__init__({None: -1})
        self.left, self.width = left, width

    def __missing__(self, letters: bytes) -> int:
        place = col_number(letters.decode()) - self.left
        if place < 0 or (self.width and place >= self.width):
            place = self.width  # (a sheet has no columns outside it)
        self[letters] = place
        return place


def _used_area(rows: list[list[Any]]) -> list[list[Any]]:
    """A sheet's rows from A1 to its last filled row and column, every row as wide (as the cell library gives)."""
    used_rows = used_cols = 0
    for n, r in enumerate(rows, start=1):
        filled = [i for i, x in enumerate(r) if x != ""]
        if filled:
            used_rows, used_cols = n, max(used_cols, filled[-1] + 1)
    del rows[used_rows:]
    for r in rows:
        if len(r) < used_cols:
            r.extend([""] * (used_cols - len(r)))
        else:
            del r[used_cols:]
    return rows
