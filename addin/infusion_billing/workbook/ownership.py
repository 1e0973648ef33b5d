"""Which sheets of a workbook belong to the tool, so a user's own sheet is never replaced.

Results go on sheets with plain names (Charges, Findings, RunLog ...), and a clinic may well have a
sheet or an Excel Table of its own called that. The writer therefore only ever replaces a sheet it
created itself, and it knows which ones those are from a mark it leaves in the workbook: one hidden
workbook-level defined name per tool sheet, ``_InfusionBilling_Sheet1`` ... referring to that
sheet's cell A1 (``='Findings'!$A$1``).

Excel keeps such a name pointing at its sheet when the sheet is renamed or moved, and turns it into
``#REF!`` when the sheet is deleted, so the mark follows the sheet itself rather than its name: a
biller who renames the tool's ``Findings`` to ``Findings March`` and makes a sheet called
``Findings`` of their own keeps it; the next run writes a new ``Findings (2)``.

When the name a result wants is taken by a sheet (or an Excel Table, or a defined name) the tool
did not create, the result goes to the first free ``Name (2)``, ``Name (3)`` ... and a
``writer.sheet-renamed`` Finding says so. A later run finds that sheet by its mark and reuses it.

A workbook carrying any of these marks was written by the tool. It also says what kind of output it
is (:data:`KINDS`: a billing workbook, a portfolio, an assessment, the demo clinic) in one more hidden
name, ``_InfusionBilling_Kind``; a command replaces without asking only an earlier output of its own
kind (:func:`output_kind`, used by :mod:`.output_file`), so ``portfolio -o`` never replaces a
clinic's billing workbook, nor ``assess -o`` a portfolio.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from ..findings import Finding, Severity

if TYPE_CHECKING:  # the package editor, for annotations only (it uses this module's work folder)
    from .xlsx.package import WorkbookPackage

#: Prefix of every defined name the tool adds; a sheet mark is the prefix plus ``Sheet<n>``.
MARK_PREFIX = "_InfusionBilling_"
SHEET_MARK = MARK_PREFIX + "Sheet"
#: The mark of a workbook the tool generated whole (the demo clinic's input workbook).
GENERATED_MARK = MARK_PREFIX + "Generated"
#: The mark saying what kind of output a workbook is (its value one of :data:`KINDS`, as a text constant).
KIND_MARK = MARK_PREFIX + "Kind"
#: The kinds of workbook the tool writes, as a sentence names them.
BILLING = "billing workbook"
PORTFOLIO = "portfolio"
ASSESSMENT = "assessment"
DEMO = "demo clinic workbook"
KINDS = (BILLING, PORTFOLIO, ASSESSMENT, DEMO)
#: For a workbook written before kinds were marked: a tool sheet only that kind has.
_KIND_SHEETS = {"portfolio": PORTFOLIO, "method and data": ASSESSMENT}

_REFERENCE = re.compile(r"^=?\s*(?:'((?:[^']|'')+)'|([^'!]+))!")
_MAX_SHEET_NAME = 31


def sheet_of(refers_to: str) -> str | None:
    """The sheet a reference names (``'Find''s'!$A$1`` -> ``Find's``), None for ``#REF!`` and constants."""
    m = _REFERENCE.match(refers_to.strip())
    if not m:
        return None
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2).strip()
    return None if sheet.startswith("#") else sheet


def tool_sheets(package: WorkbookPackage) -> set[str]:
    """The sheets (case-folded names) the tool created in this workbook, by their marks."""
    out = set()
    for name, refers_to in package.workbook_names().items():
        if name.startswith(SHEET_MARK):
            sheet = sheet_of(refers_to)
            if sheet:
                out.add(sheet.casefold())
    return out


