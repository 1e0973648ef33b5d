"""From grids to typed tables: headers matched to the schema, rows typed, keys and references checked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import islice
from typing import Any

from ... import values as v
from ...findings import Finding
from ...privacy import phi_values
from ...rules import reader as rules
from ...schema import INPUT_TABLES, TABLES_BY_NAME, SettingRow, TableSpec
from ...settings import Settings, spec_for
from .book import BookData, Grid, TableData, value_text
from .grids import WorkbookGrids
from .rows import cell_finding, encounter_of, key_part, row_builder


def read_grids(grids: Mapping[str, Grid], tables: Sequence[TableSpec] = INPUT_TABLES) -> BookData:
    """Turn raw grids (from a file, from xlwings, or from a test) into typed tables and Findings.

    Each table's grid is asked for once and let go as soon as it is typed (its patient-data values
    noted first): from a file (:class:`~.grids.WorkbookGrids`) that keeps one table's raw cells in
    memory at a time.
    """
    findings: list[Finding] = []
    data: dict[str, TableData] = {}
    for spec in INPUT_TABLES:
        data[spec.name] = TableData(spec)
    phi: set[str] = set()
    for spec in tables:
        grid = grids.get(spec.name)
        if grid is None:
            continue
        phi |= phi_values({spec.name: grid})
        # A grid read from the file here is nobody else's: its rows are let go as they are typed.
        data[spec.name] = _parse_grid(spec, grid, findings, release=isinstance(grids, WorkbookGrids))
        del grid  # before the next table's cells are read
    # Patient data in an input table handed over but not typed (a macro passes every sheet) is kept out too.
    typed = {spec.name for spec in tables}
    for name in [n for n in grids if n not in typed and n in TABLES_BY_NAME]:
        phi |= phi_values({name: grids[name]})

    settings = Settings()
    if data["Settings"].usable:
        settings = _settings_from_rows(data["Settings"], findings)

    _check_references(data, findings)
    return BookData(tables=data, findings=findings, settings=settings, phi_values=phi)


#: How far down a plain sheet the header row is looked for, under a title block (clinic name, month).
HEADER_SEARCH_ROWS = 10


def _parse_grid(spec: TableSpec, grid: Grid, findings: list[Finding], *, release: bool = False) -> TableData:
    """The typed table of one grid, its bad cells added to ``findings``.

    With ``release`` each raw row is dropped from the grid once typed, so its cells' memory is reused
    by the rows being built instead of the whole table's cells staying until the end (at 100,000
    encounters the Administrations cells are a few hundred MB, scattered among the typed rows).
    """
    table = TableData(spec, sheet=grid.sheet, present=True)
    if not grid.rows:
        findings.append(rules.MISSING_COLUMN.finding(
                                f"The {spec.name} table has no header row.", sheet=grid.sheet, row=grid.top,
                                fix="Put the column headers in the first row of the table."))
        return table
    by_key = {v.norm_key(c.header): c for c in spec.columns}
    if not grid.table_name:
        grid = _below_title_block(spec, grid, by_key, findings)
    _note_synonym(spec, grid, findings)
    header_row = grid.rows[0]
    col_index: dict[str, int] = {}

    for (r0, c0), (r1, c1) in grid.merged:
        if r0 <= grid.top <= r1 and c1 > c0:
            cell = f"{v.excel_column_letter(c0)}{grid.top}"
            findings.append(rules.MERGED_HEADER.finding(
                                    f"Header cells {cell}:{v.excel_column_letter(c1)}{r1} are merged; "
                                    "each column needs its own header.", sheet=grid.sheet, row=grid.top, cell=cell,
                                    fix="Unmerge the header cells and type one header per column."))

    for i, raw in enumerate(header_row):
        excel_col = grid.left + i
        letter = v.excel_column_letter(excel_col)
        if v.is_blank(raw):
            continue
        header_text = str(raw).strip()
        colspec = by_key.get(v.norm_key(header_text))
        if colspec is None:
            findings.append(rules.EXTRA_COLUMN.finding(
                                    f"Column '{header_text}' is not used by infusion-billing; it was left as it is.",
                                    sheet=grid.sheet, row=grid.top, column=header_text, cell=f"{letter}{grid.top}"))
            continue
        if colspec.header in col_index:
            findings.append(rules.DUPLICATE_COLUMN.finding(
                                    f"Column '{colspec.header}' appears twice; the first one is used.",
                                    sheet=grid.sheet, row=grid.top, column=colspec.header, cell=f"{letter}{grid.top}"))
            continue
        col_index[colspec.header] = i
        table.columns[colspec.header] = letter

    numbered_id = spec.numbered_from[0] if spec.numbered_from else ""
    missing_required = [c for c in spec.columns if c.required and c.header not in col_index
                        and c.header != numbered_id]
    for c in missing_required:
        findings.append(rules.MISSING_COLUMN.finding(
                                f"The {spec.name} table has no '{c.header}' column, which is required.",
                                sheet=grid.sheet, row=grid.top, column=c.header,
                                fix=f"Add a column headed '{c.header}'."))
    if missing_required:
        return table
    table.usable = True
    table.end_row = grid.top

    key_headers = spec.key
    key_rows: dict[tuple, int] = {}
    columns = [(c, col_index[c.header]) for c in spec.columns if c.header in col_index]
    blank_run: list[int] = []
    build_row = row_builder(spec)
    formulas = grid.formulas
    pairs = [(c.header, i) for c, i in columns]
    numbering = _IdNumbering(spec, grid, col_index) if spec.numbered_from else None
    raw_rows = grid.rows
    for offset, values in enumerate(islice(raw_rows, 1, None), start=1):
        if release:
            raw_rows[offset] = None  # type: ignore[call-overload]  # ``values`` holds it for this pass
        excel_row = grid.top + offset
        record: dict[str, Any] = {}
        width = len(values)
        # The hot loop of a 100,000-row read: plain comparisons instead of helper calls.
        for header, i in pairs:
            raw = values[i] if i < width else None
            if raw is None or raw == "":
                continue
            if raw.__class__ is str:
                raw = raw.strip()
                if not raw:
                    continue
            record[header] = raw
        formula_notes: list[tuple[str, Any]] = []
        if formulas:
            formula_notes = [(h, values[i] if i < width else None) for h, i in pairs
                             if (excel_row, grid.left + i) in formulas]
        if not record and not any(not v.is_blank(x) for x in values):
            blank_run.append(excel_row)
            continue
        for blank in blank_run:
            findings.append(rules.EMPTY_ROW.finding(
                                    f"Row {blank} of {spec.name} is empty; it was skipped.",
                                    sheet=grid.sheet, row=blank))
        blank_run = []
        table.end_row = excel_row
        if numbering is not None:
            numbering.fill(record, excel_row)
        key = tuple(key_part(record.get(h)) for h in key_headers)
        if key_headers and any(k for k in key):
            table.keys_seen.add(key)
        row, errors = build_row(record, excel_row)
        # A required cell whose formula has no stored value is reported once, as that (cell_finding).
        unvalued = frozenset(h for h, raw in formula_notes if v.is_blank(raw))
        error_findings = [cell_finding(spec, table, excel_row, e, record, unvalued) for e in errors]
        explained = {f.column for f in error_findings if f.rule_id == rules.FORMULA_NO_VALUE.id}
        for header, raw in formula_notes:
            cell = table.cell(excel_row, header)
            if header in explained:
                continue
            if v.is_blank(raw):
                findings.append(rules.FORMULA_NO_VALUE.finding(
                                        f"{header} holds a formula with no calculated value (not calculated when "
                                        "saved, or an error such as #N/A); it was read as blank.",
                                        sheet=grid.sheet, row=excel_row, column=header, cell=cell,
                                        fix="Open the workbook in Excel, let it calculate, save, and run again; "
                                            "or type the value."))
            else:
                findings.append(rules.FORMULA_VALUE_USED.finding(
                                        f"{header} holds a formula; its last calculated value was used.",
                                        sheet=grid.sheet, row=excel_row, column=header, cell=cell,
                                        value=value_text(raw)))
        if errors:
            findings.extend(error_findings)
            continue
        if key_headers and all(k is not None for k in key[:1]):
            first = key_rows.get(key)
            if first is not None:
                shown = ", ".join(str(k) for k in key if k)
                findings.append(rules.DUPLICATE_KEY.finding(
                                        f"{' + '.join(key_headers)} '{shown}' is already used on row {first}; "
                                        "this row was left out.", sheet=grid.sheet, row=excel_row,
                                        column=key_headers[0], cell=table.cell(excel_row, key_headers[0]),
                                        value=shown, fix="Give each row its own ID, or delete the duplicate.",
                                        encounter_id=encounter_of(record)))
                continue
            key_rows[key] = excel_row
        table.rows.append(row)
    if numbering is not None:
        findings.extend(numbering.findings(table))
    return table


def _header_matches(row: list[Any], by_key: dict[str, Any]) -> int:
    return sum(1 for x in row if not v.is_blank(x) and v.norm_key(str(x).strip()) in by_key)


def _below_title_block(spec: TableSpec, grid: Grid, by_key: dict[str, Any], findings: list[Finding]) -> Grid:
    """The grid from its header row down, when a plain sheet has a title block above the headers.

    Practices put the clinic's name, the month or a note over their columns. When the first row
    names none of the table's columns, the first rows are searched for the one naming the most (at
    least two); the rows above it are left out and one info finding says where the headers were found.
    """
    if _header_matches(grid.rows[0], by_key):
        return grid
    best, best_count = 0, 1
    for i, row in enumerate(grid.rows[1:HEADER_SEARCH_ROWS], start=1):
        count = _header_matches(row, by_key)
        if count > best_count:
            best, best_count = i, count
    if not best:
        return grid
    header_row = grid.top + best
    findings.append(rules.HEADER_ROW_FOUND.finding(
        f"The {spec.name} headers are on row {header_row}; the title rows above them were not read.",
        sheet=grid.sheet, row=header_row, cell=f"{v.excel_column_letter(grid.left)}{header_row}"))
    return replace(grid, rows=grid.rows[best:], top=header_row)


def _note_synonym(spec: TableSpec, grid: Grid, findings: list[Finding]) -> None:
    """One info finding when the table was read from a sheet or Table under another name (Visits)."""
    used = grid.table_name or grid.sheet
    if v.norm_key(used) in (v.norm_key(spec.name), v.norm_key("tbl" + spec.name)):
        return
    what = f"Excel Table '{used}'" if grid.table_name else f"sheet '{used}'"
    findings.append(rules.TABLE_SYNONYM.finding(
        f"The {spec.name} table was read from {what}.", sheet=grid.sheet, row=grid.top,
        fix=f"Nothing to do; name it {spec.name} if another sheet was meant."))


class _IdNumbering:
    """Blank IDs numbered from the parent ID: Admin ID ``E001-1``, ``E001-2`` for Encounter E001's rows.

    Rows are numbered in sheet order within their encounter, skipping any number a typed ID already
    uses; one info finding per table says how many rows were numbered and where.
    """

    def __init__(self, spec: TableSpec, grid: Grid, col_index: dict[str, int]) -> None:
        assert spec.numbered_from is not None
        self.id_header, self.parent_header = spec.numbered_from
        self.spec, self.grid = spec, grid
        column = col_index.get(self.id_header)
        self.typed: set[Any] = set()
        if column is not None:
            self.typed = {key_part(r[column]) for r in grid.rows[1:] if column < len(r) and not v.is_blank(r[column])}
        self.next: dict[str, int] = {}
        self.rows: list[int] = []
        self.first = ""

    def fill(self, record: dict[str, Any], excel_row: int) -> None:
        if self.id_header in record or self.parent_header not in record:
            return
        parent = key_part(record[self.parent_header])
        if parent is None:
            return
        n = self.next.get(parent, 0)
        while True:
            n += 1
            new_id = f"{parent}-{n}"
            if new_id not in self.typed:
                break
        self.next[parent] = n
        record[self.id_header] = new_id
        self.rows.append(excel_row)
        self.first = self.first or new_id

    def findings(self, table: TableData) -> list[Finding]:
        if not self.rows:
            return []
        n, first_row = len(self.rows), self.rows[0]
        where = f"row {first_row}" if n == 1 else f"{n} rows from row {first_row}"
        return [rules.ID_NUMBERED.finding(
            f"{self.id_header} was blank on {where}; they were numbered from the {self.parent_header} "
            f"({self.first}, ...).", sheet=table.sheet, row=first_row, column=self.id_header,
            cell=table.cell(first_row, self.id_header),
            fix=f"Nothing to do; type your own {self.id_header}s to keep them the same when rows are re-sorted.")]


def _settings_from_rows(table: TableData, findings: list[Finding]) -> Settings:
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for row in table.rows:
        assert isinstance(row, SettingRow), "the Settings table reads as SettingRow rows"
        spec = spec_for(row.setting)
        if spec is None:
            findings.append(rules.UNKNOWN_SETTING.finding(
                                    f"Setting '{row.setting}' is not known; it was ignored.",
                                    sheet=table.sheet, row=row.excel_row, column="Setting",
                                    cell=table.cell(row.excel_row, "Setting"), value=row.setting))
            extra[row.setting] = row.value
            continue
        if v.is_blank(row.value):
            continue
        try:
            values[spec.attr] = spec.parse(row.value)
        except Exception as exc:
            message = getattr(exc, "message", None)  # a cell error says it in the reader's words
            msg = message() if message is not None else str(exc)
            findings.append(rules.WRONG_TYPE.finding(
                                    f"Setting '{spec.name}': {msg}; the default was used.",
                                    sheet=table.sheet, row=row.excel_row, column="Value",
                                    cell=table.cell(row.excel_row, "Value"), value=value_text(row.value)))
    return Settings(**values, extra=extra)


def _check_references(data: dict[str, TableData], findings: list[Finding]) -> None:
    """Rows pointing at a key that no row of the referenced table has: reported and left out."""
    for spec in INPUT_TABLES:
        table = data[spec.name]
        if not table.usable or not spec.references:
            continue
        bad_rows: set[int] = set()
        for header, (target_name, target_header) in spec.references.items():
            target = data[target_name]
            if not target.usable:
                continue
            pos = TABLES_BY_NAME[target_name].key.index(target_header)
            known = {k[pos] for k in target.keys_seen}
            for row in table.rows:
                value = getattr(row, spec.column(header).field)
                if value is not None and value not in known:  # a blank optional reference points nowhere
                    bad_rows.add(row.excel_row)
                    findings.append(rules.DANGLING_REFERENCE.finding(
                        f"{header} '{value}' is not in the {target_name} table; this row was left out.",
                        sheet=table.sheet, row=row.excel_row, column=header,
                        cell=table.cell(row.excel_row, header), value=str(value),
                        fix=f"Add {value} to {target_name}, or correct the {header}.",
                        encounter_id=getattr(row, "encounter_id", "") or ""))
        if bad_rows:
            table.rows = [r for r in table.rows if r.excel_row not in bad_rows]
