"""What a workbook file may hold before the tool reads it: a damaged or hostile file stops here.

An .xlsx is a zip of XML parts, and zip is easily abused: a 1.6 MB "zip bomb" unpacks to gigabytes
of sheet XML, a part can declare one size and unpack to another, a single cell can hold hundreds
of megabytes. The cell readers would take all of it into memory. So before any cell is read, every
part is streamed once (a megabyte at a time) and checked:

* **declared sizes**: no part over :data:`MAX_PART_BYTES` unpacked, no workbook over
  :data:`MAX_TOTAL_BYTES`, and no part that unpacks to more than :data:`MAX_RATIO` times its packed
  size once it is over :data:`RATIO_FLOOR` (real sheet XML packs about 10:1, bombs about 1000:1);
* **actual sizes**: the bytes really unpacked must match the declared size and checksum (zipfile
  stops at the declared size, so a part that lies is caught without unpacking the lie);
* **cell length**: no run of text between two XML tags longer than any cell Excel can hold
  (32,767 characters, a few bytes each once escaped).

A file that fails any of them is refused with one sentence (:class:`WorkbookError`), never read.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from ...display import shown
from .book import WorkbookError

#: Largest unpacked part (a 100,000-encounter Administrations sheet is about 300 MB of XML).
MAX_PART_BYTES = 1 << 30
#: Largest unpacked workbook, all parts together.
MAX_TOTAL_BYTES = 2 << 30
#: Largest unpack ratio for a part over RATIO_FLOOR bytes unpacked.
MAX_RATIO = 200
RATIO_FLOOR = 8 << 20
#: Longest run of bytes without a tag: 32,767 characters at up to 4 bytes, escaped (``&amp;`` is 5).
MAX_TEXT_RUN = 32_767 * 6
_SLICE = 1 << 16
_CHUNK = 1 << 20


def check_package(path: Path, z: zipfile.ZipFile) -> None:
    """Refuse ``z`` (opened from ``path``) when a part is too big, lies about its size, is damaged, or
    holds a cell no spreadsheet could."""
    name = shown(path)
    total = 0
    for info in z.infolist():
        total += info.file_size
        if info.file_size > MAX_PART_BYTES or total > MAX_TOTAL_BYTES:
            raise WorkbookError(f"{name} unpacks to more than this tool reads (over {MAX_PART_BYTES >> 30} GB in one "
                                f"part or {MAX_TOTAL_BYTES >> 30} GB in all); it was not read (split the workbook, or "
                                "check where it came from).")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise WorkbookError(f"{name} holds a part that unpacks to {info.file_size // info.compress_size or 1:,} "
                                "times its size, which no real workbook does (a 'zip bomb'); it was not read.")
    for info in z.infolist():
        _stream_part(name, z, info)


def _stream_part(name: str, z: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Unpack one part a megabyte at a time, checking its size, checksum and text runs."""
    xml = info.filename.lower().endswith((".xml", ".rels"))
    run = 0  # bytes since the last '<' (only counted across whole slices without one)
    seen = 0
    try:
        with z.open(info) as fh:
            while True:
                block = fh.read(_CHUNK)
                if not block:
                    break
                seen += len(block)
                if seen > info.file_size:
                    raise WorkbookError(f"{name} is damaged (part {info.filename} is longer than it says); restore it "
                                        "from a backup.")
                if xml:
                    run = _text_run(block, run)
                    if run > MAX_TEXT_RUN:
                        raise WorkbookError(f"{name} has a cell in {info.filename} longer than Excel allows (32,767 "
                                            "characters); it was not read. Open it in Excel and check that sheet.")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        what = "is encrypted" if isinstance(exc, RuntimeError) else "is damaged"
        raise WorkbookError(f"{name} {what} (part {info.filename} cannot be unpacked); restore it from a backup or "
                            "open and re-save it in Excel.") from None


def _text_run(block: bytes, run: int) -> int:
    """The length of the tag-less run at the end of ``block`` (``run`` carried from the block before),
    or more than MAX_TEXT_RUN as soon as any run inside it is too long. Checked a slice at a time, so
    ordinary XML costs one byte search per 64 KB."""
    for start in range(0, len(block), _SLICE):
        piece = block[start:start + _SLICE]
        last = piece.rfind(b"<")
        if last < 0:
            run += len(piece)
            if run > MAX_TEXT_RUN:
                return run
            continue
        first = piece.find(b"<")
        if run + first > MAX_TEXT_RUN:
            return run + first
        run = len(piece) - last - 1
    return run
