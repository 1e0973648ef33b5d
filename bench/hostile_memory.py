"""Peak memory of the command line on zip bombs, under a 4 GiB address-space cap.

The hostile review (issue 15) found a 1.6 MB zip bomb aborting the process at a 4 GiB cap and a
3.2 MB one taking 3.1 GB. Each bomb here is a valid workbook whose Administrations sheet (or shared
strings, or one cell) unpacks to gigabytes; they are generated on the fly in a temporary folder
(nothing is committed). Each is given to ``infusion-billing check`` in a child process limited to
4 GiB of address space, and the child's peak resident memory is measured.

Target: every run ends with exit 2 (one sentence, no traceback) below 1 GiB peak.

    python bench/hostile_memory.py            # all bombs
    python bench/hostile_memory.py --quick    # the two smaller ones
"""

from __future__ import annotations

import argparse
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

CAP = 4 << 30
TARGET_PEAK = 1 << 30


def _workbook_parts(sheet_xml_stream, *, shared: bytes | None = None) -> dict:
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
             'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
             'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
             'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
             'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
             'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    return {
        "[Content_Types].xml": types.encode(),
        "_rels/.rels": ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
                        'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
                        'org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
                        '</Relationships>').encode(),
        "xl/workbook.xml": (f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rel}><sheets><sheet '
                            'name="Administrations" sheetId="1" r:id="rId1"/></sheets></workbook>').encode(),
        "xl/_rels/workbook.xml.rels": ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                                       'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
                                       'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                                       'worksheet" Target="worksheets/sheet1.xml"/></Relationships>').encode(),
        "xl/worksheets/sheet1.xml": sheet_xml_stream,
    }


def _rows(n_bytes: int):
    """Sheet XML of about ``n_bytes``: a header and identical administration rows, yielded in pieces."""
    head = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Encounter ID</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>Admin ID</t></is></c></row>').encode()
    yield head
    row = b'<row><c t="inlineStr"><is><t>E1</t></is></c><c t="inlineStr"><is><t>A1</t></is></c></row>'
    block = row * 8192
    for _ in range(max(1, n_bytes // len(block))):
        yield block
    yield b"</sheetData></worksheet>"


def _one_cell(n_bytes: int):
    """A sheet whose single cell holds ``n_bytes`` of text."""
    yield (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
           b'2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
    block = b"A" * (1 << 20)
    for _ in range(n_bytes >> 20):
        yield block
    yield b"</t></is></c></row></sheetData></worksheet>"


def write_bomb(path: Path, sheet_pieces, *, lie: bool = False) -> int:
    """Write a workbook whose sheet is ``sheet_pieces`` (streamed, deflated at level 9); returns its size.

    With ``lie`` the sheet's declared unpacked size is rewritten to 1 KB, as a crafted bomb declares it
    (only for a sheet under 4 GB, whose sizes sit in the plain 32-bit header fields).
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in _workbook_parts(None).items():
            if name == "xl/worksheets/sheet1.xml":
                info = zipfile.ZipInfo(name)
                info.compress_type = zipfile.ZIP_DEFLATED
                with z.open(info, "w", force_zip64=not lie) as out:
                    for piece in sheet_pieces:
                        out.write(piece)
            else:
                z.writestr(name, data)
    if lie:
        _declare_small(path, "xl/worksheets/sheet1.xml")
    return path.stat().st_size


def _declare_small(path: Path, part: str) -> None:
    """Rewrite ``part``'s declared unpacked size to 1,024 bytes in its local and central headers."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, info.header_offset + 22, 1024)  # local header: uncompressed size
    name = part.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1 and data[at + 46:at + 46 + len(name)] != name:
        at = data.find(b"PK\x01\x02", at + 4)
    struct.pack_into("<I", data, at + 24, 1024)  # central directory: uncompressed size
    path.write_bytes(bytes(data))


def run_capped(book: Path) -> tuple[int, float, str, float]:
    """(exit code, peak resident MiB, stderr, seconds) of ``infusion-billing check book`` under CAP."""
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (%d, %d)); "
            "from infusion_billing.cli import main; sys.exit(main(['check', sys.argv[1], '-o', sys.argv[2]]))"
            % (CAP, CAP))
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run([sys.executable, "-c", code, str(book), str(book.with_name("out.xlsx"))],
                          capture_output=True, text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of any child so far: each bomb runs in a fresh interpreter,
    # so report the larger of the new maximum and the previous one (the smaller bombs run first).
    return done.returncode, max(peak, before) / 1024, done.stderr.strip(), time.perf_counter() - start


#: (what it is, how to build it). Sizes are unpacked sizes of the one sheet.
BOMBS = [
    ("1.6 GB of rows", lambda p: write_bomb(p, _rows(1600 << 20))),
    ("3.2 GB of rows", lambda p: write_bomb(p, _rows(3200 << 20))),
    ("800 MB of rows (ratio)", lambda p: write_bomb(p, _rows(800 << 20))),
    ("1 GB in one cell", lambda p: write_bomb(p, _one_cell(1 << 30))),
    ("1.6 GB declared as 1 KB", lambda p: write_bomb(p, _rows(1600 << 20), lie=True)),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the first and the last bomb")
    args = parser.parse_args(argv)
    bombs = [BOMBS[0], BOMBS[-1]] if args.quick else BOMBS
    failed = 0
    print(f"{'bomb':28} {'file':>9} {'exit':>4} {'peak MiB':>9} {'seconds':>8}  message")
    with tempfile.TemporaryDirectory(prefix="ib-bench-") as folder:
        for label, make in bombs:
            book = Path(folder) / "bomb.xlsx"
            size = make(book)
            code, peak, err, seconds = run_capped(book)
            ok = code == 2 and peak * 1024 * 1024 < TARGET_PEAK and "Traceback" not in err
            failed += not ok
            print(f"{label:28} {size / 1e6:7.1f}MB {code:>4} {peak:9.0f} {seconds:8.1f}  {err[18:130]}"
                  + ("" if ok else "   <-- over target"))
            book.unlink()
    print(f"target: exit 2 below {TARGET_PEAK >> 20} MiB peak under a {CAP >> 30} GiB cap: "
          + ("met" if not failed else f"{failed} bomb(s) missed it"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
