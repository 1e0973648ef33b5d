"""Classes 7, 8 and 15: --in-place respects the file it replaces, outputs are never more visible than
the input, and temporary files are private and cleaned up after a killed run."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time

import pytest
from hostile_kit import minimal_sheets, run_cli, write_book

from infusion_billing.workbook import output_file


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# ----------------------------------------------------------------------------- class 7


def test_in_place_refuses_a_read_only_workbook(tmp_path, capsys):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    os.chmod(book, 0o444)
    before = book.read_bytes()
    code, _, err = run_cli("check", book, "--in-place", capsys=capsys)
    assert code == 2 and "read-only" in err and err.count("\n") == 1
    assert book.read_bytes() == before and _mode(book) == 0o444
    assert [p.name for p in tmp_path.iterdir()] == ["clinic.xlsx"]  # no backup, no temp file


def test_in_place_writes_through_a_symbolic_link_to_its_target(tmp_path, capsys):
    (tmp_path / "shared").mkdir()
    real = write_book(tmp_path / "shared" / "clinic.xlsx", minimal_sheets())
    link = tmp_path / "clinic-link.xlsx"
    link.symlink_to(real)
    assert run_cli("check", link, "--in-place", capsys=capsys)[0] == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    from infusion_billing.workbook.writer import read_output_table

    assert read_output_table(real, "Encounter Status")  # the results are in the file the link points at
    assert len([p for p in real.parent.iterdir() if ".backup-" in p.name]) == 1


def test_two_in_place_runs_in_the_same_second_keep_two_backups(tmp_path, capsys, monkeypatch):
    from datetime import datetime

    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    first = book.read_bytes()
    frozen = datetime(2026, 12, 7, 9, 30, 0)
    real_backup = output_file.backup_copy
    monkeypatch.setattr(output_file, "backup_copy", lambda path, now=None: real_backup(path, frozen))
    assert run_cli("check", book, "--in-place", capsys=capsys)[0] == 0
    second = book.read_bytes()
    assert run_cli("check", book, "--in-place", capsys=capsys)[0] == 0
    backups = sorted(p.name for p in tmp_path.iterdir() if ".backup-" in p.name)
    assert backups == ["clinic.backup-20261207-093000-2.xlsx", "clinic.backup-20261207-093000.xlsx"]
    assert (tmp_path / backups[1]).read_bytes() == first and (tmp_path / backups[0]).read_bytes() == second


def test_a_backup_name_too_long_for_the_file_system_is_shortened(tmp_path, capsys):
    book = write_book(tmp_path / ("c" * 240 + ".xlsx"), minimal_sheets())
    code, _, err = run_cli("check", book, "--in-place", capsys=capsys)
    assert code == 0, err
    backups = [p for p in tmp_path.iterdir() if ".backup-" in p.name]
    assert len(backups) == 1 and len(backups[0].name.encode()) <= 255


# ----------------------------------------------------------------------------- class 8


@pytest.mark.parametrize("input_mode", [0o600, 0o640, 0o644])
def test_outputs_get_the_inputs_permission_bits_or_stricter(tmp_path, capsys, input_mode):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    os.chmod(book, input_mode)
    assert run_cli("check", book, capsys=capsys)[0] == 0
    out = tmp_path / "clinic.billing.xlsx"
    assert _mode(out) & ~input_mode == 0
    assert run_cli("check", book, "--in-place", capsys=capsys)[0] == 0
    assert _mode(book) == input_mode
    backup = next(p for p in tmp_path.iterdir() if ".backup-" in p.name)
    assert _mode(backup) == input_mode


def test_rows_moved_to_a_csv_are_as_private_as_the_input(tmp_path, monkeypatch):
    from infusion_billing.workbook import sheet_limits
    from infusion_billing.workbook.writer import OutputTable, write_outputs

    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    os.chmod(book, 0o600)
    monkeypatch.setattr(sheet_limits, "MAX_SHEET_ROWS", 5)
    write_outputs(book, [OutputTable("EraClaims", ["Claim"], [[f"C{i}"] for i in range(10)])], [])
    csv = tmp_path / "clinic.billing.EraClaims.csv"
    assert _mode(csv) == 0o600


# ----------------------------------------------------------------------------- class 15


def test_temporary_files_are_private_while_they_exist(tmp_path, monkeypatch):
    from infusion_billing.workbook.xlsx.package import WorkbookPackage
    from infusion_billing.workbook.writer import write_outputs

    seen = {}
    real_save = WorkbookPackage.save

    def spy(self, target):
        seen["file"] = _mode(target)
        seen["folder"] = _mode(self._tmp.name)
        seen["name"] = os.path.basename(target)
        real_save(self, target)

    monkeypatch.setattr(WorkbookPackage, "save", spy)
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    write_outputs(book, [], [])
    assert seen["file"] == 0o600 and seen["folder"] == 0o700
    assert seen["name"].startswith(f".~ib-{os.getpid()}-")


KILLED_RUN = """
import sys, time
from infusion_billing.workbook.xlsx.package import WorkbookPackage
from infusion_billing.workbook.writer import write_outputs
def hang(self, target):
    open(target, "wb").write(b"half a workbook")
    print(self._tmp.name, target, flush=True)
    time.sleep(60)
WorkbookPackage.save = hang
write_outputs(sys.argv[1], [], [])
"""


def test_a_killed_runs_leftovers_are_removed_by_the_next_run(tmp_path):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    child = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(book)], stdout=subprocess.PIPE, text=True)
    folder, temp_file = child.stdout.readline().split()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert os.path.isdir(folder) and os.path.exists(temp_file)  # what kill -9 leaves behind
    from infusion_billing.workbook.writer import write_outputs

    write_outputs(book, [], [])
    assert not os.path.exists(folder) and not os.path.exists(temp_file)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~ib-")]


def test_a_running_runs_temporary_files_are_left_alone(tmp_path):
    mine = tmp_path / f".~ib-{os.getpid()}-abc.xlsx"
    mine.write_bytes(b"in use")
    old_style = tmp_path / ".~ib-abcdef.xlsx"
    old_style.write_bytes(b"left by an old version")
    os.utime(old_style, (time.time() - 7 * 3600,) * 2)
    output_file.clean_stale_temp_files(tmp_path)
    assert mine.exists() and not old_style.exists()