def owned_sheet(marks: Iterable[str], sheet_names: Iterable[str], wanted: str) -> str | None:
    """The sheet holding the tool's own result ``wanted``, from the workbook's sheet marks (what each
    ``_InfusionBilling_Sheet<n>`` refers to) and its sheet names: ``wanted`` itself when the tool owns
    it, else the ``wanted (2)``, ``wanted (3)`` ... it moved to because a user's sheet had the name.
    None when the tool has no such sheet (a user's sheet of that name is never the tool's)."""
    ours = {s.casefold() for s in (sheet_of(m) for m in marks) if s}
    names = {n.casefold(): n for n in sheet_names}
    for candidate in islice(_candidates(wanted), len(names) + 1):
        key = candidate.casefold()
        if key in ours and key in names:
            return names[key]
    return None


def marks_in_file(path: Path) -> tuple[list[str], list[str]] | None:
    """A saved workbook's sheet marks (what each refers to) and sheet names, read from its sheet list
    alone (the reader's way in, which must not need the package editor); None when the file has no
    readable sheet list."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("xl/workbook.xml")
            if info.file_size > 64 << 20:
                return None
            root = ElementTree.fromstring(z.read(info))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, ElementTree.ParseError):
        return None
    marks = [el.text or "" for el in root.iter() if el.tag.endswith("}definedName")
             and el.get("localSheetId") is None and el.get("name", "").startswith(SHEET_MARK)]
    sheets = [el.get("name", "") for el in root.iter() if el.tag.endswith("}sheet")]
    return marks, sheets


def output_kind(path: Path) -> str | None:
    """What kind of output the workbook at ``path`` is (one of :data:`KINDS`); None when the tool did not
    write it. A workbook written before kinds were marked is known by its marks: the demo's by its
    generated mark, a portfolio or an assessment by a tool sheet only they have, else a billing workbook."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("xl/workbook.xml")
            if info.file_size > 64 << 20:  # a workbook list is small; anything else is not ours
                return None
            root = ElementTree.fromstring(z.read(info))
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, ElementTree.ParseError):
        return None
    names = {el.get("name", ""): (el.text or "").strip() for el in root.iter()
             if el.tag.endswith("}definedName") and el.get("localSheetId") is None}
    kind = names.get(KIND_MARK, "").strip('"')
    if kind in KINDS:
        return kind
    if GENERATED_MARK in names:
        return DEMO
    sheets = [sheet_of(v) for n, v in names.items() if n.startswith(SHEET_MARK)]
    if not sheets and not any(n.startswith(MARK_PREFIX) for n in names):
        return None
    return next((_KIND_SHEETS[s.casefold()] for s in sheets if s and s.casefold() in _KIND_SHEETS), BILLING)


def kind_value(kind: str) -> str:
    """The kind mark's text, as a defined name holds a constant (``"portfolio"``)."""
    if kind not in KINDS:
        raise ValueError(f"{kind!r} is not a kind of output the tool writes")
    return f'"{kind}"'


