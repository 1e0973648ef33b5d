"""An existing workbook file, edited at the package level: tool sheets added or replaced, all else kept.

The result writer never loads a biller's workbook into a spreadsheet library (openpyxl needs about
50 MB per 1,000 encounters and silently drops shapes, slicers and form controls it cannot model).
Instead :class:`WorkbookPackage` treats the .xlsx/.xlsm as the zip of XML parts it is:

* every part of the input is copied byte for byte (its compressed bytes, not even re-deflated), so
  the input sheets, charts, shapes, pictures, pivot tables, slicers and VBA arrive untouched;
* each tool-owned sheet is written as a new worksheet part holding one Excel Table (a table part
  with a workbook-unique id), linked through the sheet's relationships, ``[Content_Types].xml``,
  a ``<sheet>`` entry in ``xl/workbook.xml`` and ``xl/_rels/workbook.xml.rels``;
* the cell formats the new sheets use are appended to ``xl/styles.xml`` (:class:`StyleSheet`), so
  every existing style index keeps its meaning;
* a sheet of the same name written by an earlier run is replaced where it stands (same position,
  sheet id and part name); its old table parts are removed with their content types, and so are
  its old drawing and charts;
* a tool sheet may carry native charts over its cells (:mod:`.drawing`): a drawing part and one
  chart part per chart, written with the sheet.

Small structural parts (workbook, relationships, content types, styles) are edited as text with
insertions and deletions at element boundaries, never parsed and re-serialised, so namespace
prefixes and ``mc:Ignorable`` markers Excel relies on stay exactly as Excel wrote them.
Memory is the largest of those small parts plus one row of XML at a time.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ... import values as v
from ...display import shown
from ..output_file import work_folder
from ..reader import WorkbookError
from .drawing import CT_CHART, CT_DRAWING, REL_DRAWING, SheetChart, drawing_rels_xml, drawing_xml
from .ooxml import COMPRESSLEVEL, attr_xml, copy_part, from_serial, is_date_format, text_xml, write_part

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_WORKSHEET = NS_REL + "/worksheet"
REL_TABLE = NS_REL + "/table"
REL_STYLES = NS_REL + "/styles"
REL_CALC_CHAIN = NS_REL + "/calcChain"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
#: The look of every tool-owned Table (blue header, banded rows), as the template's input Tables.
TABLE_STYLE = "TableStyleMedium2"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: Print setup of every tool sheet: landscape, one page wide (as many pages tall as it takes).
PAGE_SETUP = '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
PRINT_TITLES = "_xlnm.Print_Titles"
#: The blue of Excel's Hyperlink cell style.
LINK_COLOR = "0563C1"

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _unescape(text: str) -> str:
    return (text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&#10;", "\n").replace("&amp;", "&"))


def _prefix(xml: str, root: str) -> str:
    """The namespace prefix (``"x:"`` or ``""``) of the root element ``root`` in ``xml``."""
    m = re.search(rf"<(\w+:)?{root}\b", xml)
    return (m.group(1) or "") if m else ""


def _insert_before_close(xml: str, tag: str, text: str) -> str:
    """Insert ``text`` just before the last ``</tag>`` (any prefix)."""
    closes = list(re.finditer(rf"</(?:\w+:)?{tag}\s*>", xml))
    if not closes:
        raise WorkbookError(f"The workbook's {tag} list is malformed; open and re-save it in Excel.")
    at = closes[-1].start()
    return xml[:at] + text + xml[at:]


def _elements(xml: str, tag: str) -> list[re.Match]:
    """Every ``<tag .../>`` or ``<tag ...>...</tag>`` element (any prefix; ``tag`` must not nest)."""
    return list(re.finditer(rf"<(?:\w+:)?{tag}\b[^>]*?(?:/>|>.*?</(?:\w+:)?{tag}\s*>)", xml, re.S))


def _attr(element: str, name: str) -> str | None:
    m = re.search(rf'\s{name}\s*=\s*(["\'])(.*?)\1', element, re.S)
    return _unescape(m.group(2)) if m else None


def _resolve(source_part: str, target: str) -> str:
    """A relationship target as a part name (``xl/tables/table2.xml``), relative to its source part."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def rels_part(part: str) -> str:
    """``xl/worksheets/sheet3.xml`` -> ``xl/worksheets/_rels/sheet3.xml.rels``."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


@dataclass
class Relationship:
    rid: str
    type: str
    part: str | None  # None for external targets


@dataclass
class SheetEntry:
    """One ``<sheet>`` of xl/workbook.xml and the part its relationship points to."""

    name: str
    sheet_id: int
    rid: str
    part: str | None
    rel_type: str

    @property
    def worksheet_part(self) -> str | None:
        """The part holding the sheet's cells; None for a chart sheet (or a sheet without a target)."""
        return self.part if self.rel_type == REL_WORKSHEET else None


@dataclass
class _NewSheet:
    """A tool sheet waiting to be written: its sheet XML is already on disk."""

    name: str
    table_name: str
    columns: list[str]
    ref: str
    xml_path: Path
    part: str = ""
    table_part: str = ""
    table_id: int = 0
    charts: list[SheetChart] = field(default_factory=list)
    drawing_part: str = ""


@dataclass
class _Plan:
    """What save() writes: part name -> new content (in order), and the input parts to leave out."""

    parts: dict[str, list[bytes | Path]] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)


