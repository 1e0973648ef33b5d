"""The one way this tool writes spreadsheet rows, and the zip plumbing of an .xlsx file.

An .xlsx/.xlsm workbook is a zip "package" of XML parts (``xl/worksheets/sheet3.xml``, the styles,
the tables ...). Both the template builder (:mod:`.template`) and the result writer (:mod:`.writer`)
stream data rows straight into a sheet's XML instead of holding cells in memory; this module is the
part they share:

* :func:`row_xml` turns one row of Python values into one ``<row>`` of sheet XML. Text is always an
  *inline string*, so nothing a biller or an 835 file typed can become a formula; text starting
  with ``=``, ``+``, ``-`` or ``@`` additionally gets a quote-prefix style so Excel keeps it text
  when the cell is edited. Decimal goes in exactly as its digits (the cents in the cell are the
  cents computed), dates and times as Excel serial numbers with a date/time style, bool as TRUE/FALSE.
* :func:`write_part` streams a part made of bytes and temporary files into the output zip, with the
  zip64 extension only when the part needs it (Excel rejects zip64 headers on ordinary-size parts).
* :func:`copy_part` copies a part of the input package into the output without decompressing it,
  so a user's sheets, charts, shapes, pictures and macros arrive byte for byte (and fast).
"""

from __future__ import annotations

import math
import numbers
import os
import re
import shutil
import struct
import zipfile
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import IO, Any, Protocol, TypeGuard

from ...values import EXCEL_EPOCH as _EXCEL_EPOCH

#: Excel's day 0 as a date (serials are right from March 1900, after Excel's phantom 1900-02-29).
EXCEL_EPOCH = _EXCEL_EPOCH.date()
#: Deflate level of parts we write. Sheet XML compresses about 10:1 at any level; on the result sheets of
#: a 100,000-encounter run (305 MB of XML) level 3 takes 1.1 s of CPU for 30.4 MB where zlib's default 6
#: takes 3.0 s for 26.4 MB, and level 1 0.9 s for 34.5 MB (December 2026): 2 s of a 35 s run for 4 MB.
COMPRESSLEVEL = 3

#: Characters XML 1.0 forbids: most control characters, lone surrogates (an undecodable file name),
#: U+FFFE and U+FFFF. One of them makes the whole sheet unreadable to Excel.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NEEDS_CARE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text_xml(text: str) -> str:
    """Text safe inside an XML element: &, < and > escaped, characters XML forbids dropped."""
    if _NEEDS_CARE.search(text) is None:
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ILLEGAL_XML.sub("", text)


