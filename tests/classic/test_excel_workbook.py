"""``infusion-billing excel-workbook -o MyClinic.xlsm``: a workbook the classic add-in runs as it is.

A practice must not assemble VBA references, macros and buttons by hand. The workbook is the regular
template plus xlwings' quickstart VBA project (with its reference to the xlwings add-in) whose module
holds one macro per button, a Buttons sheet whose form buttons call them, and a filled xlwings.conf
sheet. openpyxl (keep_vba) and LibreOffice, the two other readers of .xlsm files here, must see all of it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

import infusion_billing.macros as macros
from infusion_billing.classic import BUTTONS, build, cfb, vba
from infusion_billing.classic.workbook import quickstart
from infusion_billing.cli import main
from infusion_billing.workbook.reader import read_workbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    path = tmp_path_factory.mktemp("classic") / "MyClinic.xlsm"
    assert main(["excel-workbook", "-o", str(path)]) == 0
    return path


def project_of(path) -> cfb.Storage:
    return cfb.read(zipfile.ZipFile(path).read("xl/vbaProject.bin"))


def test_openpyxl_keeps_the_vba_project_and_reads_the_filled_xlwings_conf_sheet(clinic, tmp_path):
    wb = openpyxl.load_workbook(clinic, keep_vba=True)
    assert "xl/vbaProject.bin" in wb.vba_archive.namelist()
    assert wb.sheetnames[0] == "Buttons" and wb.sheetnames[-1] == "xlwings.conf"
    conf = {row[0]: row[1] for row in wb["xlwings.conf"].iter_rows(min_row=1, max_row=9, max_col=2, values_only=True)}
    assert conf["UDF Modules"] == "infusion_billing.udfs"
    assert conf["Interpreter_Win"] == "python"  # written on Linux: xlwings' default, the python on the PATH
    assert conf["Debug UDFs"] is False and conf["Show Console"] is False
    # and it survives openpyxl saving it again (what a script of the practice might do)
    wb.save(tmp_path / "again.xlsm")
    again = zipfile.ZipFile(tmp_path / "again.xlsm")
    assert again.read("xl/vbaProject.bin") == zipfile.ZipFile(clinic).read("xl/vbaProject.bin")


def test_the_python_running_the_command_is_the_interpreter_of_its_platform(tmp_path):
    for platform, key, python in (("win32", "Interpreter_Win", r"C:\Users\biller\AppData\Local\Programs\Python"
                                                               r"\Python312\python.exe"),
                                  ("darwin", "Interpreter_Mac", "/Library/Frameworks/Python.framework/Versions/3.12/"
                                                                "bin/python3")):
        path = build(tmp_path / f"{platform}.xlsm", platform=platform, python=python)
        sheet = openpyxl.load_workbook(path)["xlwings.conf"]
        assert {row[0]: row[1] for row in sheet.iter_rows(max_row=9, max_col=2, values_only=True)}[key] == python


def test_every_macro_has_a_button_that_runs_it_through_run_python(clinic):
    classic = {name for name in dir(macros) if name.endswith("_classic") and callable(getattr(macros, name))}
    assert {b.python for b in BUTTONS} == classic
    source = vba.module_source(project_of(clinic), "Module1")
    for b in BUTTONS:
        assert (f'Sub {b.macro}()\r\n    RunPython "import infusion_billing.macros as m; m.{b.python}()"\r\n'
                "End Sub") in source
    drawing = next(n for n in zipfile.ZipFile(clinic).namelist() if n.startswith("xl/drawings/vmlDrawingIB"))
    vml = zipfile.ZipFile(clinic).read(drawing).decode()
    assert re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml) == [b.macro for b in BUTTONS]
    assert re.findall(r'size="220" color="#000000">([^<]+)<', vml) == [
        "Validate workbook", "Pre-bill checks", "Code &amp; units", "Check &amp; code", "Build claims", "Export 837",
        "Import ERA (835)", "Reconcile remits", "Denial worklist", "AR aging", "Close month"]


def test_the_vba_project_is_xlwings_quickstart_compiled_from_source_with_its_notice(clinic):
    project = project_of(clinic)
    with quickstart() as qs:
        base = cfb.read(qs.read("xl/vbaProject.bin"))
    assert project.stream("PROJECT") == base.stream("PROJECT")  # same modules, same protection state
    assert project.stream("VBA/_VBA_PROJECT") == bytes.fromhex("CC61FFFF000000")  # no compiled cache: Excel compiles
    assert set(vba.modules(project).values()) == {0}
    assert b"xlwings" in vba.decompress(project.stream("VBA/dir"))  # the reference to the xlwings add-in
    source = vba.module_source(project, "Module1")
    assert source.startswith('Attribute VB_Name = "Module1"\r\n')
    assert "' Copyright (C) 2014 - present, Zoomer Analytics GmbH." in source
    assert "' * Neither the name of the copyright holder" in source
    assert vba.module_source(project, "Sheet1") == vba.module_source(base, "Sheet1")


def test_the_input_tables_are_the_templates(clinic):
    book = read_workbook(clinic)
    assert all(table.present for table in book.tables.values())
    assert book.findings == []
    wb = openpyxl.load_workbook(clinic)
    assert wb.sheetnames[1:-1] == openpyxl.load_workbook(
        _template(clinic.parent / "plain.xlsx")).sheetnames


def _template(path):
    assert main(["template", "-o", str(path)]) == 0
    return path


def test_wrong_extension_and_an_existing_file_are_refused_in_one_sentence(clinic, tmp_path, capsys):
    assert main(["excel-workbook", "-o", str(tmp_path / "MyClinic.xlsx")]) == 2
    assert "must end in .xlsm" in capsys.readouterr().err
    before = clinic.read_bytes()
    assert main(["excel-workbook", "-o", str(clinic)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert clinic.read_bytes() == before
    assert main(["excel-workbook", "-o", str(clinic), "--force"]) == 0


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; .ci/run installs it")
def test_libreoffice_imports_the_macros_and_binds_each_button_to_its_macro(clinic, tmp_path):
    """LibreOffice reads the VBA project with its own compound-file and decompression code."""
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
                    "ods", "--outdir", str(tmp_path), str(clinic)], check=True, capture_output=True, timeout=180)
    ods = zipfile.ZipFile(tmp_path / "MyClinic.ods")
    module = ods.read("Basic/VBAProject/Module1.xml").decode()
    content = ods.read("content.xml").decode()
    for b in BUTTONS:
        assert f"Sub {b.macro}()" in module
        assert f"vnd.sun.star.script:VBAProject.Module1.{b.macro}?language=Basic" in content
