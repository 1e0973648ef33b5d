"""A VBA project (``vbaProject.bin``) with our own standard module, made from an existing one.

[MS-OVBA] (Microsoft Open Specifications) describes the project: a ``PROJECT`` stream of text, a
``VBA/dir`` stream (compressed) listing the references and modules, one stream per module holding an
optional compiled cache followed by the compressed source text, and ``VBA/_VBA_PROJECT``. Writers
"MUST" put no compiled cache in ``_VBA_PROJECT`` (version 0xFFFF), and then Excel compiles every
module from its source when the workbook opens. So a project is rewritten here by:

* keeping every stream, reference and document module of the base project;
* replacing the source text of one standard module;
* dropping every compiled cache (module offsets become 0, ``_VBA_PROJECT`` becomes its 7-byte form).

The compression is the [MS-OVBA] 2.4.1 LZ77 variant: 4096-byte chunks of flag bytes, literal bytes
and 2-byte copy tokens whose offset/length split depends on the position in the chunk.
"""

from __future__ import annotations

import struct

from . import cfb

CHUNK = 4096
#: [MS-OVBA] 2.3.4.1: the _VBA_PROJECT stream a writer produces (no performance cache).
VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000000")
MODULE_NAME, MODULE_STREAM_NAME, MODULE_OFFSET, PROJECT_VERSION = 0x19, 0x1A, 0x31, 0x09


class VbaError(ValueError):
    """The base project is not laid out as [MS-OVBA] says."""


# ----------------------------------------------------------------------------- compression


def _bit_count(difference: int) -> int:
    """Bits of a copy token's offset, from how far into the chunk the token is (at least 4)."""
    return max((difference - 1).bit_length(), 4)


def decompress(data: bytes) -> bytes:
    if not data or data[0] != 1:
        raise VbaError("compressed container must start with 0x01")
    out = bytearray()
    pos = 1
    while pos < len(data):
        header = struct.unpack_from("<H", data, pos)[0]
        chunk_end = min(pos + (header & 0x0FFF) + 3, len(data))
        pos += 2
        start = len(out)
        if not header & 0x8000:  # stored raw
            out += data[pos:pos + CHUNK]
            pos += CHUNK
            continue
        while pos < chunk_end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= chunk_end:
                    break
                if not flags >> bit & 1:
                    out.append(data[pos])
                    pos += 1
                    continue
                token = struct.unpack_from("<H", data, pos)[0]
                pos += 2
                bits = _bit_count(len(out) - start)
                length = (token & (0xFFFF >> bits)) + 3
                offset = (token >> (16 - bits)) + 1
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    body = bytearray()
    seen: dict[bytes, list[int]] = {}  # 3-byte prefix -> earlier positions in the chunk: match candidates
    i = 0
    while i < len(chunk):
        flag_at = len(body)
        body.append(0)
        for bit in range(8):
            if i >= len(chunk):
                break
            bits = _bit_count(i) if i else 4
            max_length = (0xFFFF >> bits) + 3
            best_len, best_off = 0, 0
            for candidate in reversed(seen.get(chunk[i:i + 3], ())):
                length = 0
                while (length < max_length and i + length < len(chunk)
                       and chunk[candidate + length] == chunk[i + length]):
                    length += 1
                if length > best_len:
                    best_len, best_off = length, i - candidate
            step = best_len if best_len >= 3 else 1
            if step > 1:
                body += struct.pack("<H", ((best_off - 1) << (16 - bits)) | (best_len - 3))
                body[flag_at] |= 1 << bit
            else:
                body.append(chunk[i])
            for k in range(i, i + step):
                seen.setdefault(chunk[k:k + 3], []).append(k)
            i += step
    if len(body) > CHUNK:  # incompressible: a full chunk is stored raw instead
        if len(chunk) != CHUNK:
            raise VbaError("an incompressible last chunk cannot be stored")
        return struct.pack("<H", 0x3000 | (CHUNK + 2 - 3)) + chunk
    return struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + bytes(body)


def compress(data: bytes) -> bytes:
    return b"\x01" + b"".join(_compress_chunk(data[k:k + CHUNK]) for k in range(0, len(data), CHUNK))


# ----------------------------------------------------------------------------- the dir stream


def _records(dir_stream: bytes) -> list[tuple[int, bytes]]:
    """(id, data) of every dir record. PROJECTVERSION's size field says 4 but 6 bytes follow."""
    out, pos = [], 0
    while pos < len(dir_stream):
        rid, size = struct.unpack_from("<HI", dir_stream, pos)
        if rid == PROJECT_VERSION:
            size = 6
        out.append((rid, dir_stream[pos + 6:pos + 6 + size]))
        pos += 6 + size
    return out


def _dir_bytes(records: list[tuple[int, bytes]]) -> bytes:
    return b"".join(struct.pack("<HI", rid, 4 if rid == PROJECT_VERSION else len(data)) + data
                    for rid, data in records)


def modules(project: cfb.Storage) -> dict[str, int]:
    """Module stream name -> offset of its source in the stream, from ``VBA/dir``."""
    found, stream = {}, None
    for rid, data in _records(decompress(project.stream("VBA/dir"))):
        if rid == MODULE_STREAM_NAME:
            stream = data.decode("latin-1")
        elif rid == MODULE_OFFSET and stream is not None:
            found[stream] = struct.unpack("<I", data)[0]
    return found


def module_source(project: cfb.Storage, name: str) -> str:
    """The source text of module ``name`` (Windows-1252, CRLF lines, ``Attribute`` lines first)."""
    offset = modules(project)[name]
    return decompress(project.stream(f"VBA/{name}")[offset:]).decode("cp1252")


def with_module_source(base: bytes, module: str, source: str) -> bytes:
    """``base`` (a vbaProject.bin) with the source of standard module ``module`` replaced by ``source``.

    ``source`` is the module text without its ``Attribute VB_Name`` line (added here); every module
    keeps its name, and no compiled cache is kept anywhere, so Excel compiles the project from source.
    """
    project = cfb.read(base)
    offsets = modules(project)
    if module not in offsets:
        raise VbaError(f"the base project has no module {module}")
    vba = project.get("VBA")
    assert isinstance(vba, cfb.Storage)
    for name, offset in offsets.items():
        vba.children[name] = vba.stream(name)[offset:]  # the compressed source alone
    text = f'Attribute VB_Name = "{module}"\r\n' + "\r\n".join(source.splitlines()) + "\r\n"
    vba.children[module] = compress(text.encode("cp1252"))
    records = [(rid, struct.pack("<I", 0) if rid == MODULE_OFFSET else data)
               for rid, data in _records(decompress(project.stream("VBA/dir")))]
    vba.children["dir"] = compress(_dir_bytes(records))
    vba.children["_VBA_PROJECT"] = VBA_PROJECT_STREAM
    for name in [n for n in vba.children if n.upper().startswith("__SRP_")]:
        del vba.children[name]  # compiled caches too
    return cfb.write(project)
