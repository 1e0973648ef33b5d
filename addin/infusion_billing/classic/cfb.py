"""Compound File Binary (the "OLE" container a ``vbaProject.bin`` is): read one, write one.

Only what a VBA project needs: storages and streams with their class IDs, no timestamps, no
property sets. Layout follows [MS-CFB] (Microsoft Open Specifications), version 3 (512-byte
sectors): a header, the FAT, a directory of 128-byte entries whose siblings form a red-black tree
ordered by name length then upper-case name, and a mini stream (64-byte sectors) for every stream
shorter than 4096 bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR, MINI_SECTOR, MINI_CUTOFF = 512, 64, 4096
STORAGE, STREAM, ROOT = 1, 2, 5
RED, BLACK = 0, 1
ZERO_CLSID = bytes(16)


class CfbError(ValueError):
    """The bytes are not a compound file this module can read."""


@dataclass
class Storage:
    """A folder of the compound file: streams (bytes) and sub-storages, by name."""

    clsid: bytes = ZERO_CLSID
    children: dict[str, Storage | bytes] = field(default_factory=dict)

    def get(self, path: str) -> Storage | bytes:
        node: Storage | bytes = self
        for part in path.split("/"):
            if not isinstance(node, Storage):
                raise KeyError(path)
            node = node.children[part]
        return node

    def stream(self, path: str) -> bytes:
        node = self.get(path)
        if not isinstance(node, bytes):
            raise KeyError(f"{path} is a storage")
        return node


# ----------------------------------------------------------------------------- reading


def read(data: bytes) -> Storage:
    """The tree of storages and streams in ``data``."""
    if data[:8] != SIGNATURE:
        raise CfbError("not a compound file")
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    size, mini_size = 1 << shift, 1 << mini_shift
    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)

    def sector(n: int) -> bytes:
        return data[(n + 1) * size:(n + 2) * size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    nxt = first_difat
    for _ in range(n_difat):
        links = struct.unpack(f"<{size // 4}I", sector(nxt))
        difat += links[:-1]
        nxt = links[-1]
    fat: list[int] = []
    for n in difat[:n_fat]:
        fat += struct.unpack(f"<{size // 4}I", sector(n))

    def chain(start: int, table: list[int]) -> list[int]:
        out: list[int] = []
        n = start
        while n not in (ENDOFCHAIN, FREESECT) and len(out) <= len(table):
            out.append(n)
            n = table[n]
        return out

    def big(start: int) -> bytes:
        return b"".join(sector(n) for n in chain(start, fat))

    directory = big(first_dir)
    minifat = list(struct.unpack(f"<{n_minifat * size // 4}I", big(first_minifat)[:n_minifat * size])) \
        if n_minifat else []
    entries: list[tuple[str, int, int, int, int, bytes, int, int]] = []
    for off in range(0, len(directory), 128):
        raw = directory[off:off + 128]
        name_len = struct.unpack_from("<H", raw, 64)[0]
        name = raw[:max(name_len - 2, 0)].decode("utf-16-le")
        kind = raw[66]
        left, right, child = struct.unpack_from("<III", raw, 68)
        start, length = struct.unpack_from("<IQ", raw, 116)
        if size == SECTOR:
            length &= 0xFFFFFFFF  # version 3: the high half may hold garbage
        entries.append((name, kind, left, right, child, raw[80:96], start, length))
    root_start, root_len = entries[0][6], entries[0][7]
    mini_stream = big(root_start)[:root_len] if root_start != ENDOFCHAIN else b""

    def content(start: int, length: int) -> bytes:
        if length < cutoff:
            return b"".join(mini_stream[n * mini_size:(n + 1) * mini_size] for n in chain(start, minifat))[:length]
        return big(start)[:length]

    def children(index: int) -> list[int]:
        out, todo = [], [index]
        while todo:
            i = todo.pop()
            if i == NOSTREAM or i >= len(entries):
                continue
            out.append(i)
            todo += [entries[i][2], entries[i][3]]
        return out

    def build(index: int) -> Storage:
        node = Storage(clsid=entries[index][5])
        for i in children(entries[index][4]):
            name, kind = entries[i][0], entries[i][1]
            if kind == STORAGE:
                node.children[name] = build(i)
            elif kind == STREAM:
                node.children[name] = content(entries[i][6], entries[i][7])
        return node

    return build(0)


# ----------------------------------------------------------------------------- writing


def _order(name: str) -> tuple[int, str]:
    """[MS-CFB] sibling order: shorter names first, then by upper-case name."""
    return len(name), name.upper()


@dataclass
class _Entry:
    name: str
    kind: int
    clsid: bytes = ZERO_CLSID
    data: bytes = b""
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def _tree(indexes: list[int], entries: list[_Entry]) -> int:
    """Link sibling entries (sorted) as a balanced binary search tree coloured as a valid red-black tree.

    Splitting at the median puts every empty link on one of two adjacent levels; colouring the
    nodes of the deepest level red keeps the same number of black nodes on every path.
    """
    depth: dict[int, int] = {}

    def link(part: list[int], level: int) -> int:
        if not part:
            return NOSTREAM
        mid = len(part) // 2
        node = part[mid]
        depth[node] = level
        entries[node].left = link(part[:mid], level + 1)
        entries[node].right = link(part[mid + 1:], level + 1)
        return node

    root = link(indexes, 0)
    deepest = max(depth.values(), default=0)
    perfect = len(indexes) == (1 << (deepest + 1)) - 1
    for node, level in depth.items():
        entries[node].color = RED if level == deepest and not perfect else BLACK
    return root


def write(root: Storage) -> bytes:
    """``root`` as a version 3 compound file."""
    entries = [_Entry("Root Entry", ROOT, root.clsid)]

    def add(storage: Storage, index: int) -> None:
        mine = []
        for name in sorted(storage.children, key=_order):
            node = storage.children[name]
            if len(name) > 31:
                raise ValueError(f"compound file names have at most 31 characters: {name}")
            entries.append(_Entry(name, STORAGE, node.clsid) if isinstance(node, Storage)
                           else _Entry(name, STREAM, data=node, size=len(node)))
            mine.append(len(entries) - 1)
        entries[index].child = _tree(mine, entries)
        for i in mine:
            node = storage.children[entries[i].name]
            if isinstance(node, Storage):
                add(node, i)

    add(root, 0)

    # Small streams go to the mini stream, 64-byte sectors chained in the mini FAT.
    mini, minifat = bytearray(), []
    for e in entries:
        if e.kind == STREAM and 0 < e.size < MINI_CUTOFF:
            first = len(mini) // MINI_SECTOR
            count = -(-e.size // MINI_SECTOR)
            e.start = first
            minifat += [first + k + 1 for k in range(count - 1)] + [ENDOFCHAIN]
            mini += e.data + bytes(count * MINI_SECTOR - e.size)

    sectors: list[bytes] = []
    fat: list[int] = []

    def place(blob: bytes, marker: int | None = None) -> int:
        """Append ``blob`` in whole sectors chained in the FAT; returns its first sector."""
        if not blob:
            return ENDOFCHAIN
        first = len(sectors)
        count = -(-len(blob) // SECTOR)
        for k in range(count):
            sectors.append(blob[k * SECTOR:(k + 1) * SECTOR].ljust(SECTOR, b"\0"))
            fat.append(marker if marker is not None else (first + k + 1 if k < count - 1 else ENDOFCHAIN))
        return first

    for e in entries:
        if e.kind == STREAM and e.size >= MINI_CUTOFF:
            e.start = place(e.data)
    entries[0].start = place(bytes(mini))
    entries[0].size = len(mini)
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat) if minifat else b""
    minifat_bytes += struct.pack("<I", FREESECT) * ((-len(minifat)) % (SECTOR // 4))
    first_minifat = place(minifat_bytes)
    n_minifat = len(minifat_bytes) // SECTOR

    while len(entries) % 4:
        entries.append(_Entry("", 0))
    directory = b"".join(_entry_bytes(e) for e in entries)
    first_dir = place(directory)

    # The FAT describes itself too: find how many FAT sectors cover everything including them.
    n_fat = 1
    while (len(sectors) + n_fat) > n_fat * (SECTOR // 4):
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for a header-only DIFAT")
    fat_first = len(sectors)
    fat += [FATSECT] * n_fat
    fat += [FREESECT] * (n_fat * (SECTOR // 4) - len(fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    sectors += [fat_bytes[k * SECTOR:(k + 1) * SECTOR] for k in range(n_fat)]

    difat = [fat_first + k for k in range(n_fat)] + [FREESECT] * (109 - n_fat)
    header = bytearray(SECTOR)
    header[:8] = SIGNATURE
    struct.pack_into("<HHHHH", header, 0x18, 0x003E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x28, 0, n_fat, first_dir, 0, MINI_CUTOFF,
                     first_minifat if n_minifat else ENDOFCHAIN, n_minifat, ENDOFCHAIN, 0)
    struct.pack_into("<109I", header, 0x4C, *difat)
    return bytes(header) + b"".join(sectors)


def _entry_bytes(e: _Entry) -> bytes:
    raw = bytearray(128)
    if e.kind:
        name = e.name.encode("utf-16-le")
        raw[:len(name)] = name
        struct.pack_into("<H", raw, 64, len(name) + 2)
    raw[66] = e.kind
    raw[67] = e.color if e.kind else RED
    struct.pack_into("<III", raw, 68, e.left, e.right, e.child)
    raw[80:96] = e.clsid
    start = e.start if e.kind in (STREAM, ROOT) else 0
    struct.pack_into("<IQ", raw, 116, start if e.kind else 0, e.size if e.kind in (STREAM, ROOT) else 0)
    return bytes(raw)
