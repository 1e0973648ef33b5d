"""``infusion-billing excel-workbook``: the template as a macro-enabled workbook for the classic add-in.

A practice on the classic xlwings add-in needs three things in its workbook that nobody should have
to assemble by hand: a VBA project whose macros call Python (``RunPython``, from the xlwings
add-in), buttons that run those macros, and an ``xlwings.conf`` sheet saying which Python and which
worksheet-function module to use. They are all built from xlwings' own quickstart workbook
(``quickstart.xlsm`` in the installed xlwings package, BSD 3-clause, whose notice the VBA module
carries):

* its VBA project (with its reference to the xlwings add-in) gets a module with one macro per
  button (:data:`BUTTONS`), each ``RunPython "import infusion_billing.macros as m; m.X_classic()"``;
* its ``_xlwings.conf`` sheet's settings become an active ``xlwings.conf`` sheet: ``UDF Modules`` is
  ``infusion_billing.udfs``, the interpreter of this platform is the Python running the command;
* a ``Buttons`` sheet, first, holds a form button per macro with a line saying what it does.

The workbook itself is the regular template (:func:`infusion_billing.workbook.template.write_template`),
so the tables, drop-downs and instructions are the same as ``infusion-billing template`` writes.
Nothing here imports xlwings: its files are found on disk.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from xml.sax.saxutils import escape

from ..workbook.template import write_template
from ..workbook.writer import save_atomically
from . import vba

MACRO_MODULE = "Module1"  # the quickstart project's standard module, rewritten
BUTTONS_SHEET = "Buttons"
CONF_SHEET = "xlwings.conf"
UDF_MODULES = "infusion_billing.udfs"
VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaProject"
MACRO_WORKBOOK = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


class ClassicWorkbookError(ValueError):
    """The workbook cannot be written (wrong extension, xlwings missing); the message says why."""


@dataclass(frozen=True)
class Button:
    caption: str
    macro: str  # VBA Sub name
    python: str  # function in infusion_billing.macros
    does: str

    @property
    def vba(self) -> str:
        return (f"Sub {self.macro}()\n"
                f"    RunPython \"import infusion_billing.macros as m; m.{self.python}()\"\n"
                "End Sub\n")


#: One button per macro, in the order a month goes.
BUTTONS = (
    Button("Validate workbook", "ValidateWorkbook", "validate_workbook_classic",
           "Checks every input table: each bad cell on Findings, and the visits they hold on Encounter Status."),
    Button("Pre-bill checks", "CheckEncounters", "check_encounters_classic",
           "Documentation, eligibility, authorization and filing checks: Encounter Status, Authorization "
           "Usage and Findings."),
    Button("Code & units", "CodeEncounters", "code_encounters_classic",
           "Codes every encounter into the Charges sheet: codes, modifiers, units, NDC and why."),
    Button("Check & code", "CheckAndCode", "check_and_code_classic",
           "Both of the above in one run, with one Findings sheet (what the month-end run does)."),
    Button("Build claims", "BuildClaims", "build_claims_classic",
           "A scrubbed claim for every Ready encounter: Claims and ClaimLines (the ledger), Encounter Status "
           "Billed or Hold with the reason."),
    Button("Export 837", "Export837", "export_837_classic",
           "Writes the Ready claims to 837P/837I files in the 837 folder beside this workbook; they become "
           "Submitted."),
    Button("Import ERA (835)", "ImportRemits", "import_remits_classic",
           "Pick 835 remittance files (on macOS: paste their text into a sheet named EraInbox first); "
           "payments go to the ERA sheets, each once."),
    Button("Reconcile remits", "ReconcileRemits", "reconcile_remits_classic",
           "Posts the imported remits to the claim lines: Reconciliation (expected vs paid, why), Underpayments, "
           "Unmatched Remits and Claim Status."),
    Button("Denial worklist", "DenialWorklist", "denial_worklist_classic",
           "Rebuilds the Denials worklist (category, next action, appeal deadline, priority) and Denials Summary "
           "from the imported remits; what you typed in Work Status, Assigned To, Notes and your own columns "
           "stays."),
    Button("AR aging", "AgingReport", "aging_report_classic",
           "Who owes what on each claim (payer or patient) by age bucket, as of the Settings As-Of Date: AR Aging "
           "and Aging Summary."),
    Button("Close month", "CloseMonth", "close_month_classic",
           "The whole month in order: checks, coding, claims, the 835s of the Settings Remit Folder, reconcile, "
           "denials, aging, then the KPIs and the Dashboard."),
)


# ----------------------------------------------------------------------------- xlwings' material


def xlwings_dir() -> Path:
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise ClassicWorkbookError("xlwings is not installed here; run: pip install xlwings")
    return Path(list(spec.submodule_search_locations)[0])


def quickstart() -> zipfile.ZipFile:
    path = xlwings_dir() / "quickstart.xlsm"
    if not path.is_file():
        raise ClassicWorkbookError(f"this xlwings has no quickstart workbook ({path.name}); upgrade xlwings")
    return zipfile.ZipFile(path)


def xlwings_notice() -> str:
    """xlwings' own license text (BSD 3-clause for everything but its pro folder), for the attribution."""
    dist = metadata.distribution("xlwings")
    declared = [name for name in dist.metadata.get_all("License-File") or [] if "PRO" not in name.upper()]
    for file in dist.files or ():
        if file.name in declared and ".dist-info" in str(file):  # not the add-in's License.bas
            text = file.read_text(encoding="utf-8")
            return text.split("\n\n\n", 1)[0].strip()  # the open-source part, before the PRO terms
    raise ClassicWorkbookError("xlwings' license file is missing from its installation")