def attr_xml(text: str) -> str:
    """Text safe inside a double-quoted XML attribute (line breaks kept as character references)."""
    return (text_xml(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;")
            .replace("\t", "&#9;"))


def is_date_format(fmt: str) -> bool:
    """Whether an Excel number format shows a date or a time (``yyyy-mm-dd``, ``hh:mm``), not a number."""
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", fmt or "").lower()
    return bare != "general" and any(ch in bare for ch in "dmyhs")


def serial(value: date | datetime | time) -> float | int:
    """The Excel serial number of a date (whole days), datetime or time (fraction of a day)."""
    if isinstance(value, datetime):
        return (value.date() - EXCEL_EPOCH).days + _day_fraction(value.time())
    if isinstance(value, date):
        return (value - EXCEL_EPOCH).days
    return _day_fraction(value)


def _day_fraction(t: time) -> float:
    return (t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6) / 86400


def from_serial(number: float, as_date: bool = True) -> Any:
    """A serial read back from a cell with a date/time format: datetime (date part > 0) or time."""
    whole = math.floor(number)
    seconds = round((number - whole) * 86400)
    if whole == 0 and not as_date:
        return time(seconds // 3600 % 24, seconds // 60 % 60, seconds % 60)
    return _EXCEL_EPOCH + timedelta(days=whole, seconds=seconds)


# ----------------------------------------------------------------------------- rows


#: One column's cell styles, as ready-made `` s="N"`` attributes ("" = the default style):
#: (column letter, plain, date, time, datetime, text that looks like a formula).
ColumnLayout = tuple[str, str, str, str, str, str]


def row_xml(r: int, values: Sequence[Any], layout: Sequence[ColumnLayout]) -> str:
    """One ``<row>`` of sheet XML. Text is always an inline string, so it can never become a formula."""
    n = str(r)  # once per row, not once per cell
    out = [f'<row r="{n}">']
    append = out.append
    needs_care = _NEEDS_CARE.search
    # a row shorter than the layout leaves its last columns empty
    for (letter, s, s_date, s_time, s_dt, s_quoted), value in zip(layout, values, strict=False):
        if value is None:
            continue
        t = type(value)
        if t is str:
            if value:
                style = s_quoted if value[0] in "=+-@" else s
                text = value if needs_care(value) is None else text_xml(value)
                append(f'<c r="{letter}{n}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
        elif t is int:
            append(f'<c r="{letter}{n}"{s}><v>{value}</v></c>')
        elif t is Decimal and value.is_finite():
            append(f'<c r="{letter}{n}"{s}><v>{value:f}</v></c>')
        elif t is date:
            append(f'<c r="{letter}{n}"{s_date}><v>{(value - EXCEL_EPOCH).days}</v></c>')
        elif t is time:
            append(f'<c r="{letter}{n}"{s_time}><v>{_day_fraction(value)!r}</v></c>')
        elif t is float and math.isfinite(value):
            append(f'<c r="{letter}{n}"{s}><v>{value!r}</v></c>')
        else:
            append(_other_cell(f"{letter}{n}", value, s, s_date, s_time, s_dt, s_quoted))
    append("</row>")
    return "".join(out)


def _other_cell(ref: str, value: Any, s: str, s_date: str, s_time: str, s_dt: str, s_quoted: str) -> str:
    """The less common cell types, including subclasses (pandas Timestamp, numpy numbers, enums)."""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime):
        return f'<c r="{ref}"{s_dt}><v>{serial(value)!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}"{s_date}><v>{serial(value)}</v></c>'
    if isinstance(value, time):
        return f'<c r="{ref}"{s_time}><v>{serial(value)!r}</v></c>'
    if isinstance(value, numbers.Integral):
        return f'<c r="{ref}"{s}><v>{int(value)}</v></c>'
    if isinstance(value, (numbers.Real, Decimal)) and math.isfinite(value):
        number = f"{value:f}" if isinstance(value, Decimal) else repr(float(value))
        return f'<c r="{ref}"{s}><v>{number}</v></c>'
    text = str(value.value if isinstance(value, Enum) else value)  # NaN and infinity stay readable as text
    if not text:
        return ""
    style = s_quoted if text[0] in "=+-@" else s
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text_xml(text)}</t></is></c>'


# ----------------------------------------------------------------------------- zip parts


def write_part(dst: zipfile.ZipFile, name: str, pieces: Iterable[bytes | Path]) -> None:
    """Write part ``name`` from bytes and files (streamed, never read whole), deflated.

    The size is known before writing, so zipfile only adds zip64 headers to a part over 2 GB:
    Excel reports files with needless zip64 headers as corrupt.
    """
    pieces = list(pieces)
    info = zipfile.ZipInfo(name, date_time=datetime.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size = sum(len(p) if isinstance(p, bytes) else os.path.getsize(p) for p in pieces)
    with dst.open(info, "w") as out:
        for piece in pieces:
            if isinstance(piece, bytes):
                out.write(piece)
            else:
                with open(piece, "rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)


def copy_part(src: zipfile.ZipFile, dst: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy one part from ``src`` to ``dst`` exactly, moving its compressed bytes without recompressing.

    zipfile has no public call for this, so the local header is written the way ``ZipFile.open(..., "w")``
    writes it and the entry is registered the same way; anything unusual (encryption, a local header
    that does not match) falls back to decompressing and compressing again.
    """
    offset = _data_offset(src, info)
    if offset is None or src.fp is None or info.flag_bits & 0x1 or not _can_copy_raw(dst):
        _copy_recompressed(src, dst, info)
        return
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type = info.compress_type
    copy.CRC, copy.compress_size, copy.file_size = info.CRC, info.compress_size, info.file_size
    copy.external_attr = info.external_attr
    copy.flag_bits = info.flag_bits & 0b0110  # keep the deflate level hint; sizes go in the header
    zip64 = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
    with dst._lock:
        dst.fp.seek(dst.start_dir)
        copy.header_offset = dst.fp.tell()
        dst._writecheck(copy)
        dst.fp.write(copy.FileHeader(zip64))
        src.fp.seek(offset)
        remaining = info.compress_size
        while remaining:
            chunk = src.fp.read(min(remaining, 1 << 20))
            if not chunk:
                raise zipfile.BadZipFile(f"{info.filename} is truncated")
            dst.fp.write(chunk)
            remaining -= len(chunk)
        dst.filelist.append(copy)
        dst.NameToInfo[copy.filename] = copy
        dst.start_dir = dst.fp.tell()
        dst._didModify = True


class _ZipInternals(Protocol):
    """The private parts of a ``ZipFile`` open for writing that :func:`copy_part` writes through."""

    _lock: AbstractContextManager[Any]
    _writing: bool
    _seekable: bool
    _didModify: bool
    start_dir: int
    fp: IO[bytes]
    filelist: list[zipfile.ZipInfo]
    NameToInfo: dict[str, zipfile.ZipInfo]

    def _writecheck(self, zinfo: zipfile.ZipInfo) -> None: ...


def _has_internals(dst: zipfile.ZipFile) -> TypeGuard[_ZipInternals]:
    """Whether ``dst`` has the zipfile internals :func:`copy_part` relies on (CPython 3.11 to 3.13 do)."""
    needed = ("_lock", "_writing", "_seekable", "_writecheck", "_didModify", "start_dir", "filelist", "NameToInfo")
    return all(hasattr(dst, name) for name in needed) and dst.fp is not None


def _can_copy_raw(dst: zipfile.ZipFile) -> TypeGuard[_ZipInternals]:
    """Whether bytes can be appended to ``dst`` now: it has the internals and no part is open for writing."""
    return _has_internals(dst) and dst._seekable and not dst._writing


#: A zip entry's local file header (PKWARE's APPNOTE.TXT, 4.3.7): signature, versions, flags, method,
#: time, date, CRC-32, sizes, and last the lengths of the file name and extra field before the data.
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"


def _data_offset(src: zipfile.ZipFile, info: zipfile.ZipInfo) -> int | None:
    """Where a part's compressed bytes start in the file, from its local header (None if unreadable)."""
    fp = src.fp
    if fp is None or not fp.seekable():
        return None
    fp.seek(info.header_offset)
    header = fp.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
        return None
    *_, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    return info.header_offset + _LOCAL_HEADER.size + name_length + extra_length


def _copy_recompressed(src: zipfile.ZipFile, dst: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type = zipfile.ZIP_DEFLATED
    copy.external_attr = info.external_attr
    copy.file_size = info.file_size
    with src.open(info) as fh, dst.open(copy, "w") as out:
        shutil.copyfileobj(fh, out, 1 << 20)
