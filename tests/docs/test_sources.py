"""Every rule's reason can be followed inside the repository.

A biller or maintainer who reads ``[S28]`` next to the JW rule, or "docs/coding-rules.md section 9" in a
table header, must find that source in ``docs/sources.md`` and that section in the document, so that
when CMS or a payer changes the rule the right lines can be found and updated. These tests read every
text file of the repository (code, tables, tests, docs, benchmarks) and fail on a source tag with no
bibliography entry, a document or section that does not exist, a Markdown link to a missing file or
heading, and any path outside the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
TEXT_SUFFIXES = {".py", ".md", ".csv", ".toml", ".txt", ".cfg", ".ini", ".bas", ".yml", ".yaml"}
SKIP_DIRS = {"out", "build", "dist", "node_modules", "__pycache__"}

#: ``[S28]``, ``[S33d]``, ``[S10-FAQ6]``, ``[S27–S31]`` (a range names both ends).
TAG = re.compile(r"\[(S\d+[a-z]?(?:-FAQ\d*)?)(?:[–-](S\d+[a-z]?))?\]")
#: ``coding-rules.md section 4``, ``docs/remits.md section 3.3``, ``payer-rules.md §2``, or a bare file name.
DOC_REF = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.md)\b(?:\s+(?:section|§)\s*(\d+(?:\.\d+)*))?")
#: Markdown links to a local file, with an optional anchor.
MD_LINK = re.compile(r"\]\((?!https?:|mailto:)([^)#\s]*)(?:#([^)\s]+))?\)")


def _text_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*"):
        rel = path.relative_to(ROOT)
        if any(part.startswith(".") or part in SKIP_DIRS or part.endswith(".egg-info") for part in rel.parts[:-1]):
            continue
        # udfs/ and macros/ are linked into the package too: read each file once, at its own place.
        if path.is_symlink() or any(p.is_symlink() for p in path.parents if ROOT in p.parents):
            continue
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            files.append(path)
    return sorted(files)


#: This file is left out: its own examples of broken tags and references are deliberate.
FILES = [p for p in _text_files() if p != Path(__file__).resolve()]


def _bibliography() -> set[str]:
    return set(re.findall(r"\*\*\[(S\d+[a-z]?)\]\*\*", (DOCS / "sources.md").read_text(encoding="utf-8")))


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _headings(doc: Path) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^#+\s+(.+?)\s*$", doc.read_text(encoding="utf-8"), re.M)]


#: File names that are data, not documents: the 835 importer test writes a notes.md into a temporary folder.
NOT_DOCUMENTS = {"notes.md"}


def _resolve_doc(name: str, where: Path) -> Path | None:
    candidates = [where.parent / name, ROOT / name]
    if "/" not in name:
        # a bare name: the docs folder, or the one file of that name below the referencing file's folder
        candidates.append(DOCS / name)
        below = list(where.parent.rglob(name))
        candidates += below if len(below) == 1 else []
    return next((c.resolve() for c in candidates if c.is_file() and ROOT in c.resolve().parents), None)


def _has_section(doc: Path, number: str) -> bool:
    return any(re.match(rf"{re.escape(number)}(?:[.\s]|$)", h) for h in _headings(doc))


def test_the_bibliography_lists_the_sources_in_numbered_entries():
    entries = _bibliography()
    assert {"S1", "S28", "S33d", "S61", "S68"} <= entries
    assert len(entries) >= 70


def test_every_source_tag_resolves_in_the_bibliography():
    entries = _bibliography()
    unresolved = []
    for path in FILES:
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            for match in TAG.finditer(line):
                for tag in filter(None, match.groups()):
                    if tag not in entries and tag.split("-", 1)[0] not in entries:
                        unresolved.append(f"{path.relative_to(ROOT)}:{n}: [{tag}]")
    assert not unresolved, "source tags with no entry in docs/sources.md:\n" + "\n".join(unresolved)


def test_every_document_and_section_named_exists_in_the_repository():
    unresolved = []
    for path in FILES:
        for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
            for match in DOC_REF.finditer(line):
                name, section = match.groups()
                if name in NOT_DOCUMENTS:
                    continue
                doc = _resolve_doc(name, path)
                if doc is None:
                    unresolved.append(f"{path.relative_to(ROOT)}:{n}: {name} is not in the repository")
                elif section and not _has_section(doc, section):
                    unresolved.append(f"{path.relative_to(ROOT)}:{n}: {name} has no section {section}")
    assert not unresolved, "\n".join(unresolved)


def test_every_markdown_link_reaches_a_file_and_heading_in_the_repository():
    broken = []
    for path in FILES:
        if path.suffix != ".md":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in MD_LINK.finditer(line):
                target, anchor = match.groups()
                doc = (path.parent / target).resolve() if target else path
                if not doc.exists() or ROOT not in doc.parents:
                    broken.append(f"{path.relative_to(ROOT)}:{n}: {target} does not exist")
                elif anchor and doc.suffix == ".md" and anchor not in {_slug(h) for h in _headings(doc)}:
                    broken.append(f"{path.relative_to(ROOT)}:{n}: {target or path.name} has no heading #{anchor}")
    assert not broken, "\n".join(broken)


# Places outside the product: the folder of research notes beside the repository and the notes' own file
# names. They are assembled from parts so that this guard does not itself name them.
_NOTES_FOLDER = "sha" + "red"
OUTSIDE = ["../" + _NOTES_FOLDER, "/work/" + _NOTES_FOLDER, _NOTES_FOLDER + "/docs",
           "conventions-and-" + "anchors", "remits-" + "reference.md", "excel-" + "platform.md"]


@pytest.mark.parametrize("outside", OUTSIDE)
def test_nothing_points_outside_the_repository(outside):
    found = [str(p.relative_to(ROOT)) for p in FILES
             if outside in p.read_text(encoding="utf-8", errors="replace")]
    assert not found, f"{outside!r} is mentioned in {found}"


def test_the_checker_catches_a_dangling_tag_and_a_missing_section():
    # The patterns themselves: a tag and a reference as they would be written by mistake.
    tags = [t for m in TAG.finditer("units per [S999] and [S27–S31]") for t in m.groups() if t]
    assert tags == ["S999", "S27", "S31"]
    assert "S999" not in _bibliography()
    name, section = DOC_REF.search("see coding-rules.md section 99 item 2").groups()
    doc = _resolve_doc(name, ROOT / "addin" / "x.py")
    assert doc == (DOCS / "coding-rules.md").resolve()
    assert not _has_section(doc, section) and _has_section(doc, "9") and _has_section(DOCS / "remits.md", "3.3")
    assert _resolve_doc("coding-rules-old.md", ROOT / "README.md") is None