def _attribute(element: str, name: str) -> str:
    found = re.search(rf'(?:^|\s){name}="([^"]*)"', element)
    if found is None:
        raise ClassicWorkbookError(f"xlwings' quickstart workbook has an element without {name}: {element[:60]}")
    return found.group(1)


def quickstart_settings(book: zipfile.ZipFile) -> list[tuple[str, object]]:
    """The setting names (and default values) of the quickstart's ``_xlwings.conf`` sheet, from A1 down."""
    shared = book.read("xl/sharedStrings.xml").decode()
    strings = [re.sub(r"<[^>]+>", "", si) for si in re.findall(r"<si>(.*?)</si>", shared)]
    names = {_attribute(s, "name"): _attribute(s, "r:id")
             for s in re.findall(r"<sheet [^>]*/>", book.read("xl/workbook.xml").decode())}
    sheet = book.read("xl/" + _rels(book)[names["_xlwings.conf"]]).decode()
    cells: dict[str, object] = {}
    for attrs, inner in re.findall(r"<c ([^>]*?)(?:/>|>(.*?)</c>)", sheet):
        value = re.search(r"<v>([^<]*)</v>", inner or "")
        raw = value.group(1) if value else ""
        cell_type = re.search(r'(?:^|\s)t="(\w+)"', attrs)
        kind = cell_type.group(1) if cell_type else ""
        cells[_attribute(attrs, "r")] = strings[int(raw)] if kind == "s" else raw == "1" if kind == "b" else raw
    settings = []
    row = 1
    while cells.get(f"A{row}"):
        settings.append((str(cells[f"A{row}"]), cells.get(f"B{row}", "")))
        row += 1
    return settings


def _rels(book: zipfile.ZipFile) -> dict[str, str]:
    rels = re.findall(r"<Relationship [^>]*/>", book.read("xl/_rels/workbook.xml.rels").decode())
    return {_attribute(rel, "Id"): _attribute(rel, "Target").lstrip("/").removeprefix("xl/") for rel in rels}


# ----------------------------------------------------------------------------- our content