def written_by_tool(path: Path) -> bool:
    """Whether the workbook at ``path`` carries the tool's mark (an output of an earlier run)."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("xl/workbook.xml")
            if info.file_size > 64 << 20:  # a workbook list is small; anything else is not ours
                return False
            return MARK_PREFIX.encode() in z.read(info)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return False


def _candidates(wanted: str):
    yield wanted
    n = 2
    while True:
        suffix = f" ({n})"
        yield wanted[:_MAX_SHEET_NAME - len(suffix)].rstrip() + suffix  # Excel's 31 characters, no double space
        n += 1


def _table_name(sheet: str) -> str:
    return "".join(ch for ch in sheet if ch.isalnum() or ch == "_")


def looks_like_ours(package: WorkbookPackage, sheet: str, columns: Sequence[str]) -> bool:
    """Whether an unmarked sheet is a result an earlier version wrote (before sheets were marked): its
    header row is the result's columns (:func:`header_matches`). A user's own sheet of that name has
    headers of its own and stays theirs."""
    rows = package.read_rows(sheet, max_rows=1)
    return header_matches(rows[0] if rows else [], columns)


def header_matches(header: Sequence[object], columns: Sequence[str]) -> bool:
    """Whether a sheet's header row is a result's ``columns``, or the start of them (a newer version
    added columns), or they are the start of it: at least two leading headers the same. The test
    for replacing an unmarked sheet, so it is strict."""
    found, wanted = _headers(header), _headers(columns)
    shortest = min(len(found), len(wanted))
    return shortest >= 2 and found[:shortest] == wanted[:shortest]


def header_starts_like(header: Sequence[object], columns: Sequence[str]) -> bool:
    """Whether a sheet's header row starts with a result's first two columns (``Severity``, ``Rule
    ID``; ``Claim ID``, ``Encounter ID``): the test for *reading* an unmarked sheet as that result,
    which also holds for a ledger an earlier version wrote before columns were inserted in it."""
    found, wanted = _headers(header), _headers(columns)
    return len(wanted) >= 2 and found[:2] == wanted[:2]


def _headers(cells: Sequence[object]) -> list[str]:
    return [str(h).strip() for h in cells if h is not None and str(h).strip() != ""]


#: Results whose header the tool knows (case-folded name -> columns), declared by the modules that
#: build them (:func:`declare_result`).
_RESULT_COLUMNS: dict[str, tuple[str, ...]] = {}


def declare_result(name: str, columns: Sequence[str]) -> None:
    """Declare ``name`` a sheet the tool writes, with the header it writes: an unmarked sheet of that
    name is then never read as the tool's result unless its header row is that header (an output of a
    version that did not mark sheets), so a clinic's own ``Findings`` or ``Claims`` sheet is never
    taken for earlier findings or the claim ledger."""
    _RESULT_COLUMNS[name.casefold()] = tuple(columns)


def result_sheet(marks: Iterable[str], sheet_names: Sequence[str], wanted: str,
                 header_of: Callable[[str], Sequence[object]]) -> tuple[str, str] | None:
    """Where to read the table ``wanted`` from, the same for a saved file and an open workbook.

    ``("sheet", name)``: the tool's own sheet (found by its mark, :func:`owned_sheet`), or an unmarked
    sheet of that name whose header row (``header_of(name)``) starts like the declared result's
    (:func:`header_starts_like`: written by a version that did not mark its sheets); ``("any",
    wanted)``: not a result the tool writes (a user's optional table such as ``Adjustment Codes``), to
    be found by name as before; None: the tool has no such result in this workbook (a user's sheet of
    that name is theirs).
    """
    own = owned_sheet(marks, sheet_names, wanted)
    if own is not None:
        return "sheet", own
    columns = _RESULT_COLUMNS.get(wanted.casefold())
    if columns is None:
        return "any", wanted
    same = next((n for n in sheet_names if n.casefold() == wanted.casefold()), None)
    ours = {s.casefold() for s in (sheet_of(m) for m in marks) if s}
    if same is not None and same.casefold() not in ours and header_starts_like(header_of(same), columns):
        return "sheet", same
    return None


def place_sheets(package: WorkbookPackage, wanted: Sequence[str],
                 columns: dict[str, Sequence[str]] | None = None) -> tuple[dict[str, str], list[Finding]]:
    """Where each wanted result sheet goes in a saved workbook (:func:`place`), from its marks,
    sheets, Excel Tables and defined names. ``columns`` (result name -> its headers) lets an unmarked
    result of an earlier version be recognised (:func:`looks_like_ours`) and replaced as before.
    """
    ours = tool_sheets(package)
    for name, headers in (columns or {}).items():
        existing = package.sheet(name)
        if existing is not None and existing.name.casefold() not in ours and \
                looks_like_ours(package, existing.name, headers):
            ours.add(existing.name.casefold())
    own_tables = set()
    for entry in package.sheets:
        part = entry.worksheet_part
        if entry.name.casefold() in ours and part:
            for rel in package.sheet_relationships(part).values():
                if rel.part:
                    own_tables.add(rel.part.lower())
    user_names = {n for p, n in package.tables().items() if p.lower() not in own_tables}
    user_names |= package.defined_names()
    return place(wanted, [entry.name for entry in package.sheets], ours, user_names)


def place(wanted: Sequence[str], sheet_names: Iterable[str], ours: Iterable[str],
          user_names: Iterable[str]) -> tuple[dict[str, str], list[Finding]]:
    """Where each wanted result sheet goes: ``{wanted name: sheet name to write}`` and one Finding per
    result that could not have its own name because the name belongs to the user. The one naming
    rule of the file writer and the Excel macros.

    ``sheet_names`` are the workbook's sheets, ``ours`` those the tool owns (any case), ``user_names``
    the Excel Tables on the user's sheets and the workbook's defined names (any case; the tool's own
    marks are left out here). A name is free when no sheet has it, or the sheet having it is the
    tool's, and when no user Table or defined name is the Table name it gives.
    """
    sheets = {n.casefold(): n for n in sheet_names}
    owned = {n.casefold() for n in ours}
    taken = {n.casefold() for n in user_names if not n.casefold().startswith(MARK_PREFIX.casefold())}
    taken_here: set[str] = set()
    placed: dict[str, str] = {}
    notes: list[Finding] = []
    for name in wanted:
        for candidate in _candidates(name):
            key = candidate.casefold()
            sheet_free = key not in sheets or key in owned
            table_free = _table_name(candidate).casefold() not in taken
            if sheet_free and table_free and key not in taken_here:
                break
        placed[name] = candidate
        taken_here.add(candidate.casefold())
        if candidate != name:
            own_sheet = sheets.get(name.casefold()) if name.casefold() not in owned else None
            whose = f"a sheet of its own called '{own_sheet}'" if own_sheet is not None else \
                f"a table or name of its own called '{name}'"
            notes.append(Finding(
                "writer.sheet-renamed", Severity.WARNING,
                f"The workbook already has {whose}, which was left as it is; "
                f"the results went to the sheet '{candidate}'.", sheet=candidate,
                fix=f"Rename your own '{own_sheet or name}' if you want the results under that name; later runs keep "
                    f"writing to '{candidate}' until then."))
    return placed, notes


def mark_sheets(package: WorkbookPackage, sheets: Sequence[str]) -> None:
    """Mark ``sheets`` as the tool's (those not marked already), when the package is saved."""
    ours = tool_sheets(package)
    names = package.workbook_names()
    used = {int(n[len(SHEET_MARK):]) for n in names if n.startswith(SHEET_MARK) and n[len(SHEET_MARK):].isdigit()}
    n = max(used, default=0)
    for sheet in sheets:
        if sheet.casefold() in ours:
            continue
        n += 1
        quoted = sheet.replace("'", "''")
        package.add_defined_name(f"{SHEET_MARK}{n}", f"'{quoted}'!$A$1")
        ours.add(sheet.casefold())


def mark_generated(openpyxl_workbook) -> None:
    """Mark a workbook the tool builds whole with openpyxl (the demo clinic) as the tool's own."""
    from openpyxl.workbook.defined_name import DefinedName  # noqa: PLC0415 — only the demo builder needs openpyxl

    mark_kind_openpyxl(openpyxl_workbook, DEMO)
    _add_openpyxl_name(openpyxl_workbook, DefinedName(GENERATED_MARK, attr_text='"infusion-billing"', hidden=True))


def mark_kind_openpyxl(openpyxl_workbook, kind: str) -> None:
    """Mark a workbook the tool builds whole with openpyxl as an output of ``kind``."""
    from openpyxl.workbook.defined_name import DefinedName  # noqa: PLC0415 — only builders with openpyxl need it

    _add_openpyxl_name(openpyxl_workbook, DefinedName(KIND_MARK, attr_text=kind_value(kind), hidden=True))


def _add_openpyxl_name(openpyxl_workbook, name) -> None:
    names = openpyxl_workbook.defined_names
    if hasattr(names, "add"):
        names.add(name)
    else:  # openpyxl before 3.1
        names.append(name)
