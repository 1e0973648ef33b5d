"""Class 3: an existing file the tool did not write is never replaced without --force, and then only
after a backup; an earlier output of the tool is replaced as usual."""

from __future__ import annotations

import pytest
from hostile_kit import minimal_sheets, run_cli, write_book

USER_BYTES = b"PK\x03\x04 my own workbook, not the tool's"


def _backups(folder, stem):
    return sorted(p for p in folder.iterdir() if p.name.startswith(f"{stem}.backup-"))


@pytest.mark.parametrize("command", [
    ["template"],
    ["demo", "--encounters", "5"],
    ["check", "BOOK"],
    ["run", "BOOK"],
    ["import-era", "BOOK", "REMIT"],
])
def test_every_command_refuses_to_replace_a_file_it_did_not_write(tmp_path, capsys, command):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    remit = tmp_path / "remit.835"
    remit.write_text("ST*835*0001~SE*2*0001~")
    target = tmp_path / "mine.xlsx"
    target.write_bytes(USER_BYTES)
    args = [book if a == "BOOK" else remit if a == "REMIT" else a for a in command]
    code, out, err = run_cli(*args, "-o", target, capsys=capsys)
    assert code == 2
    assert err.strip() == ("infusion-billing: mine.xlsx already exists and was not written by infusion-billing; "
                           "choose another name with -o, or add --force to replace it (a backup copy is kept).")
    assert target.read_bytes() == USER_BYTES
    assert _backups(tmp_path, "mine") == []


@pytest.mark.parametrize("command", [["template"], ["demo", "--encounters", "5"], ["check", "BOOK"]])
def test_force_replaces_it_after_a_backup(tmp_path, capsys, command):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    target = tmp_path / "mine.xlsx"
    target.write_bytes(USER_BYTES)
    args = [book if a == "BOOK" else a for a in command]
    code, out, err = run_cli(*args, "-o", target, "--force", capsys=capsys)
    assert code == 0, err
    backups = _backups(tmp_path, "mine")
    assert len(backups) == 1 and backups[0].read_bytes() == USER_BYTES
    assert target.read_bytes() != USER_BYTES


def test_an_earlier_output_of_the_tool_is_replaced_without_asking(tmp_path, capsys):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    for _ in range(2):
        assert run_cli("check", book, capsys=capsys)[0] == 0
        assert run_cli("demo", "-o", tmp_path / "demo.xlsx", "--encounters", "5", capsys=capsys)[0] == 0
    assert [p.name for p in tmp_path.iterdir() if ".backup-" in p.name] == []


def test_a_template_is_never_replaced_without_force_even_the_tools_own(tmp_path, capsys):
    # A template is where the clinic types its data.
    target = tmp_path / "Clinic.xlsx"
    assert run_cli("template", "-o", target, capsys=capsys)[0] == 0
    assert run_cli("template", "-o", target, capsys=capsys)[0] == 2


def test_the_refusal_comes_before_the_run(tmp_path, capsys, monkeypatch):
    from infusion_billing import pipeline

    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    target = tmp_path / "mine.xlsx"
    target.write_bytes(USER_BYTES)
    monkeypatch.setattr(pipeline, "run_book", lambda *a, **k: pytest.fail("the stages ran"))
    assert run_cli("run", book, "-o", target, capsys=capsys)[0] == 2
