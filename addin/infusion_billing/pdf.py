"""Printable PDF documents (patient statements, the assessment report): one small layer over fpdf2.

Every PDF the tool writes goes through :class:`Document`, so they share one look and one set of
guarantees:

* **US Letter**, portrait, 15 mm margins, a running footer with the document title and "Page n of m";
* the PDF's built-in **Helvetica** (no font file to ship or embed). Its character set is Latin-1
  (PDF 32000-1 Annex D), so text is folded to it (:func:`printable`): accents stay, a curly quote
  becomes a straight one, anything else becomes ``?`` rather than an error;
* **reproducible bytes**: the creation date in the metadata and the file identifier are derived
  from the document's own date (a statement date, an as-of date), never the clock, so the same
  book gives byte-identical files on every run and every machine;
* **atomic save**: the file is written under a temporary name and renamed when complete.

fpdf2 is pure Python (its Pillow and fontTools dependencies have Pyodide builds), so the documents
are made the same way in xlwings Lite.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import Align, TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

from . import __version__

__all__ = ["Document", "money", "printable"]

FONT = "Helvetica"
MARGIN = 15.0  # mm
LINE = 5.0  # mm: the height of one line of body text
#: Characters with a Latin-1 look-alike that NFKD does not give (typographic punctuation).
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                       "\u2026": "...", "\u2022": "*", "\u00a0": " "})
_HEADER_FILL = (221, 235, 247)  # the light blue of the workbook's header rows


def printable(text: Any) -> str:
    """``text`` in the Latin-1 set Helvetica has: accents kept, typographic marks folded, others ``?``.

    >>> printable("Zoë’s co-pay — $12")
    "Zoë's co-pay - $12"
    """
    out = []
    for ch in str(text).translate(_FOLD):
        if ord(ch) < 256:
            out.append(ch if ch.isprintable() or ch == "\n" else " ")
            continue
        base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
        out.append(base or "?")
    return "".join(out)


def money(amount: Decimal | None) -> str:
    """Dollars as printed on a statement: ``$1,234.50``, ``-$20.00``, blank for None."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


class _Pages(FPDF):
    """fpdf2's page with the footer every document of the tool carries."""

    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, printable(self.footer_text), new_x=XPos.LMARGIN, new_y=YPos.TOP)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align=Align.R)
        self.set_text_color(0, 0, 0)