def macro_module_source() -> str:
    notice = "\n".join(f"' {line}".rstrip() for line in xlwings_notice().splitlines())
    header = (
        "' infusion-billing: one macro per button on the Buttons sheet. Each runs a macro of the\n"
        "' infusion_billing Python package through the xlwings add-in's RunPython; Python does the work.\n"
        "' Written by `infusion-billing excel-workbook` from xlwings' quickstart workbook, under its license:\n"
        "'\n" + notice + "\n\n")
    return header + "\n".join(b.vba for b in BUTTONS)


def settings_values(settings: list[tuple[str, object]], platform: str = sys.platform,
                    python: str = sys.executable) -> list[tuple[str, object, str]]:
    """(setting, value, note) for the ``xlwings.conf`` sheet."""
    here = {"win32": "INTERPRETER_WIN", "darwin": "INTERPRETER_MAC"}.get(platform)
    notes = {
        "INTERPRETER_WIN": "Windows: full path of the python.exe that has infusion-billing (Command Prompt: where "
                           "python). 'python' = the first one on the PATH.",
        "INTERPRETER_MAC": "macOS: full path of the python3 that has infusion-billing (Terminal: which python3).",
        "UDF MODULES": "The worksheet functions (IB_...): on Windows, xlwings tab > Import Functions.",
    }
    rows = []
    for name, default in settings:
        key = name.upper()
        # The Python running this command fills its own platform's line; the other keeps xlwings' default.
        value = python if key == here else UDF_MODULES if key == "UDF MODULES" else default
        rows.append((name, value, notes.get(key, "")))
    if not any(name.upper() == "UDF MODULES" for name, _ in settings):
        rows.append(("UDF Modules", UDF_MODULES, notes["UDF MODULES"]))
    return rows


def _cell(ref: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _sheet_xml(rows: list[list[object]], cols: list[float], heights: Mapping[int, float] | None = None,
               legacy_drawing: str | None = None) -> str:
    heights = heights or {}
    col_xml = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(cols, 1))
    body = []
    for r, row in enumerate(rows, 1):
        height = f' ht="{heights[r]}" customHeight="1"' if r in heights else ""
        cells = "".join(_cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row))
        body.append(f'<row r="{r}"{height}>{cells}</row>')
    drawing = f'<legacyDrawing r:id="{legacy_drawing}"/>' if legacy_drawing else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
            f'<sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            f'<cols>{col_xml}</cols><sheetData>{"".join(body)}</sheetData>'
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
            f'{drawing}</worksheet>')


#: Buttons sheet layout: the button column's width (characters) and each button row's height (points).
BUTTON_COL_WIDTH, BUTTON_ROW_HEIGHT, FIRST_BUTTON_ROW = 26, 32, 4


def buttons_sheet_xml() -> str:
    rows: list[list[object]] = [
        ["infusion-billing"],
        ["", "Each button runs one step on this open workbook, exactly as the infusion-billing command does, and "
             "writes its results to their own sheets (Findings, Encounter Status, Charges ...). Your input sheets "
             "are never changed."],
        [],
    ]
    for b in BUTTONS:
        rows.append(["", b.does])
    rows += [[], ["", "Needs: Python with infusion-billing installed, the xlwings add-in (xlwings addin install) and "
                      "the Python path on the xlwings.conf sheet; see the project's README, Classic add-in."],
             ["", "Buttons, macros and the xlwings.conf sheet are built from the xlwings quickstart workbook "
                  "(xlwings, BSD 3-clause license, Copyright (C) 2014 - present, Zoomer Analytics GmbH)."]]
    heights = {FIRST_BUTTON_ROW + i: BUTTON_ROW_HEIGHT for i in range(len(BUTTONS))}
    return _sheet_xml(rows, [BUTTON_COL_WIDTH, 110], heights, legacy_drawing="rId1")