class WorkbookPackage:
    """An .xlsx/.xlsm opened as parts; add tool sheets with :meth:`put_sheet`, then :meth:`save`.

    Usage::

        with WorkbookPackage(path) as book:
            header = book.styles.cell_format(bold_color="FFFFFF", fill="1F4E78")  # -> s="N" of the header cells
            book.put_sheet("Charges", "Charges", headers, widths, rows_xml, last_row=len(rows) + 1)
            save_atomically(book, target)  # calls book.save(temporary file), then renames it
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.zip = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile:
            raise WorkbookError(
                f"{self.path.name} is damaged and cannot be opened; restore it from a backup.") from None
        self.infos = self.zip.infolist()
        self._by_lower = {i.filename.lower(): i.filename for i in self.infos}
        try:
            self._read_structure()
        except (ElementTree.ParseError, UnicodeDecodeError, ValueError, zipfile.BadZipFile, zlib.error) as exc:
            # Cell readers are lenient, so a damaged structural part is first met here.
            self.zip.close()
            raise WorkbookError(f"{shown(self.path)} is damaged (its sheet list, relationships or styles cannot be "
                                f"read: {type(exc).__name__}); open and re-save it in Excel.") from None
        self._tmp = work_folder()
        self._new: list[_NewSheet] = []
        self._names: list[tuple[str, str, bool]] = []
        self._order: list[str] = []

    # -- reading the input

    def _read_structure(self) -> None:
        """The workbook's sheet list, relationships, content types and styles (small parts, read whole)."""
        self.workbook_xml = self._text(WORKBOOK)
        if NS_STRICT in self.workbook_xml[:2000]:
            raise WorkbookError(f"{self.path.name} is saved as Strict Open XML; save it as a normal Excel "
                                "Workbook (.xlsx) and run again.")
        self.rels_xml = self._text(WORKBOOK_RELS)
        self.types_xml = self._text(CONTENT_TYPES)
        self.rels = self._relationships(WORKBOOK, self.rels_xml)
        self.sheets = self._sheet_entries()
        styles = next((r.part for r in self.rels.values() if r.type == REL_STYLES and r.part), None)
        self.styles_part = styles if styles and self.has(styles) else None
        self.styles = StyleSheet(self._text(self.styles_part) if self.styles_part else None)

    def has(self, part: str) -> bool:
        return part.lower() in self._by_lower

    def _text(self, part: str) -> str:
        name = self._by_lower.get(part.lower())
        if name is None:
            raise WorkbookError(f"{self.path.name} has no {part}; it is not a complete Excel workbook.")
        return self.zip.read(name).decode("utf-8")

    def _relationships(self, source_part: str, xml: str) -> dict[str, Relationship]:
        out = {}
        for el in ElementTree.fromstring(xml.encode("utf-8")):
            if _local(el.tag) != "Relationship":
                continue
            rid = el.get("Id")
            if rid is None:  # required by the format; without it nothing can point at the target
                continue
            external = el.get("TargetMode") == "External"
            out[rid] = Relationship(rid, el.get("Type", ""),
                                    None if external else _resolve(source_part, el.get("Target", "")))
        return out

    def _sheet_entries(self) -> list[SheetEntry]:
        root = ElementTree.fromstring(self.workbook_xml.encode("utf-8"))
        entries = []
        for el in root.iter(f"{{{NS_MAIN}}}sheet"):
            rid = el.get(f"{{{NS_REL}}}id", "")
            rel = self.rels.get(rid)
            entries.append(SheetEntry(el.get("name", ""), int(el.get("sheetId", "0")), rid,
                                      rel.part if rel else None, rel.type if rel else ""))
        return entries

    def sheet(self, name: str) -> SheetEntry | None:
        """The sheet called ``name``; Excel sheet names ignore case, so this does too."""
        key = name.casefold()
        return next((s for s in self.sheets if s.name.casefold() == key), None)

    def sheet_relationships(self, part: str) -> dict[str, Relationship]:
        rels = rels_part(part)
        return self._relationships(part, self._text(rels)) if self.has(rels) else {}

    def tables(self) -> dict[str, str]:
        """Every Excel Table in the workbook: table part -> table name."""
        out = {}
        for m in _elements(self.types_xml, "Override"):
            if _attr(m.group(0), "ContentType") == CT_TABLE:
                part = (_attr(m.group(0), "PartName") or "").lstrip("/")
                if self.has(part):
                    with self.zip.open(self._by_lower[part.lower()]) as fh:
                        head = fh.read(4096).decode("utf-8", "replace")
                    m2 = re.search(r"<(?:\w+:)?table\b[^>]*>", head)
                    if m2:
                        out[part] = _attr(m2.group(0), "displayName") or _attr(m2.group(0), "name") or ""
        return out

    def defined_names(self) -> set[str]:
        return {(_attr(m.group(0), "name") or "").casefold() for m in _elements(self.workbook_xml, "definedName")}

    def workbook_names(self) -> dict[str, str]:
        """The workbook-level defined names (no ``localSheetId``): name -> what it refers to, as text."""
        out = {}
        for m in _elements(self.workbook_xml, "definedName"):
            element = m.group(0)
            if _attr(element, "localSheetId") is None and element.endswith(">") and not element.endswith("/>"):
                body = re.sub(r"^<[^>]*>|</[^>]*>$", "", element, flags=re.S)
                out[_attr(element, "name") or ""] = _unescape(body)
        return out

    def add_defined_name(self, name: str, refers_to: str, *, hidden: bool = True) -> None:
        """Add a workbook-level defined name when saving (``refers_to`` as Excel writes it: ``'Sheet'!$A$1``);
        a workbook-level name of that name already there is replaced (Excel refuses a name twice)."""
        self._names.append((name, refers_to, hidden))

    def read_rows(self, sheet_name: str, max_rows: int | None = None,
                  formats: dict[int, str] | None = None) -> list[list[Any]]:
        """A (small) sheet's cell values by row, header first, as Excel shows them (the first
        ``max_rows`` rows only, when given).

        Text comes from inline strings or the shared-string table (read only for the strings used),
        numbers as int or float, cells with a date/time format as datetime or time, TRUE/FALSE as bool.
        With ``formats`` given, it is filled with column index (0 = A) -> the number format of the
        column's first number below the header (``#,##0.00`` marks money the tool wrote).
        """
        entry = self.sheet(sheet_name)
        part = entry.worksheet_part if entry is not None else None
        if part is None or not self.has(part):
            return []
        dates = self.styles.date_formats()
        codes = self.styles.format_codes() if formats is not None else {}
        rows: list[list[Any]] = []
        shared: dict[int, str] = {}
        with self.zip.open(self._by_lower[part.lower()]) as fh:
            row: list[Any] = []
            for _, el in ElementTree.iterparse(fh):
                tag = _local(el.tag)
                if tag == "c":
                    ref = el.get("r")  # optional: a cell without it follows the previous one
                    col = _column_index(ref) if ref else len(row)
                    row.extend([None] * (col + 1 - len(row)))
                    row[col] = _cell_value(el, dates, shared)
                    if formats is not None and rows and col not in formats and el.get("t", "n") == "n":
                        formats[col] = codes.get(int(el.get("s", "0")), "General")
                elif tag == "row":
                    rows.append(row)
                    row = []
                    el.clear()
                    if max_rows is not None and len(rows) >= max_rows:
                        break
        if shared:
            self._shared_strings(shared)
            rows = [[shared[x.index] if isinstance(x, _Shared) else x for x in r] for r in rows]
        return rows

    def _shared_strings(self, wanted: dict[int, str]) -> None:
        """Fill ``wanted`` (index -> "") from the shared-string table, streaming through it."""
        part = next((r.part for r in self.rels.values() if r.type.endswith("/sharedStrings") and r.part), None)
        if part is None or not self.has(part):
            return
        with self.zip.open(self._by_lower[part.lower()]) as fh:
            i = 0
            for _, el in ElementTree.iterparse(fh):
                if _local(el.tag) == "si":
                    if i in wanted:
                        wanted[i] = _rich_text(el)
                    i += 1
                    el.clear()

    # -- adding sheets

    def put_sheet(self, name: str, table_name: str, columns: Sequence[str], widths: Sequence[float],
                  rows_xml: Iterable[str], last_row: int, links: Sequence[tuple[str, str]] = (),
                  charts: Sequence[SheetChart] = ()) -> None:
        """Add (or, when a sheet of that name exists, replace) sheet ``name`` holding Excel Table ``table_name``.

        ``rows_xml`` yields the ``<row>`` elements, header row first; ``last_row`` is the Excel row
        of the last data row (at least 2: a Table needs a body row). The sheet XML is written to a
        temporary file now, so the rows need not stay in memory. ``links`` are in-workbook hyperlinks,
        ``(cell, target)`` such as ``("F2", "'Administrations'!J7")``; they are read after the rows,
        so a caller may fill the list while ``rows_xml`` is consumed.

        Every tool sheet prints the way a biller reads it: landscape, all columns on one page width,
        the header row repeated on every page (the Print_Titles name is added when the book is saved).
        ``charts`` are drawn over the sheet (a drawing part and a chart part each, written on save).
        """
        last_col = v.excel_column_letter(len(columns))
        ref = f"A1:{last_col}{max(2, last_row)}"
        path = Path(self._tmp.name) / f"sheet{len(self._new) + 1}.xml"
        cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>' for i, w in enumerate(widths, 1))
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(f'{XML_DECLARATION}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
                     f'<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr><dimension ref="{ref}"/>'
                     '<sheetViews><sheetView workbookViewId="0">'
                     '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                     '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
                     f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>')
            for xml in rows_xml:
                fh.write(xml)
            fh.write("</sheetData>")
            if links:
                fh.write("<hyperlinks>")
                for cell, target in links:
                    fh.write(f'<hyperlink ref="{cell}" location="{attr_xml(target)}"/>')
                fh.write("</hyperlinks>")
            drawing = '<drawing r:id="rId2"/>' if charts else ""
            fh.write(f'<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                     f'{PAGE_SETUP}{drawing}<tableParts count="1"><tablePart r:id="rId1"/></tableParts></worksheet>')
        self._new.append(_NewSheet(name, table_name, list(columns), ref, path, charts=list(charts)))

    def arrange(self, order: Sequence[str]) -> None:
        """Put the sheets named in ``order`` (tool sheets, written now or before) in that order, in the
        places they hold among the workbook's sheets (new ones at the end); every other sheet stays put."""
        self._order = list(order)

    # -- writing the output

    def save(self, target: str | Path) -> None:
        """Write the input's parts plus the new sheets to ``target`` (use save_atomically for safety).

        The input file is closed afterwards, because Windows cannot rename a file over one that is
        still open (``--in-place``); a package is therefore saved once.
        """
        try:
            plan = self._plan()
            with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL) as dst:
                for info in self.infos:
                    if info.filename in plan.deleted:
                        continue
                    pieces = plan.parts.pop(info.filename, None)
                    if pieces is None:
                        copy_part(self.zip, dst, info)
                    else:
                        write_part(dst, info.filename, pieces)
                for name, pieces in plan.parts.items():
                    write_part(dst, name, pieces)
        finally:
            self.zip.close()

    def _plan(self) -> _Plan:
        plan = _Plan()
        workbook, rels, types = self.workbook_xml, self.rels_xml, self.types_xml
        taken = set(self._by_lower)
        replaced_ids: set[int] = set()
        removed_tables: set[str] = set()
        next_sheet_id = max((s.sheet_id for s in self.sheets), default=0) + 1
        for new in self._new:
            entry = self.sheet(new.name)
            if entry is not None:
                replaced_ids.add(entry.sheet_id)
                if entry.name != new.name:
                    workbook = _rename_sheet(workbook, entry.name, new.name)
                part = entry.worksheet_part
                if part is not None:
                    new.part = self._by_lower.get(part.lower(), part)
                    for rel in self.sheet_relationships(part).values():
                        if rel.type == REL_TABLE and rel.part and self.has(rel.part):
                            removed_tables.add(self._by_lower[rel.part.lower()])
                        elif rel.type == REL_DRAWING and rel.part and self.has(rel.part):
                            plan.deleted |= self._drawing_parts(rel.part)
                else:  # e.g. a chart sheet of that name: the relationship now points at a worksheet
                    new.part = _free_name(taken, "xl/worksheets/sheet{}.xml")
                    rels = _replace_relationship(rels, entry.rid, REL_WORKSHEET, new.part)
                    types = _add_override(types, new.part, CT_WORKSHEET)
            else:
                new.part = _free_name(taken, "xl/worksheets/sheet{}.xml")
                rid = _free_rid(self.rels, rels)
                workbook = _add_sheet(workbook, new.name, next_sheet_id, rid)
                next_sheet_id += 1
                rels = _insert_before_close(rels, "Relationships", _relationship_xml(rid, REL_WORKSHEET, new.part))
                types = _add_override(types, new.part, CT_WORKSHEET)
            taken.add(new.part.lower())

        for name, refers_to, hidden in self._names:
            workbook = _add_defined_name(_remove_defined_name(workbook, name), name, refers_to, hidden)
        workbook = _arrange_sheets(workbook, self._order)
        workbook = _print_titles(workbook, [new.name for new in self._new])

        existing_tables = {p: n for p, n in self.tables().items() if p not in removed_tables}
        self._check_table_names(existing_tables)
        next_table_id = self._max_table_id(existing_tables) + 1
        for new in self._new:
            new.table_part = _free_name(taken, "xl/tables/table{}.xml")
            taken.add(new.table_part.lower())
            new.table_id = next_table_id
            next_table_id += 1
            types = _add_override(types, new.table_part, CT_TABLE)
            plan.parts[new.part] = [new.xml_path]
            if new.charts:
                new.drawing_part = _free_name(taken, "xl/drawings/drawing{}.xml")
                taken.add(new.drawing_part.lower())
                types = _add_override(types, new.drawing_part, CT_DRAWING)
                chart_parts = []
                for chart in new.charts:
                    chart_part = _free_name(taken, "xl/charts/chart{}.xml")
                    taken.add(chart_part.lower())
                    chart_parts.append(chart_part)
                    types = _add_override(types, chart_part, CT_CHART)
                    plan.parts[chart_part] = [chart.xml]
                plan.parts[new.drawing_part] = [drawing_xml(new.charts)]
                plan.parts[rels_part(new.drawing_part)] = [drawing_rels_xml(new.drawing_part, chart_parts)]
            sheet_rels = rels_part(new.part)
            plan.parts[self._by_lower.get(sheet_rels.lower(), sheet_rels)] = [_sheet_rels_xml(new)]
            plan.parts[new.table_part] = [_table_xml(new)]

        plan.deleted |= removed_tables
        calc_chain = next((r for r in self.rels.values() if r.type == REL_CALC_CHAIN and r.part), None)
        chain_part = calc_chain.part if calc_chain is not None else None
        if calc_chain and chain_part and self.has(chain_part) and replaced_ids & self._calc_chain_sheet_ids(chain_part):
            # Its entries point at formula cells of the replaced sheet that no longer exist; Excel rebuilds it.
            plan.deleted.add(self._by_lower[chain_part.lower()])
            rels = _remove_relationship(rels, calc_chain.rid)
        for part in plan.deleted:
            types = _remove_override(types, part)

        if self.styles.changed:
            if self.styles_part is None:
                self.styles_part = "xl/styles.xml"
                rels = _insert_before_close(rels, "Relationships",
                                            _relationship_xml(_free_rid(self.rels, rels), REL_STYLES, self.styles_part))
                types = _add_override(types, self.styles_part, CT_STYLES)
            plan.parts[self._by_lower.get(self.styles_part.lower(), self.styles_part)] = [self.styles.render()]
        for part, old, new_text in ((WORKBOOK, self.workbook_xml, workbook), (WORKBOOK_RELS, self.rels_xml, rels),
                                    (CONTENT_TYPES, self.types_xml, types)):
            if new_text != old:
                plan.parts[self._by_lower[part.lower()]] = [new_text.encode("utf-8")]
        return plan

    def _drawing_parts(self, drawing: str) -> set[str]:
        """A replaced tool sheet's drawing with everything it draws: the drawing, its charts, and the parts
        those charts point at (Excel adds a style and a colour part per chart), with their relationships."""
        out: set[str] = set()
        todo = [drawing]
        while todo:
            part = todo.pop()
            if not self.has(part) or self._by_lower[part.lower()] in out:
                continue
            out.add(self._by_lower[part.lower()])
            rels = rels_part(part)
            if self.has(rels):
                out.add(self._by_lower[rels.lower()])
                todo += [r.part for r in self._relationships(part, self._text(rels)).values() if r.part]
        return out

    def _check_table_names(self, existing: dict[str, str]) -> None:
        ours = [n.table_name for n in self._new]
        if len({n.casefold() for n in ours}) != len(ours):
            raise ValueError(f"two result tables share a name: {', '.join(ours)}")
        taken = {n.casefold() for n in existing.values()} | self.defined_names()
        clash = [n for n in ours if n.casefold() in taken]
        if clash:
            raise WorkbookError(f"{self.path.name} already has a table or defined name called {clash[0]} on another "
                                f"sheet; rename it (Table Design > Table Name) so the results can use that name.")

    def _max_table_id(self, tables: dict[str, str]) -> int:
        top = 0
        for part in tables:
            with self.zip.open(self._by_lower[part.lower()]) as fh:
                m = re.search(r"<(?:\w+:)?table\b[^>]*>", fh.read(4096).decode("utf-8", "replace"))
            table_id = _attr(m.group(0), "id") if m else None
            if table_id is not None and table_id.isdigit():
                top = max(top, int(table_id))
        return top

    def _calc_chain_sheet_ids(self, part: str) -> set[int]:
        """The sheet ids the calculation chain names (an entry without ``i`` repeats the previous one's)."""
        ids, current = set(), 0
        with self.zip.open(self._by_lower[part.lower()]) as fh:
            for _, el in ElementTree.iterparse(fh):
                if _local(el.tag) == "c":
                    current = int(el.get("i", current))
                    ids.add(current)
                    el.clear()
        return ids

    # -- lifetime

    def close(self) -> None:
        self.zip.close()
        self._tmp.cleanup()

    def __enter__(self) -> WorkbookPackage:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# ----------------------------------------------------------------------------- structural edits


def _free_name(taken: set[str], pattern: str) -> str:
    """The first ``pattern.format(n)`` above every number already used with that pattern."""
    numbers = [int(m.group(1)) for name in taken
               if (m := re.fullmatch(re.escape(pattern.lower()).replace(r"\{\}", r"(\d+)"), name))]
    n = max(numbers, default=0) + 1
    while pattern.format(n).lower() in taken:
        n += 1
    return pattern.format(n)


def _free_rid(existing: dict[str, Relationship], rels_xml: str) -> str:
    used = set(existing) | set(re.findall(r'\sId="([^"]+)"', rels_xml))
    n = 1
    while f"rId{n}" in used:
        n += 1
    return f"rId{n}"


def _add_sheet(workbook: str, name: str, sheet_id: int, rid: str) -> str:
    p = _prefix(workbook, "workbook")
    # Only a prefix the root element declares is in scope here: a file whose writer declared it on each
    # <sheet> (openpyxl with lxml does) gets the declaration on the new element too, or the XML is broken.
    root = re.search(r"<(?:\w+:)?workbook\b[^>]*>", workbook)
    m = re.search(rf'xmlns:(\w+)\s*=\s*"{re.escape(NS_REL)}"', root.group(0)) if root else None
    rel_attr = f'{m.group(1)}:id="{rid}"' if m else f'xmlns:r="{NS_REL}" r:id="{rid}"'
    element = f'<{p}sheet name="{attr_xml(name)}" sheetId="{sheet_id}" {rel_attr}/>'
    return _insert_before_close(workbook, "sheets", element)


def _add_defined_name(workbook: str, name: str, refers_to: str, hidden: bool, local_sheet: int | None = None) -> str:
    """Add ``<definedName>`` to the workbook's list, creating the list after ``<sheets>`` (or the
    external references, which come between them in the schema's order) when there is none.
    ``local_sheet`` (a sheet's position) makes it a sheet-level name such as Print_Titles."""
    p = _prefix(workbook, "workbook")
    flag = ' hidden="1"' if hidden else ""
    if local_sheet is not None:
        flag += f' localSheetId="{local_sheet}"'
    element = f'<{p}definedName name="{attr_xml(name)}"{flag}>{text_xml(refers_to)}</{p}definedName>'
    if re.search(r"<(?:\w+:)?definedNames\s*/>", workbook):
        return re.sub(r"<((?:\w+:)?)definedNames\s*/>",
                      lambda m: f"<{m.group(1)}definedNames>{element}</{m.group(1)}definedNames>", workbook, count=1)
    if re.search(r"</(?:\w+:)?definedNames\s*>", workbook):
        return _insert_before_close(workbook, "definedNames", element)
    after = list(re.finditer(r"</(?:\w+:)?externalReferences\s*>", workbook)) or \
        list(re.finditer(r"</(?:\w+:)?sheets\s*>", workbook))
    if not after:
        raise WorkbookError("The workbook's sheet list is malformed; open and re-save it in Excel.")
    at = after[-1].end()
    return workbook[:at] + f"<{p}definedNames>{element}</{p}definedNames>" + workbook[at:]


def _remove_defined_name(workbook: str, name: str) -> str:
    """The workbook's list without its workbook-level ``<definedName>`` called ``name`` (any case, as Excel
    compares names)."""
    for m in reversed(list(_elements(workbook, "definedName"))):
        element = m.group(0)
        if _attr(element, "localSheetId") is None and (_attr(element, "name") or "").casefold() == name.casefold():
            workbook = workbook[:m.start()] + workbook[m.end():]
    return workbook


def _rename_sheet(workbook: str, old: str, new: str) -> str:
    for m in _elements(workbook, "sheet"):
        if _attr(m.group(0), "name") == old:
            element = re.sub(r'(\sname\s*=\s*)(["\']).*?\2', lambda x: f'{x.group(1)}"{attr_xml(new)}"', m.group(0),
                             count=1, flags=re.S)
            return workbook[:m.start()] + element + workbook[m.end():]
    return workbook


def _arrange_sheets(workbook: str, order: Sequence[str]) -> str:
    """``<sheet>`` elements of the sheets in ``order`` moved into that order, in the slots they hold.

    Sheet-local defined names (``localSheetId``) and the active and first visible tab count sheets by
    position, so they are renumbered to follow their sheets.
    """
    sheets = _elements(workbook, "sheet")
    names = [_attr(m.group(0), "name") or "" for m in sheets]
    wanted = {n.casefold(): i for i, n in enumerate(order)}
    slots = [i for i, n in enumerate(names) if n.casefold() in wanted]
    moving = sorted(slots, key=lambda i: wanted[names[i].casefold()])
    new_positions = list(range(len(names)))
    for slot, old in zip(slots, moving, strict=True):
        new_positions[slot] = old
    if new_positions == list(range(len(names))):
        return workbook
    where = {old: new for new, old in enumerate(new_positions)}  # old position -> new position
    pieces, at = [], 0
    for m, old in zip(sheets, new_positions, strict=True):
        pieces += [workbook[at:m.start()], sheets[old].group(0)]
        at = m.end()
    workbook = "".join(pieces) + workbook[at:]

    def renumber(m: re.Match) -> str:
        return f'{m.group(1)}"{where.get(int(m.group(2)), int(m.group(2)))}"'

    workbook = re.sub(r'(<(?:\w+:)?definedName\b[^>]*?\slocalSheetId\s*=\s*)"(\d+)"', renumber, workbook)
    return re.sub(r'(<(?:\w+:)?workbookView\b[^>]*?\s(?:activeTab|firstSheet)\s*=\s*)"(\d+)"', renumber, workbook)


def _print_titles(workbook: str, sheet_names: Sequence[str]) -> str:
    """The header row of each sheet in ``sheet_names`` repeated on every printed page (``Print_Titles``)."""
    positions = {(_attr(m.group(0), "name") or "").casefold(): i for i, m in enumerate(_elements(workbook, "sheet"))}
    for name in sheet_names:
        index = positions.get(name.casefold())
        if index is None:
            continue
        for m in _elements(workbook, "definedName"):
            if _attr(m.group(0), "name") == PRINT_TITLES and _attr(m.group(0), "localSheetId") == str(index):
                workbook = workbook[:m.start()] + workbook[m.end():]
                break
        quoted = name.replace("'", "''")
        workbook = _add_defined_name(workbook, PRINT_TITLES, "'" + quoted + "'!$1:$1", False, local_sheet=index)
    return workbook


def _relationship_xml(rid: str, rel_type: str, part: str) -> str:
    """A workbook relationship, its target relative to xl/ as Excel writes it (``worksheets/sheet7.xml``)."""
    target = posixpath.relpath(part, posixpath.dirname(WORKBOOK))
    return f'<Relationship Id="{rid}" Type="{rel_type}" Target="{attr_xml(target)}"/>'


def _relationship_span(rels: str, rid: str) -> re.Match | None:
    return next((m for m in _elements(rels, "Relationship") if _attr(m.group(0), "Id") == rid), None)


def _replace_relationship(rels: str, rid: str, rel_type: str, part: str) -> str:
    m = _relationship_span(rels, rid)
    element = _relationship_xml(rid, rel_type, part)
    return rels[:m.start()] + element + rels[m.end():] if m else _insert_before_close(rels, "Relationships", element)


def _remove_relationship(rels: str, rid: str) -> str:
    m = _relationship_span(rels, rid)
    return rels[:m.start()] + rels[m.end():] if m else rels


def _add_override(types: str, part: str, content_type: str) -> str:
    if any((_attr(m.group(0), "PartName") or "").lower() == "/" + part.lower() for m in _elements(types, "Override")):
        types = _remove_override(types, part)
    return _insert_before_close(types, "Types",
                                f'<Override PartName="/{attr_xml(part)}" ContentType="{content_type}"/>')


def _remove_override(types: str, part: str) -> str:
    for m in _elements(types, "Override"):
        if (_attr(m.group(0), "PartName") or "").lower() == "/" + part.lower():
            return types[:m.start()] + types[m.end():]
    return types


def _sheet_rels_xml(new: _NewSheet) -> bytes:
    here = posixpath.dirname(new.part)
    target = posixpath.relpath(new.table_part, here)
    drawing = (f'<Relationship Id="rId2" Type="{REL_DRAWING}" '
               f'Target="{attr_xml(posixpath.relpath(new.drawing_part, here))}"/>' if new.drawing_part else "")
    return (f'{XML_DECLARATION}<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" Type="{REL_TABLE}" '
            f'Target="{attr_xml(target)}"/>{drawing}</Relationships>').encode()


def _table_xml(new: _NewSheet) -> bytes:
    columns = "".join(f'<tableColumn id="{i}" name="{attr_xml(c)}"/>' for i, c in enumerate(new.columns, 1))
    name = attr_xml(new.table_name)
    return (f'{XML_DECLARATION}<table xmlns="{NS_MAIN}" id="{new.table_id}" name="{name}" displayName="{name}" '
            f'ref="{new.ref}" totalsRowShown="0"><autoFilter ref="{new.ref}"/>'
            f'<tableColumns count="{len(new.columns)}">{columns}</tableColumns>'
            f'<tableStyleInfo name="{TABLE_STYLE}" showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
            f'showColumnStripes="0"/></table>').encode()


# ----------------------------------------------------------------------------- reading cells


@dataclass(frozen=True)
class _Shared:
    index: int


def _column_index(ref: str) -> int:
    n = 0
    for ch in ref:
        if not ch.isalpha():
            break
        n = n * 26 + ord(ch.upper()) - 64
    return n - 1


def _rich_text(box) -> str:
    """The text of an ``<si>`` or ``<is>``: its ``<t>``, or its runs' ``<t>``s (phonetic guides left out)."""
    out = []
    for child in box:
        tag = _local(child.tag)
        if tag == "t":
            out.append(child.text or "")
        elif tag == "r":
            out += [t.text or "" for t in child if _local(t.tag) == "t"]
    return "".join(out)


def _cell_value(el, date_styles: dict[int, bool], shared: dict[int, str]) -> Any:
    kind = el.get("t", "n")
    value = next((c.text for c in el if _local(c.tag) == "v"), None)
    if kind == "inlineStr":
        box = next((c for c in el if _local(c.tag) == "is"), None)
        return _rich_text(box) if box is not None else None
    if value is None:
        return None
    if kind == "s":
        shared[int(value)] = ""
        return _Shared(int(value))
    if kind in ("str", "e"):
        return value
    if kind == "b":
        return value.strip() in ("1", "true")
    number = float(value)
    style = int(el.get("s", "0"))
    if style in date_styles:
        return from_serial(number, as_date=date_styles[style])
    return int(number) if number.is_integer() and re.fullmatch(r"-?\d+", value.strip()) else number


# ----------------------------------------------------------------------------- styles


#: Excel's built-in number formats that read the same in every locale (others are custom here).
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
                   "0.00E+00": 11, "@": 49}