class Document:
    """One printable document: build it top to bottom, then :meth:`save` it (or take :meth:`bytes`).

    ``dated`` is the document's own date (a statement date): the PDF's creation date is that day at
    noon UTC, so the bytes do not depend on when or where it was made. ``title`` goes into the
    metadata and the footer; ``subject`` into the metadata only. Never put a patient's name in either:
    a PDF's metadata is shown by file browsers and search indexes.
    """

    def __init__(self, title: str, *, dated: date, subject: str = "", author: str = "") -> None:
        pdf = _Pages(orientation="portrait", unit="mm", format="Letter")
        pdf.footer_text = title
        pdf.set_creation_date(datetime(dated.year, dated.month, dated.day, 12, 0, tzinfo=UTC))
        pdf.set_title(printable(title))
        pdf.set_subject(printable(subject))
        pdf.set_author(printable(author))
        pdf.set_creator(f"infusion-billing {__version__}")
        pdf.set_producer(f"infusion-billing {__version__}")
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=MARGIN + 5)
        pdf.add_page()
        pdf.set_font(FONT, size=10)
        self.pdf = pdf

    # ------------------------------------------------------------------ text
    @property
    def width(self) -> float:
        """The printable width of the page, in mm."""
        return float(self.pdf.epw)

    def heading(self, text: str, *, size: int = 14) -> None:
        """A bold heading on its own line, a little space after it."""
        self.pdf.set_font(FONT, "B", size)
        self.pdf.multi_cell(0, size * 0.5, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_font(FONT, size=10)
        self.space(1)

    def paragraph(self, text: str, *, bold: bool = False, size: int = 10, align: str = "L") -> None:
        """Body text wrapped to the page width (``align`` L, R, C or J)."""
        self.pdf.set_font(FONT, "B" if bold else "", size)
        self.pdf.multi_cell(0, LINE * size / 10, printable(text), align=Align.coerce(align),
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_font(FONT, size=10)

    def lines(self, lines: Sequence[str], *, bold_first: bool = False, x: float | None = None,
              width: float | None = None) -> float:
        """A block of short lines (an address), at ``x`` mm from the left edge; returns the y after it."""
        top = self.pdf.get_y()
        for n, text in enumerate(lines):
            self.pdf.set_x(x if x is not None else self.pdf.l_margin)
            self.pdf.set_font(FONT, "B" if bold_first and n == 0 else "", 10)
            self.pdf.cell(width or 0, LINE, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_font(FONT, size=10)
        end = self.pdf.get_y()
        self.pdf.set_y(top)
        return float(end)

    def key_values(self, pairs: Sequence[tuple[str, str]], *, x: float | None = None, key_width: float = 40,
                   value_width: float = 40) -> float:
        """Label: value lines (a statement's date, account, amount due); returns the y after them."""
        top = self.pdf.get_y()
        for key, value in pairs:
            self.pdf.set_x(x if x is not None else self.pdf.l_margin)
            self.pdf.set_font(FONT, "B", 10)
            self.pdf.cell(key_width, LINE, printable(key))
            self.pdf.set_font(FONT, "", 10)
            self.pdf.cell(value_width, LINE, printable(value), align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        end = self.pdf.get_y()
        self.pdf.set_y(top)
        return float(end)

    def move_to(self, y: float) -> None:
        """Continue at ``y`` mm from the top (below the lower of two side-by-side blocks)."""
        self.pdf.set_y(y)

    def space(self, mm: float = LINE) -> None:
        self.pdf.ln(mm)

    def rule(self) -> None:
        """A thin horizontal line across the page."""
        y = self.pdf.get_y()
        self.pdf.set_draw_color(160, 160, 160)
        self.pdf.line(self.pdf.l_margin, y, self.pdf.w - self.pdf.r_margin, y)
        self.pdf.set_draw_color(0, 0, 0)
        self.space(2)

    # ------------------------------------------------------------------ tables
    def table(self, columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
              widths: Sequence[float] | None = None, right: Sequence[str] = (),
              bold_last: bool = False, size: int = 9) -> None:
        """A table with a shaded header row repeated on every page.

        ``widths`` are relative column widths (default equal); columns named in ``right`` (amounts)
        are right-aligned; ``bold_last`` prints the last row bold (a totals row). Cells are printed
        as :func:`printable` text; None prints blank, a Decimal as :func:`money`.
        """
        aligns = tuple(Align.R if c in right else Align.L for c in columns)
        pdf = self.pdf
        pdf.set_font(FONT, size=size)
        with pdf.table(col_widths=tuple(widths) if widths else None, text_align=aligns,
                       borders_layout=TableBordersLayout.HORIZONTAL_LINES, line_height=LINE * size / 10,
                       headings_style=FontFace(emphasis="BOLD", fill_color=_HEADER_FILL), width=self.width,
                       padding=(0.8, 1.2), repeat_headings=1) as table:
            header = table.row()
            for c in columns:
                header.cell(printable(c))
            for n, row in enumerate(rows):
                style = FontFace(emphasis="BOLD") if bold_last and n == len(rows) - 1 else None
                cells = table.row(style=style)
                for value in row:
                    cells.cell(_cell_text(value))
        pdf.set_font(FONT, size=10)
        self.space(2)

    # ------------------------------------------------------------------ output
    def bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.pdf.output())

    def save(self, path: Path) -> Path:
        """Write the PDF to ``path`` atomically (a temporary name in the same folder, then renamed)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(self.bytes())
        os.replace(tmp, path)
        return path


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, date):
        return value.isoformat()
    return printable(value)