def buttons_vml(block: int = 1) -> str:
    """Form-control buttons (Excel's legacy VML drawing), one per macro, in the first column.

    ``block`` is the drawing's shape-ID block (``o:idmap``): shape IDs are 1024 x block + 1, + 2 ...,
    kept apart from the comment drawings' IDs on the other sheets.
    """
    width_px = BUTTON_COL_WIDTH * 7 + 5
    shapes = []
    for i, b in enumerate(BUTTONS):
        row = FIRST_BUTTON_ROW - 1 + i  # zero-based
        top_pt = 15 * (FIRST_BUTTON_ROW - 1) + BUTTON_ROW_HEIGHT * i + 3
        shapes.append(
            f'<v:shape id="_x0000_s{1024 * block + 1 + i}" type="#_x0000_t201" '
            'style="position:absolute;margin-left:3pt;'
            f'margin-top:{top_pt}pt;width:{(width_px - 8) * 0.75}pt;height:{BUTTON_ROW_HEIGHT - 6}pt;z-index:{i + 1};'
            'mso-wrap-style:tight" o:button="t" fillcolor="buttonFace [67]" strokecolor="windowText [64]" '
            'o:insetmode="auto"><v:fill color2="buttonFace [67]" o:detectmouseclick="t"/>'
            '<o:lock v:ext="edit" rotation="t"/><v:textbox style="mso-direction-alt:auto" o:singleclick="f">'
            f'<div style="text-align:center"><font face="Calibri" size="220" color="#000000">{escape(b.caption)}'
            '</font></div></v:textbox><x:ClientData ObjectType="Button">'
            f'<x:Anchor>0, 4, {row}, 4, 0, {width_px - 4}, {row}, {round(BUTTON_ROW_HEIGHT / 0.75) - 4}</x:Anchor>'
            '<x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill>'
            f'<x:FmlaMacro>[0]!{b.macro}</x:FmlaMacro><x:TextHAlign>Center</x:TextHAlign>'
            '<x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>')
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
            f'<o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
            '<v:shapetype id="_x0000_t201" coordsize="21600,21600" '
            'o:spt="201" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path shadowok="f" '
            'o:extrusionok="f" strokeok="f" fillok="f" o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/>'
            f'</v:shapetype>{"".join(shapes)}</xml>')


def conf_sheet_xml(values: list[tuple[str, object, str]]) -> str:
    rows: list[list[object]] = [[name, value, note] for name, value, note in values]
    rows += [[], ["Notes:"],
             ["Settings start in A1; xlwings reads them down to the first blank row. A value here wins over the "
              "xlwings add-in's settings and the xlwings.conf files."],
             ["Written by infusion-billing excel-workbook from the xlwings quickstart workbook's settings sheet."]]
    return _sheet_xml(rows, [18, 40, 110])


# ----------------------------------------------------------------------------- assembly


class _Package:
    """A zip package's parts in memory, saved as a new zip (``save_atomically`` calls ``save``)."""

    def __init__(self, parts: dict[str, bytes]) -> None:
        self.parts = parts

    def text(self, name: str) -> str:
        return self.parts[name].decode("utf-8")

    def put(self, name: str, text: str | bytes) -> None:
        self.parts[name] = text.encode("utf-8") if isinstance(text, str) else text

    def save(self, path: str | Path) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for name in ("[Content_Types].xml", *[n for n in self.parts if n != "[Content_Types].xml"]):
                out.writestr(name, self.parts[name])


def _next_sheet_part(package: _Package) -> int:
    numbers = [int(m) for n in package.parts for m in re.findall(r"^xl/worksheets/sheet(\d+)\.xml$", n)]
    return max(numbers, default=0) + 1