#: Built-in format ids that show a date or a time (the locale decides how).
BUILTIN_DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))
BUILTIN_TIME_IDS = {18, 19, 20, 21, 45, 46, 47}

_SECTIONS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
             "tableStyles", "colors", "extLst")
_DEFAULT_SECTIONS = {
    "fonts": '<{p}font><{p}sz val="11"/><{p}name val="Calibri"/><{p}family val="2"/></{p}font>',
    "fills": '<{p}fill><{p}patternFill patternType="none"/></{p}fill>'
             '<{p}fill><{p}patternFill patternType="gray125"/></{p}fill>',
    "borders": "<{p}border><{p}left/><{p}right/><{p}top/><{p}bottom/><{p}diagonal/></{p}border>",
    "cellStyleXfs": '<{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>',
    "cellXfs": '<{p}xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
}
_CHILD = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellStyleXfs": "xf",
          "cellXfs": "xf"}
MINIMAL_STYLES = f'{XML_DECLARATION}<styleSheet xmlns="{NS_MAIN}"></styleSheet>'


class StyleSheet:
    """xl/styles.xml, with fonts, fills, number formats and cell formats appended, never renumbered.

    Cell ``s="N"`` attributes in every sheet point into ``cellXfs`` by position, so anything added
    goes at the end; an identical entry already there (from an earlier run) is reused instead.
    """

    def __init__(self, xml: str | None):
        self.xml = xml or MINIMAL_STYLES
        self.changed = xml is None
        self._formats: dict[tuple, int] = {}
        self.p = _prefix(self.xml, "styleSheet")
        for section in ("fonts", "fills", "borders", "cellStyleXfs", "cellXfs"):
            self._ensure(section)

    def render(self) -> bytes:
        return self.xml.encode("utf-8")

    # -- sections

    def _section(self, name: str) -> re.Match | None:
        return re.search(rf"<(?:\w+:)?{name}\b[^>]*?(?:/>|>.*?</(?:\w+:)?{name}\s*>)", self.xml, re.S)

    def _items(self, name: str) -> list[str]:
        m = self._section(name)
        return [x.group(0) for x in _elements(m.group(0), _CHILD[name])] if m else []

    def _ensure(self, name: str) -> None:
        if self._section(name):
            return
        p = self.p
        children = _DEFAULT_SECTIONS.get(name, "").format(p=p)
        count = len(_elements(children, _CHILD[name]))
        text = f'<{p}{name} count="{count}">{children}</{p}{name}>'
        later = _SECTIONS[_SECTIONS.index(name) + 1:]
        at = None
        for other in later:
            m = self._section(other)
            if m:
                at = m.start()
                break
        if at is None:
            at = list(re.finditer(r"</(?:\w+:)?styleSheet\s*>", self.xml))[-1].start()
        self.xml = self.xml[:at] + text + self.xml[at:]
        self.changed = True

    def _add(self, name: str, element: str) -> int:
        """Index of ``element`` in section ``name``: the existing identical one, else appended."""
        self._ensure(name)
        items = self._items(name)
        if element in items:
            return items.index(element)
        m = self._section(name)
        assert m is not None, f"_ensure added the {name} section"
        section = m.group(0)
        if section.endswith("/>") and not section.endswith(f"</{self.p}{name}>"):
            section = section[:-2].rstrip() + f"></{self.p}{name}>"
        close = section.rfind("</")
        section = section[:close] + element + section[close:]
        section = re.sub(r'(<(?:\w+:)?\w+\b[^>]*?\scount\s*=\s*")\d+(")', rf"\g<1>{len(items) + 1}\g<2>", section,
                         count=1)
        if not re.match(r"<[^>]*\scount=", section):
            section = re.sub(r"^(<(?:\w+:)?\w+)", rf'\1 count="{len(items) + 1}"', section, count=1)
        self.xml = self.xml[:m.start()] + section + self.xml[m.end():]
        self.changed = True
        return len(items)

    # -- what the writer asks for

    def number_format_id(self, code: str) -> int:
        """The id of number format ``code``: built-in, already declared, or newly declared (164 and up)."""
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        declared = {(_attr(x, "formatCode") or ""): int(_attr(x, "numFmtId") or 0) for x in self._items("numFmts")}
        if code in declared:
            return declared[code]
        new_id = max([163, *declared.values()]) + 1
        self._ensure("numFmts")
        self._add("numFmts", f'<{self.p}numFmt numFmtId="{new_id}" formatCode="{attr_xml(code)}"/>')
        return new_id

    def default_font(self) -> dict[str, str]:
        """The workbook's normal font (size, name, family, scheme), for new fonts to match it."""
        fonts = self._items("fonts")
        first = fonts[0] if fonts else _DEFAULT_SECTIONS["fonts"].format(p="")
        found = {}
        for tag in ("sz", "name", "family", "charset", "scheme"):
            m = re.search(rf"<(?:\w+:)?{tag}\b[^>]*/>", first)
            if m:
                found[tag] = _attr(m.group(0), "val") or ""
        return found

    def cell_format(self, number_format: str = "General", *, bold_color: str | None = None,
                    fill: str | None = None, wrap_top: bool = False, quote_prefix: bool = False,
                    link: bool = False) -> int:
        """The index of a cell format (``s="N"``): a number format, optionally a bold coloured font, a solid
        fill, wrapped top-aligned text, the quote prefix that keeps typed text text, or the blue
        underlined look of a hyperlink."""
        key = (number_format, bold_color, fill, wrap_top, quote_prefix, link)
        if key not in self._formats:
            self._formats[key] = self._cell_format(*key)
        return self._formats[key]

    def _cell_format(self, number_format: str, bold_color: str | None, fill: str | None, wrap_top: bool,
                     quote_prefix: bool, link: bool) -> int:
        p = self.p
        font_id = fill_id = 0
        if bold_color or link:
            base = self.default_font()
            parts = [f"<{p}b/>"] if bold_color else [f'<{p}u/>']
            bold_color = bold_color or LINK_COLOR
            if "sz" in base:
                parts.append(f'<{p}sz val="{attr_xml(base["sz"])}"/>')
            parts.append(f'<{p}color rgb="FF{bold_color}"/>')
            parts += [f'<{p}{tag} val="{attr_xml(base[tag])}"/>' for tag in ("name", "family", "charset", "scheme")
                      if tag in base]
            font_id = self._add("fonts", f"<{p}font>{''.join(parts)}</{p}font>")
        if fill:
            fill_id = self._add("fills", f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="FF{fill}"/>'
                                         f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')
        fmt_id = self.number_format_id(number_format)
        attrs = f'numFmtId="{fmt_id}" fontId="{font_id}" fillId="{fill_id}" borderId="0" xfId="0"'
        if fmt_id:
            attrs += ' applyNumberFormat="1"'
        if font_id:
            attrs += ' applyFont="1"'
        if fill_id:
            attrs += ' applyFill="1"'
        if quote_prefix:
            attrs += ' quotePrefix="1"'
        if wrap_top:
            return self._add("cellXfs", f'<{p}xf {attrs} applyAlignment="1"><{p}alignment vertical="top" '
                                        f'wrapText="1"/></{p}xf>')
        return self._add("cellXfs", f"<{p}xf {attrs}/>")

    def format_codes(self) -> dict[int, str]:
        """Cell format index -> its number format code (built-in ones by the code they stand for)."""
        codes = {int(_attr(x, "numFmtId") or 0): _attr(x, "formatCode") or "" for x in self._items("numFmts")}
        builtin = {number: code for code, number in BUILTIN_FORMATS.items()}
        out = {}
        for i, xf in enumerate(self._items("cellXfs")):
            fmt_id = int(_attr(xf, "numFmtId") or 0)
            out[i] = codes.get(fmt_id) or builtin.get(fmt_id, "General")
        return out

    def date_formats(self) -> dict[int, bool]:
        """Cell format index -> True for a date (or date and time) format, False for a time-only format."""
        codes = {int(_attr(x, "numFmtId") or 0): _attr(x, "formatCode") or "" for x in self._items("numFmts")}
        out = {}
        for i, xf in enumerate(self._items("cellXfs")):
            fmt_id = int(_attr(xf, "numFmtId") or 0)
            code = codes.get(fmt_id)
            if code is not None and is_date_format(code):
                bare = re.sub(r'"[^"]*"|\[[^\]]*\]', "", code).lower()
                out[i] = any(ch in bare for ch in "dy") or ("m" in bare and "h" not in bare and "s" not in bare)
            elif code is None and fmt_id in BUILTIN_DATE_IDS:
                out[i] = fmt_id not in BUILTIN_TIME_IDS
        return out
