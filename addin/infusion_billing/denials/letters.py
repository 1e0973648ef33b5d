"""Appeal letters: one editable template per denial category, filled with the claim's facts.

Which letter a denial gets depends on its category (docs/denials.md section 6):

* **medical necessity**, **prior authorization**, **coding**, **bundling** (coding denials whose
  reason says the service is included in another: CARC 97, 231, 234, 236, 59), **timely filing** (with
  its exceptions: proof of timely submission, retroactive eligibility, administrative error) and
  **duplicate** get an appeal letter with an attachment checklist;
* documentation, eligibility / coverage, COB and unknown reasons are fixed with a **corrected claim**
  (or a claim to the right payer), not an appeal: they get a "send a corrected claim" note instead.

Templates are plain text with ``{name}`` slots (``templates/README.md``), shipped in the package and
overridden file by file from a folder the practice keeps. Filling is pure (:func:`fill`); the .docx is
written by :func:`write_docx` (:mod:`.docx`, standard library only).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from .docx import write_document

PACKAGE = "infusion_billing.denials"
BUNDLING_CARCS = frozenset({"97", "231", "234", "236", "59", "B15"})
CORRECTED = "corrected-claim"
_BY_CATEGORY = {
    "Medical Necessity": "medical-necessity",
    "Prior Authorization": "authorization",
    "Coding / Bundling": "coding",
    "Timely Filing": "timely-filing",
    "Duplicate": "duplicate",
}
_SLOT = re.compile(r"\{([a-z_]+)\}")


def template_name(category: str, carc: str) -> str:
    """The template a denial uses: its category's letter, or the corrected-claim note.

    >>> template_name("Coding / Bundling", "97"), template_name("Coding / Bundling", "4")
    ('bundling', 'coding')
    >>> template_name("Documentation", "16")
    'corrected-claim'
    """
    name = _BY_CATEGORY.get(category, CORRECTED)
    return "bundling" if name == "coding" and carc in BUNDLING_CARCS else name


def load_template(name: str, folder: Path | None = None) -> str:
    """The template's text: the practice's file of that name (with ``.md``) in ``folder``, else the shipped one."""
    if folder is not None and (folder / f"{name}.md").is_file():
        return (folder / f"{name}.md").read_text(encoding="utf-8")
    return files(PACKAGE).joinpath("templates", f"{name}.md").read_text(encoding="utf-8")


def fill(template: str, facts: Mapping[str, str]) -> str:
    """The template with every ``{name}`` it knows replaced; unknown names stay as written."""
    return _SLOT.sub(lambda m: facts.get(m.group(1), m.group(0)), template)


@dataclass(frozen=True)
class Block:
    """One piece of a letter: a title, a paragraph or a list item."""

    kind: str  # "title", "paragraph" or "item"
    text: str


def blocks(text: str) -> list[Block]:
    """A filled template split into title, paragraphs and list items."""
    out: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("# ") and not out:
            out.append(Block("title", line[2:].strip()))
        elif line.startswith("- "):
            flush()
            out.append(Block("item", line[2:].strip()))
        else:
            paragraph.append(line)
    flush()
    return out


def write_docx(path: Path, letter: list[Block]) -> Path:
    """Write the letter as a Word document: its title, paragraphs and checklist (:mod:`.docx`)."""
    return write_document(path, [(b.kind, b.text) for b in letter])
