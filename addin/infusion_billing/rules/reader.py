"""``reader.*``: what the reader reports about the workbook's tables, columns and cells.

The reader never stops at a bad cell: the row is left out of the run (error) or the value is read
leniently (warning, info), and each problem names its sheet, row, column and cell. The columns, their
types and their drop-down lists are the workbook schema (README.md, Workbook schema).
"""

from __future__ import annotations

from ..findings import Severity
from .spec import Family

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
SCHEMA = "the workbook schema (README.md, Workbook schema)"
READER = Family("reader")

TABLE_MISSING = READER.finding(
    "reader.table-missing", E, "A table the stage needs is not in the workbook",
    fix="Add an Excel Table or sheet named after the table, with the columns on the Instructions sheet.",
    source=SCHEMA)
MISSING_COLUMN = READER.finding(
    "reader.missing-column", E, "A required column (or the header row) is missing",
    fix="Add the column with its header in the table's first row.", source=SCHEMA)
MERGED_HEADER = READER.finding(
    "reader.merged-header", E, "Merged header cells",
    fix="Unmerge the header cells and give each column its own header.", source=SCHEMA)
EXTRA_COLUMN = READER.finding(
    "reader.extra-column", INFO, "A column the tool does not use (left as it is)",
    fix="Nothing to do; rename it if it was meant to be one of the schema's columns.", source=SCHEMA)
DUPLICATE_COLUMN = READER.finding(
    "reader.duplicate-column", W, "The same column header twice (the first is used)",
    fix="Delete or rename the second column.", source=SCHEMA)
EMPTY_ROW = READER.finding(
    "reader.empty-row", INFO, "An empty row inside a table (skipped)",
    fix="Delete the empty row.", source=SCHEMA)
FORMULA_NO_VALUE = READER.finding(
    "reader.formula-no-value", W, "A formula cell without a calculated value (read as blank; an error, and the "
    "row left out, when the cell is required)",
    fix="Open the workbook in Excel, let it calculate and save it, or type the value.", source=SCHEMA, also=(E,))
FORMULA_VALUE_USED = READER.finding(
    "reader.formula-value-used", INFO, "A formula cell: its last calculated value was used",
    fix="Nothing to do; check the value if the formula depends on data outside the workbook.", source=SCHEMA)
DUPLICATE_KEY = READER.finding(
    "reader.duplicate-key", E, "A row's ID is already used by an earlier row (row left out)",
    fix="Give the row its own ID, or delete the copy.", source=SCHEMA)
MISSING_VALUE = READER.finding(
    "reader.missing-value", E, "A required cell is blank (row left out)",
    fix="Fill in the cell.", source=SCHEMA)
UNKNOWN_VALUE = READER.finding(
    "reader.unknown-value", E, "A value not on the column's drop-down list (row left out)",
    fix="Pick the value from the drop-down list.", source=SCHEMA)
WRONG_TYPE = READER.finding(
    "reader.wrong-type", E, "A cell that is not the column's type: a date, time, number or code (row left out)",
    fix="Correct the cell to the type the column holds (see the Instructions sheet).", source=SCHEMA)
TABLE_SYNONYM = READER.finding(
    "reader.table-synonym", INFO, "A table read from a sheet or Table under another name (Visits, MAR ...)",
    fix="Nothing to do; rename the sheet after the table if another sheet was meant.", source=SCHEMA)
HEADER_ROW_FOUND = READER.finding(
    "reader.header-row-found", INFO, "Headers found below a title block (the title rows are not read)",
    fix="Nothing to do.", source=SCHEMA)
ID_NUMBERED = READER.finding(
    "reader.id-numbered", INFO, "Blank Admin IDs numbered from the Encounter ID (E001-1, E001-2 ...)",
    fix="Nothing to do; type your own IDs to keep them the same when rows are re-sorted.", source=SCHEMA)
UNIT_CONFLICT = READER.finding(
    "reader.unit-conflict", E, "A dose or waste typed with a unit that disagrees with Dose Unit (row left out)",
    fix="Correct the amount's unit or Dose Unit so they name the same unit.", source=SCHEMA)
OUT_OF_RANGE = READER.finding(
    "reader.out-of-range", E, "A number far outside what the column can hold, e.g. a 1E+308 dose (row left out)",
    fix="Correct the number; amounts and quantities stay within plus or minus a million (money ten million).",
    source=SCHEMA)
UNKNOWN_SETTING = READER.finding(
    "reader.unknown-setting", W, "A Settings row the tool does not know (ignored)",
    fix="Correct the setting's name from the Settings list in the README, or delete the row.", source=SCHEMA)
DANGLING_REFERENCE = READER.finding(
    "reader.dangling-reference", E, "A reference to a row that does not exist, e.g. a Payer ID not on Payers "
    "(row left out)",
    fix="Add the missing row to the table it refers to, or correct the reference.", source=SCHEMA)

SPECS = tuple(READER.specs)
