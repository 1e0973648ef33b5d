"""Label every 835 adjustment with a category and the biller's next action.

A CAS adjustment says *why* money was not paid: a group (``CO`` contractual, ``PR`` patient
responsibility, ``OA`` other, ``PI`` payer initiated) and a reason code (CARC), often explained by a
remark code (RARC) on the line (``LQ*HE``) or claim (``MOA``/``MIA``). The same CARC can mean a
normal write-off or a denial to work, depending on the group and the remark
(docs/remits.md section 2):

1. ``PR-1/2/3`` deductible, coinsurance, copay: patient responsibility, not a denial;
2. ``CO-45`` (above the fee schedule), ``CO-253`` (sequestration) and other contractual or
   informational codes: post the write-off, not a denial;
3. ``OA-23`` (the prior payer's impact): informational, not a denial;
4. anything else under CO, OA or PI that reduces pay is a denial in one of the categories
   eligibility/coverage, prior authorization, medical necessity, coding/bundling,
   documentation, duplicate, timely filing or COB;
5. PR with a code that is not cost share (e.g. ``PR-96``, ``PR-204``): a coverage denial the
   payer moved to the patient, billable only with a signed ABN or waiver.

The rules are data: the shipped ``adjustment_codes.csv`` (package ``infusion_billing.reference``),
overridden row by row by the workbook's own ``Adjustment Codes`` table. The most specific row wins:
Group + CARC + RARC, then Group + CARC, then any group (``*``) with the CARC and RARC, then any
group with the CARC, then a RARC alone, then the group's catch-all (``PR,*``), then ``*,*``.

Worked example: ``CAS*CO*16*4800.00`` on a J1745 line with ``LQ*HE*M119`` matches
``*,16,M119`` -> Documentation, denial, "Add the valid 11-digit NDC ... and resubmit".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..findings import Finding
from ..reference.tables import read_versioned_csv
from ..rules import era as era_rules
from ..workbook.reader import WorkbookError, load_grids
from .tables import CATEGORY_COLUMNS

PACKAGE = "infusion_billing.reference"
CODES_CSV = "adjustment_codes.csv"
#: The workbook table (sheet or Excel Table ``AdjustmentCodes``) whose rows override the shipped ones.
BOOK_TABLE = "Adjustment Codes"
CODE_COLUMNS = ("Group", "CARC", "RARC", "Category", "Denial", "Description", "Next Action")
ANY = "*"


@dataclass(frozen=True, slots=True)
class AdjustmentCode:
    """One row of the Adjustment Codes table.

    Attributes:
        group: CAS group (CO, PR, OA, PI, CR) or ``*`` for any.
        carc: claim adjustment reason code or ``*`` for any.
        rarc: remark code, or "" when the row applies whatever the remark.
        category: e.g. ``Contractual``, ``Prior Authorization``.
        denial: True when the adjustment counts as a denial in denial KPIs.
        description: what the code means, in our words.
        next_action: what the biller does next.
        origin: ``built-in`` or ``workbook`` (the user's own row).
    """

    group: str
    carc: str
    rarc: str
    category: str
    denial: bool
    description: str
    next_action: str
    origin: str = "built-in"

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.group, self.carc, self.rarc)


class AdjustmentCodes:
    """The code table, ready to classify ``(group, CARC, RARCs)``; results are cached."""

    def __init__(self, rows: Iterable[AdjustmentCode], meta: dict[str, str] | None = None):
        self.rows: dict[tuple[str, str, str], AdjustmentCode] = {row.key: row for row in rows}
        self.meta = dict(meta or {})
        self._cache: dict[tuple, AdjustmentCode] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def override(self, rows: Iterable[AdjustmentCode]) -> AdjustmentCodes:
        """A copy where ``rows`` replace the rows with the same Group, CARC and RARC (or are added)."""
        merged = dict(self.rows)
        merged.update({row.key: row for row in rows})
        return AdjustmentCodes(merged.values(), self.meta)

    def classify(self, group: str | None, carc: str | None, rarcs: Iterable[str] = ()) -> AdjustmentCode:
        """The row that applies to one adjustment; ``rarcs`` are the remarks on its line and claim.

        >>> codes = builtin_adjustment_codes()
        >>> codes.classify("PR", "2").category, codes.classify("CO", "16", ["M119"]).next_action[:24]
        ('Patient Responsibility', 'Add the valid 11-digit N')
        """
        group = (group or "").strip().upper()
        carc = (carc or "").strip().upper()
        remarks = tuple(r.strip().upper() for r in rarcs if r and r.strip())
        key = (group, carc, remarks)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._lookup(group, carc, remarks)
        return found

    def _lookup(self, group: str, carc: str, remarks: tuple[str, ...]) -> AdjustmentCode:
        rows = self.rows
        candidates = [(group, carc, r) for r in remarks] + [(group, carc, "")]
        candidates += [(ANY, carc, r) for r in remarks] + [(ANY, carc, "")]
        candidates += [(ANY, ANY, r) for r in remarks] + [(group, ANY, ""), (ANY, ANY, "")]
        for candidate in candidates:
            row = rows.get(candidate)
            if row is not None:
                return _moved_to_patient(row) if group == "PR" and row.group != "PR" and row.denial else row
        return AdjustmentCode(group, carc, "", "Other", True, "Reason not in the Adjustment Codes table",
                              "Look up the CARC and RARC and add a row for them to the Adjustment Codes table.")


def _moved_to_patient(row: AdjustmentCode) -> AdjustmentCode:
    """Rule 5: a denial reason under group PR is a denial the payer moved to the patient."""
    return AdjustmentCode(
        "PR", row.carc, row.rarc, row.category, True, row.description,
        "The payer made the patient responsible: bill the patient only with a signed ABN or waiver; "
        "otherwise " + row.next_action[:1].lower() + row.next_action[1:],
        row.origin,
    )


def _row(cells: dict, origin: str) -> AdjustmentCode:
    def text(name: str) -> str:
        value = cells.get(name)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():  # Excel hands back CARC 45 as 45.0
            value = int(value)
        return str(value).strip()

    return AdjustmentCode(
        group=text("Group").upper() or ANY,
        carc=text("CARC").upper() or ANY,
        rarc=text("RARC").upper(),
        category=text("Category"),
        denial=text("Denial").upper() in ("Y", "YES", "TRUE", "1"),
        description=text("Description"),
        next_action=text("Next Action"),
        origin=origin,
    )


_BUILTIN: AdjustmentCodes | None = None


def builtin_adjustment_codes() -> AdjustmentCodes:
    """The shipped table (read once per process)."""
    global _BUILTIN
    if _BUILTIN is None:
        meta, rows = read_versioned_csv(PACKAGE, CODES_CSV)
        if rows and tuple(rows[0]) != CODE_COLUMNS:
            raise ValueError(f"{CODES_CSV}: columns {tuple(rows[0])} differ from {CODE_COLUMNS}")
        _BUILTIN = AdjustmentCodes((_row(r, "built-in") for r in rows), meta)
    return _BUILTIN


def builtin_adjustment_code_rows() -> tuple[list[str], list[list[str]]]:
    """Header and rows of the shipped table, to seed an editable ``Adjustment Codes`` sheet."""
    rows = [[r.group, r.carc, r.rarc, r.category, "Y" if r.denial else "N", r.description, r.next_action]
            for r in builtin_adjustment_codes().rows.values()]
    return list(CODE_COLUMNS), rows


def load_adjustment_codes(book_path: str | Path | None = None) -> tuple[AdjustmentCodes, list[Finding]]:
    """The shipped table, overridden by the saved workbook's ``Adjustment Codes`` rows if it has any.

    A workbook that cannot be read leaves the shipped table in force, with a warning.
    """
    if book_path is None:
        return builtin_adjustment_codes(), []
    try:
        grid = load_grids(Path(book_path), [BOOK_TABLE]).get(BOOK_TABLE)
    except WorkbookError as exc:
        return builtin_adjustment_codes(), [era_rules.ADJUSTMENT_CODES.finding(
            f"The Adjustment Codes table could not be read ({exc}); the built-in codes were used.", sheet=BOOK_TABLE)]
    return adjustment_codes_from_grid(grid)


def adjustment_codes_from_grid(grid) -> tuple[AdjustmentCodes, list[Finding]]:
    """The shipped table overridden by the rows of an ``Adjustment Codes`` grid (None: no table).

    ``grid`` is a :class:`~infusion_billing.workbook.reader.Grid` read from a saved file or from the
    open workbook. A user row needs a CARC (or ``*``) and a Category; rows without them are left
    out with a warning naming the row.
    """
    codes = builtin_adjustment_codes()
    if grid is None or not grid.rows:
        return codes, []
    header = [str(h).strip() if h is not None else "" for h in grid.rows[0]]
    missing = [c for c in ("CARC", "Category") if c not in header]
    if missing:
        return codes, [era_rules.ADJUSTMENT_CODES.finding(
                               f"The Adjustment Codes table has no {' or '.join(missing)} column; the built-in codes "
                               "were used.", sheet=grid.sheet, row=grid.top)]
    findings: list[Finding] = []
    user_rows = []
    for offset, cells in enumerate(grid.rows[1:], start=1):
        record = dict(zip(header, cells, strict=False))  # a row may stop short of the header
        if all(v is None or str(v).strip() == "" for v in record.values()):
            continue
        row = _row(record, "workbook")
        if not row.category or (row.carc == ANY and not record.get("CARC")):
            findings.append(era_rules.ADJUSTMENT_CODES.finding(
                "This Adjustment Codes row needs a CARC (or *) and a Category; it was left out.",
                sheet=grid.sheet, row=grid.top + offset,
                fix="Fill in the CARC and Category, or delete the row.",
            ))
            continue
        user_rows.append(row)
    return codes.override(user_rows), findings


def classify_adjustments(adjustments: pd.DataFrame, remarks: pd.DataFrame,
                         codes: AdjustmentCodes | None = None) -> pd.DataFrame:
    """The adjustments table with ``remark_codes``, ``category``, ``denial`` and ``next_action`` added.

    A line adjustment is read with the remark codes of its line (LQ) and of its claim (MOA/MIA);
    a claim adjustment with its claim's remark codes only.
    """
    codes = codes or builtin_adjustment_codes()
    by_place: dict[tuple, list[str]] = {}
    for file, payment, claim, line, code in remarks[["file", "payment_no", "claim_no", "line_no", "code"]].itertuples(
            index=False, name=None):
        by_place.setdefault((file, payment, claim, line), []).append(code)
    rarcs, categories, denials, actions = [], [], [], []
    for file, payment, claim, line, group, carc in adjustments[
            ["file", "payment_no", "claim_no", "line_no", "group", "reason"]].itertuples(index=False, name=None):
        line_key = None if line is None or line != line else line  # NaN-safe
        remarks_here = by_place.get((file, payment, claim, line_key), []) if line_key is not None else []
        remarks_here = remarks_here + by_place.get((file, payment, claim, None), [])
        row = codes.classify(group, carc, remarks_here)
        rarcs.append(", ".join(dict.fromkeys(remarks_here)) or None)
        categories.append(row.category)
        denials.append("Y" if row.denial else "N")
        actions.append(row.next_action)
    out = adjustments.copy()
    for (name, _), values in zip(CATEGORY_COLUMNS, (rarcs, categories, denials, actions), strict=True):
        out[name] = pd.Series(values, index=out.index, dtype=object)
    return out
