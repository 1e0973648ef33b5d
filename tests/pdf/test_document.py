"""The shared PDF layer (``infusion_billing.pdf``): what every statement and report relies on."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pypdf

from infusion_billing.pdf import Document, money, printable


def visit_table(doc: Document, rows: int) -> None:
    line = [date(2026, 11, 2), "96365", Decimal("260.00"), Decimal("90.55"), Decimal("23.10")]
    doc.table(["Date", "Code", "Charge", "Insurance paid", "You owe"],
              [line] * rows + [["Total", "", Decimal("260.00"), None, Decimal("-4.25")]],
              widths=(2, 1.5, 2, 2, 2), right=("Charge", "Insurance paid", "You owe"), bold_last=True)


def statement(rows: int = 3) -> Document:
    doc = Document("Statement S-20261201-P1", dated=date(2026, 12, 1), subject="Patient statement")
    doc.heading("Lakeside Infusion Center")
    left = doc.lines(["Zoë O’Neil", "100 Main St", "Springfield, IL 62701"], bold_first=True)
    right = doc.key_values([("Statement date", "12/01/2026"), ("Amount due", "$23.10")], x=120)
    doc.move_to(max(left, right))
    visit_table(doc, rows)
    doc.paragraph("First notice: this is your balance after insurance.")
    return doc


def text_of(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_a_document_opens_and_its_text_holds_the_amounts_and_the_folded_name():
    pages, text = text_of(statement().bytes())
    assert pages == 1
    assert "Zoë O'Neil" in text  # accent kept, the curly apostrophe folded to Helvetica's own
    assert "$260.00" in text and "$90.55" in text and "$23.10" in text and "-$4.25" in text
    assert "Page 1 of 1" in text


def test_the_bytes_depend_on_the_document_date_only_never_the_clock():
    first, second = statement().bytes(), statement().bytes()
    assert first == second
    meta = pypdf.PdfReader(io.BytesIO(first)).metadata
    assert meta is not None and meta["/CreationDate"] == "D:20261201120000Z"
    assert meta["/Title"] == "Statement S-20261201-P1" and meta["/Creator"].startswith("infusion-billing")


def test_a_long_table_runs_onto_more_pages_with_its_header_repeated():
    pages, text = text_of(statement(rows=60).bytes())
    assert pages == 2
    assert text.count("Date Code Charge Insurance paid You owe") == 2
    assert "Page 2 of 2" in text


def test_a_cell_longer_than_its_column_wraps_and_its_row_grows_nothing_is_cut():
    doc = Document("Scorecard", dated=date(2026, 12, 1))
    doc.table(["Measure", "Value", "Benchmark", "Status"],
              [["Initial denial rate (claims)", "10.0%", "under 5% (HFMA/MGMA practice target)", "Red"],
               ["Net collection rate", "66.3%", "95% or more (MGMA)", "Red"]], widths=(3, 1, 1.5, 1))
    text = text_of(doc.bytes())[1]
    assert "..." not in text
    # The benchmark takes two lines of its column; the next row starts below both.
    assert "under 5% (HFMA/MGMA\npractice target)" in text
    assert " ".join(text.split()).endswith(
        "Initial denial rate (claims) 10.0% under 5% (HFMA/MGMA practice target) Red "
        "Net collection rate 66.3% 95% or more (MGMA) Red Scorecard Page 1 of 1")


def test_save_writes_atomically_into_a_new_folder(tmp_path):
    target = statement().save(tmp_path / "out" / "S-1.pdf")
    assert target.read_bytes().startswith(b"%PDF-")
    assert [p.name for p in target.parent.iterdir()] == ["S-1.pdf"]


def test_money_and_printable_text():
    assert money(Decimal("1234.5")) == "$1,234.50"
    assert money(Decimal("-20")) == "-$20.00"
    assert money(None) == ""
    assert printable("Smith – “Jr.”\u2026 \u4e2d") == 'Smith - "Jr."... ?'
