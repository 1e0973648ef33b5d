"""Open an X12 source, whatever the caller holds: a path, the file's bytes, its text, a file object.

Both readers (835 remittances, 837 claims) start here. The source is hashed (SHA-256: the key that
stops one file importing twice) and decoded 1 MB at a time, so a 100 MB file never sits in memory
whole. A source that cannot be opened raises :class:`Unreadable` with the reason in the biller's
words; each reader turns it into one Finding.

>>> label, digest, chunks = open_source("ST*837*0001~BHT*0019~", None, "837")
>>> label, "".join(chunks)
('837 text', 'ST*837*0001~BHT*0019~')
>>> describe("%PDF-1.4")
'it is a PDF (perhaps the paper EOB)'
"""

from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

CHUNK_BYTES = 1 << 20


class Unreadable(Exception):
    """Why a source could not be opened, in words for the biller."""


def looks_like_x12(text: str) -> bool:
    """Text that starts like an X12 file (``ISA*``, ``ST*``, ``GS*``) rather than a file name."""
    head = text.lstrip("\ufeff \t\r\n")[:4]
    if head[:3] == "ISA" and len(head) == 4:
        return not head[3].isalnum() and not head[3].isspace()
    return head[:2] in ("ST", "GS") and len(head) > 2 and not head[2].isalnum() and not head[2].isspace()


def _text_chunks(data: bytes) -> Iterator[str]:
    """Decode bytes in 1 MB steps; a UTF-16 BOM switches codec, bad bytes become U+FFFD."""
    encoding = "utf-16" if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    view = memoryview(data)
    for start in range(0, len(data), CHUNK_BYTES):
        yield decoder.decode(view[start:start + CHUNK_BYTES])
    yield decoder.decode(b"", final=True)


def _file_chunks(path: Path) -> Iterator[str]:
    """Decode a file in 1 MB steps, like :func:`_text_chunks`, without reading it whole."""
    with open(path, "rb") as fh:
        block = fh.read(CHUNK_BYTES)
        encoding = "utf-16" if block[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) else "utf-8-sig"
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        while block:
            yield decoder.decode(block)
            block = fh.read(CHUNK_BYTES)
        yield decoder.decode(b"", final=True)


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def open_source(source, name: str | None, kind: str) -> tuple[str, str, Iterator[str]]:
    """(name, sha256, text chunks) for a path, bytes, text or binary file object.

    ``kind`` (``835``, ``837``) names a source that has no file name: ``837 data``, ``837 text``.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return name or f"{kind} data", hashlib.sha256(data).hexdigest(), _text_chunks(data)
    if hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        return open_source(data, name or os.path.basename(str(getattr(source, "name", ""))) or f"{kind} data", kind)
    if isinstance(source, str) and not _is_path(source):
        data = source.encode("utf-8", errors="replace")
        chunks = (source[i:i + CHUNK_BYTES] for i in range(0, max(len(source), 1), CHUNK_BYTES))
        return name or f"{kind} text", hashlib.sha256(data).hexdigest(), chunks
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        label = name or path.name or str(path)
        try:
            if path.is_dir():
                raise Unreadable(f"{label} is a folder, not a file")
            if path.exists() and not path.is_file():  # a pipe or a device would never end
                raise Unreadable(f"{label} is not a regular file (a device, pipe or socket)")
            return label, _hash_file(path), _file_chunks(path)
        except Unreadable:
            raise
        except FileNotFoundError:
            raise Unreadable(f"{label} was not found") from None
        except PermissionError:
            raise Unreadable(
                f"{label} could not be opened (permission denied; is it open in another program?)") from None
        except OSError as exc:
            raise Unreadable(f"{label} could not be read ({exc.strerror or type(exc).__name__})") from None
        except ValueError:  # e.g. a NUL character in the name
            raise Unreadable(f"'{label[:60]}' is not a usable file name") from None
    raise Unreadable(f"the source given ({type(source).__name__}) is not a file name, bytes or text")


def _is_path(text: str) -> bool:
    if looks_like_x12(text):
        return False
    return len(text) < 4096 and "\n" not in text


def describe(head: str, kind: str = "835") -> str:
    """Say what a file that is not X12 looks like, so the biller knows what they picked."""
    if head.startswith("%PDF"):
        return "it is a PDF (perhaps the paper EOB)" if kind == "835" else "it is a PDF"
    if head.startswith("PK"):
        return f"it is a zip or Excel file; unzip it and import the {kind} inside"
    if not head.strip():
        return "it is empty"
    return "it does not start with an ISA or ST segment"
