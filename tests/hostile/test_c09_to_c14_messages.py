"""Classes 9 to 14: one sentence and exit 2 where an "internal error" was, nothing raw on the terminal,
regular files only, unknown rule IDs refused, macro content kept in a macro extension, and messages
that say what really happened."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import zipfile

import pytest
from hostile_kit import minimal_sheets, rewrite_part, run_cli, sheet_part, write_book

from infusion_billing.workbook.xlsx.package import WorkbookPackage


def one_sentence(err: str) -> bool:
    return err.startswith("infusion-billing: ") and err.count("\n") == 1 and "Traceback" not in err \
        and "internal error" not in err


# ----------------------------------------------------------------------------- class 9


def test_a_damaged_deflate_stream_is_a_sentence(tmp_path, capsys):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    part = sheet_part(book, "Administrations")
    with zipfile.ZipFile(book) as z:
        info = z.getinfo(part)
    data = bytearray(book.read_bytes())
    start = info.header_offset + 30 + len(part.encode()) + len(info.extra)
    data[start + 5:start + 40] = b"\xff" * 35
    book.write_bytes(bytes(data))
    code, _, err = run_cli("check", book, capsys=capsys)
    assert code == 2 and one_sentence(err) and "damaged" in err


def test_a_malformed_workbook_xml_is_a_sentence(tmp_path, capsys):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    rewrite_part(book, "xl/workbook.xml", lambda xml: xml.replace(b"</sheets>", b"</sheets><broken"))
    code, _, err = run_cli("check", book, capsys=capsys)
    assert code == 2 and one_sentence(err)


@pytest.mark.parametrize("error, words", [
    (errno.ENOSPC, "The disk is full"),
    (errno.EFBIG, "larger than this system allows"),
    (errno.EACCES, "cannot be written to (permission denied)"),
    (errno.EROFS, "cannot be written to"),
])
def test_file_system_errors_while_saving_are_sentences(tmp_path, capsys, monkeypatch, error, words):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())

    def fails(self, target):
        with open(target, "wb") as fh:
            fh.write(b"half")
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(WorkbookPackage, "save", fails)
    code, _, err = run_cli("check", book, capsys=capsys)
    assert code == 2 and one_sentence(err) and words in err
    assert [p.name for p in tmp_path.iterdir()] == ["clinic.xlsx"]


def test_a_folder_that_cannot_be_written_is_a_sentence(tmp_path, capsys, monkeypatch):
    import tempfile

    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / ".~ib-123-x.xlsx"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    code, _, err = run_cli("check", book, capsys=capsys)
    assert code == 2 and one_sentence(err) and ".~ib-" not in err and "permission denied" in err


def test_the_file_size_limit_is_a_sentence(tmp_path):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096)); "
            "from infusion_billing.cli import main; sys.exit(main(['check', sys.argv[1]]))")
    done = subprocess.run([sys.executable, "-c", code, str(book)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and one_sentence(done.stderr), done.stderr
    assert "larger than this system allows" in done.stderr


def test_an_output_name_too_long_is_a_sentence(tmp_path, capsys):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    code, _, err = run_cli("check", book, "-o", tmp_path / ("r" * 300 + ".xlsx"), capsys=capsys)
    assert code == 2 and one_sentence(err) and "too long" in err


# ----------------------------------------------------------------------------- class 10


def test_control_characters_from_cells_are_escaped_on_the_terminal(tmp_path, capsys):
    sheets = minimal_sheets()
    sheets["Encounters"][1][4] = "FacESCAPEility"  # Setting: an unknown value, quoted in the finding
    book = write_book(tmp_path / "clinic.xlsx", sheets)
    # Excel stores control characters in cells as _xHHHH_ escapes (openpyxl refuses to write them).
    part = sheet_part(book, "Encounters")
    rewrite_part(book, part, lambda xml: xml.replace(b"ESCAPE", b"_x001B_[2J_x0007_"))
    code, out, err = run_cli("check", book, capsys=capsys)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\\x1b[2J\\x07" in out


def test_control_characters_in_a_file_name_are_escaped(tmp_path, capsys):
    code, _, err = run_cli("check", tmp_path / "a\x1b]0;pwned\x07.xlsx", capsys=capsys)
    assert code == 2 and "\x1b" not in err and "\x07" not in err and "\\x1b" in err


# ----------------------------------------------------------------------------- class 11


def test_a_named_pipe_is_refused_at_once(tmp_path):
    fifo = tmp_path / "clinic.xlsx"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "infusion_billing.cli", "check", str(fifo)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "not a regular file" in done.stderr


def test_a_device_is_refused(capsys):
    code, _, err = run_cli("check", "/dev/zero", capsys=capsys)
    assert code == 2 and one_sentence(err) and "not a regular file" in err


def test_an_835_source_that_is_a_pipe_is_skipped_with_a_finding(tmp_path, capsys):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    fifo = tmp_path / "remit.835"
    os.mkfifo(fifo)
    code, out, err = run_cli("import-era", book, fifo, "--json", capsys=capsys)
    assert code == 0 and "not a regular file" in out


# ----------------------------------------------------------------------------- class 12


def test_an_unknown_rule_id_is_refused(tmp_path, capsys):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    code, _, err = run_cli("check", book, "--rule", "doc.stop-time-mising", capsys=capsys)
    assert code == 2 and one_sentence(err) and "doc.stop-time-mising" in err
    assert not (tmp_path / "clinic.billing.xlsx").exists()
    assert run_cli("check", book, "--rule", "doc", capsys=capsys)[0] == 0  # a family is fine


# ----------------------------------------------------------------------------- class 13


def _macro_book(tmp_path):
    book = write_book(tmp_path / "clinic.xlsm", minimal_sheets())
    rewrite_part(book, "[Content_Types].xml", lambda xml: xml.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"))
    with zipfile.ZipFile(book, "a") as z:
        z.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really VBA")
    return book


def test_a_macro_workbook_is_not_saved_as_xlsx(tmp_path, capsys):
    book = _macro_book(tmp_path)
    code, _, err = run_cli("check", book, "-o", tmp_path / "out.xlsx", capsys=capsys)
    assert code == 2 and one_sentence(err) and "out.xlsm" in err
    assert not (tmp_path / "out.xlsx").exists()
    assert run_cli("check", book, "-o", tmp_path / "out.xlsm", capsys=capsys)[0] == 0
    with zipfile.ZipFile(tmp_path / "out.xlsm") as z:
        assert z.read("xl/vbaProject.bin").startswith(b"\xd0\xcf")


def test_a_plain_workbook_is_not_saved_as_xlsm(tmp_path, capsys):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    code, _, err = run_cli("check", book, "-o", tmp_path / "out.xlsm", capsys=capsys)
    assert code == 2 and "out.xlsx" in err


# ----------------------------------------------------------------------------- class 14


def test_a_file_name_that_is_not_utf8_is_read(tmp_path, capsys):
    name = os.fsdecode(b"caf\xe9.xlsx")
    book = write_book(tmp_path / name, minimal_sheets())
    code, out, err = run_cli("check", book, capsys=capsys)
    assert code == 0, err
    assert "damaged" not in out + err and "caf\ufffd.billing.xlsx" in out


def test_an_output_that_is_a_folder_names_the_folder(tmp_path, capsys):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    (tmp_path / "results").mkdir()
    code, _, err = run_cli("check", book, "-o", tmp_path / "results", capsys=capsys)
    assert code == 2 and one_sentence(err) and "results is a folder" in err and ".~ib-" not in err


@pytest.mark.parametrize("args, option", [
    (("template", "-o", "{missing}/MyClinic.xlsx"), "-o"),
    (("check", "{book}", "-o", "{missing}/results.xlsx"), "-o"),
    (("export-837", "{book}", "--out-dir", "{missing}/837"), "--out-dir"),
    (("statements", "{book}", "--out-dir", "{missing}/statements"), "--out-dir"),
    (("assess", "--remits", "{book}", "-o", "{tmp}/a.xlsx", "--pdf", "{missing}/a.pdf"), "--pdf"),
    (("export-store", "{book}", "--store", "{missing}/store"), "--store"),
])
def test_a_mistyped_output_folder_is_one_sentence_and_nothing_is_made(tmp_path, capsys, args, option):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    missing = tmp_path / "Novmber"  # the biller meant November, which exists
    (tmp_path / "November").mkdir()
    before = sorted(tmp_path.rglob("*"))
    code, out, err = run_cli(*(a.format(book=book, missing=missing, tmp=tmp_path) for a in args), capsys=capsys)
    assert code == 2 and one_sentence(err) and out == ""
    assert err == (f"infusion-billing: The folder {missing} does not exist; create it first or correct the path "
                   f"given with {option}.\n")
    assert sorted(tmp_path.rglob("*")) == before


def test_an_out_dir_is_made_inside_a_folder_that_exists(tmp_path, capsys):
    book = write_book(tmp_path / "clinic.xlsx", minimal_sheets())
    code, _, err = run_cli("export-837", book, "--out-dir", tmp_path / "837", capsys=capsys)
    assert code == 0, err
    assert (tmp_path / "837").is_dir()


def test_a_pdf_is_called_a_pdf_not_a_csv(tmp_path, capsys):
    pdf = tmp_path / "eob.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n")
    code, _, err = run_cli("check", pdf, capsys=capsys)
    assert code == 2 and "PDF" in err and "CSV" not in err


def test_a_real_csv_still_gets_the_csv_hint(tmp_path, capsys):
    csv = tmp_path / "encounters.xlsx"
    csv.write_text("Encounter ID,Patient ID\nE001,P001\n")
    code, _, err = run_cli("check", csv, capsys=capsys)
    assert code == 2 and "CSV" in err