def build(target: str | Path, *, platform: str = sys.platform, python: str = sys.executable,
          force: bool = False) -> Path:
    """Write the macro-enabled workbook to ``target`` (an ``.xlsm``); returns its path."""
    target = Path(target)
    if target.suffix.lower() != ".xlsm":
        raise ClassicWorkbookError(f"{target.name}: a macro-enabled workbook must end in .xlsm")
    if target.exists() and not force:
        raise ClassicWorkbookError(f"{target.name} already exists; choose another name or add --force to replace it")
    with quickstart() as qs:
        base_project = qs.read("xl/vbaProject.bin")
        settings = quickstart_settings(qs)
    project = vba.with_module_source(base_project, MACRO_MODULE, macro_module_source())

    with tempfile.TemporaryDirectory() as tmp:
        template = write_template(Path(tmp) / "template.xlsx")
        with zipfile.ZipFile(template) as z:
            package = _Package({name: z.read(name) for name in z.namelist()})

    n = _next_sheet_part(package)
    buttons_part, conf_part, vml_part = f"sheet{n}.xml", f"sheet{n + 1}.xml", f"vmlDrawingIB{n}.vml"
    package.put(f"xl/worksheets/{buttons_part}", buttons_sheet_xml())
    package.put(f"xl/worksheets/_rels/{buttons_part}.rels",
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
                'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                f'openxmlformats.org/officeDocument/2006/relationships/vmlDrawing" Target="../drawings/{vml_part}"/>'
                '</Relationships>')
    package.put(f"xl/drawings/{vml_part}", buttons_vml(block=n))
    package.put(f"xl/worksheets/{conf_part}", conf_sheet_xml(settings_values(settings, platform, python)))
    package.put("xl/vbaProject.bin", project)

    types = package.text("[Content_Types].xml").replace(PLAIN_WORKBOOK, MACRO_WORKBOOK)
    defaults = "" if 'Extension="bin"' in types else f'<Default Extension="bin" ContentType="{VBA_CONTENT_TYPE}"/>'
    if 'Extension="vml"' not in types:
        defaults += '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
    overrides = "".join(f'<Override PartName="/xl/worksheets/{p}" ContentType="{WORKSHEET}"/>'
                        for p in (buttons_part, conf_part))
    types = re.sub(r"(<Types[^>]*>)", lambda m: m.group(1) + defaults, types, count=1)
    package.put("[Content_Types].xml", types.replace("</Types>", overrides + "</Types>"))

    rels = package.text("xl/_rels/workbook.xml.rels").replace("</Relationships>", (
        '<Relationship Id="rIdIbButtons" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="worksheets/{buttons_part}"/>'
        '<Relationship Id="rIdIbConf" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        f'worksheet" Target="worksheets/{conf_part}"/>'
        '<Relationship Id="rIdIbVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        'Target="vbaProject.bin"/></Relationships>'))
    package.put("xl/_rels/workbook.xml.rels", rels)

    book = package.text("xl/workbook.xml")
    sheet_ids = [int(i) for i in re.findall(r'<sheet [^>]*sheetId="(\d+)"', book)]
    next_id = max(sheet_ids, default=0) + 1
    # The Buttons sheet goes first: sheet-scoped names count sheets by position, so they move up one.
    book = re.sub(r'localSheetId="(\d+)"', lambda m: f'localSheetId="{int(m.group(1)) + 1}"', book)
    book = re.sub(r"<sheets>", f'<sheets><sheet name="{BUTTONS_SHEET}" sheetId="{next_id}" r:id="rIdIbButtons"/>',
                  book, count=1)
    book = book.replace("</sheets>", f'<sheet name="{CONF_SHEET}" sheetId="{next_id + 1}" r:id="rIdIbConf"/></sheets>')
    book = re.sub(r"<workbookPr\b([^>]*?)\s*/>", r'<workbookPr\1 codeName="ThisWorkbook"/>', book, count=1)
    if "codeName=" not in book:
        raise ClassicWorkbookError("the template's workbook.xml has no workbookPr to name the VBA project by")
    book = re.sub(r'activeTab="\d+"', 'activeTab="0"', book)
    package.put("xl/workbook.xml", book)
    for name in [n for n in package.parts if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)]:
        package.put(name, package.text(name).replace(' tabSelected="1"', ""))

    save_atomically(package, target)
    return target
