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
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

from . import __version__

__all__ = ["Document", "made_by_tool", "money", "printable"]

FONT = "Helvetica"
MARGIN = 15.0  # mm
LINE = 5.0  # mm: the height of one line of body text
#: Characters with a Latin-1 look-alike that NFKD does not give (typographic punctuation).
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                       "\u2026": "...", "\u2022": "*", "\u00a0": " "})
_HEADER_FILL = (221, 235, 247)  # the light blue of the workbook's header rows
_PAD, _PAD_Y = 1.2, 0.8  # mm inside a table cell: left and right, top and bottom
_BAR_FILL = (68, 114, 196)  # the blue of Excel's first chart series


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

    def new_page(self) -> None:
        """Continue at the top of a new page."""
        self.pdf.add_page()

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
        as :func:`printable` text; None prints blank, a Decimal as :func:`money`. A cell too long
        for its column wraps onto more lines (at spaces, else inside a word) and its row grows to
        fit, so nothing is cut off; a row starts on the next page (under the header repeated) when
        it would not fit on this one. Drawn cell by cell rather than with fpdf2's table, which
        measures every cell twice: only a cell wider than its column is measured for wrapping, so a
        statement is still drawn in a few milliseconds (bench/bench_statements.py).
        """
        pdf = self.pdf
        weights = list(widths) if widths else [1.0] * len(columns)
        col_w = [self.width * w / sum(weights) for w in weights]
        aligns = [Align.R if c in right else Align.L for c in columns]
        line = LINE * size / 10
        header = [printable(c) for c in columns]

        def rule(y: float) -> None:
            pdf.set_draw_color(160, 160, 160)
            pdf.line(pdf.l_margin, y, pdf.l_margin + self.width, y)
            pdf.set_draw_color(0, 0, 0)

        def draw_header() -> None:
            pdf.set_font(FONT, "B", size)
            lines = max(_line_count(pdf, w - 2 * _PAD, line, text) for w, text in zip(col_w, header, strict=True))
            height = lines * line + 2 * _PAD_Y
            if pdf.get_y() + height + line > pdf.page_break_trigger:
                pdf.add_page()
            top, x = pdf.get_y(), pdf.l_margin
            pdf.set_fill_color(*_HEADER_FILL)
            pdf.rect(x, top, self.width, height, style="F")
            for w, text, align in zip(col_w, header, aligns, strict=True):
                pdf.set_xy(x + _PAD, top + _PAD_Y)
                pdf.multi_cell(w - 2 * _PAD, line, text, align=align)
                x += w
            pdf.set_y(top + height)
            rule(top + height)

        draw_header()
        for n, values in enumerate(rows):
            style = "B" if bold_last and n == len(rows) - 1 else ""
            pdf.set_font(FONT, style, size)
            texts = [_cell_text(value) for value in values]
            counts = [1 if pdf.get_string_width(text) <= w - 2 * _PAD else _line_count(pdf, w - 2 * _PAD, line, text)
                      for w, text in zip(col_w, texts, strict=True)]
            height = max(counts, default=1) * line + 2 * _PAD_Y
            if pdf.get_y() + height > pdf.page_break_trigger:
                pdf.add_page()
                draw_header()
                pdf.set_font(FONT, style, size)
            top, x = pdf.get_y(), pdf.l_margin
            for w, text, count, align in zip(col_w, texts, counts, aligns, strict=True):
                pdf.set_xy(x + _PAD, top + _PAD_Y)
                if count == 1:
                    pdf.cell(w - 2 * _PAD, line, text, align=align)
                else:
                    pdf.multi_cell(w - 2 * _PAD, line, text, align=align)
                x += w
            pdf.set_y(top + height)
            rule(top + height)
        pdf.set_font(FONT, size=10)
        self.space(2)

    # ------------------------------------------------------------------ charts
    def bar_chart(self, title: str, bars: Sequence[tuple[str, Decimal]], *, label_width: float = 70,
                  size: int = 8) -> None:
        """A horizontal bar chart drawn with the PDF's own rectangles (no image, no plotting library).

        One bar per ``(label, amount)`` in the order given, its length in proportion to the largest
        amount, the amount printed after it; a zero or negative amount draws no bar. A chart that
        would not start on this page starts on the next one.
        """
        pdf = self.pdf
        height = LINE * size / 10 + 1.2
        if pdf.get_y() + LINE + height * min(len(bars), 8) > pdf.page_break_trigger:
            pdf.add_page()
        self.paragraph(title, bold=True, size=9)
        page, start = pdf.page_no(), pdf.get_y()
        top = max((amount for _, amount in bars), default=Decimal(0))
        room = self.width - label_width - 30  # the amount is printed after the longest bar
        x0 = pdf.l_margin + label_width
        pdf.set_font(FONT, size=size)
        pdf.set_fill_color(*_BAR_FILL)
        for label, amount in bars:
            if pdf.get_y() + height > pdf.page_break_trigger:
                pdf.add_page()
                pdf.set_font(FONT, size=size)
            y = pdf.get_y()
            pdf.set_x(pdf.l_margin)
            pdf.cell(label_width, height, _fit(pdf, printable(label), label_width - 1.5))
            length = float(amount / top) * room if top > 0 and amount > 0 else 0.0
            if length:
                pdf.rect(x0, y + 0.7, length, height - 1.4, style="F")
            pdf.set_xy(x0 + length + 1.5, y)
            pdf.cell(28, height, money(amount), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_fill_color(255, 255, 255)  # fpdf2's tables fill their cells with the current colour
        if pdf.page_no() == page:  # the axis, when the chart stayed on one page
            pdf.set_draw_color(120, 120, 120)
            pdf.line(x0, start, x0, pdf.get_y())
            pdf.set_draw_color(0, 0, 0)
        pdf.set_font(FONT, size=10)
        self.space(3)

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


def _line_count(pdf: FPDF, width: float, height: float, text: str) -> int:
    """How many lines ``text`` wraps to in ``width`` mm (fpdf2's dry run)."""
    lines = pdf.multi_cell(width, height, text, dry_run=True, output=MethodReturnValue.LINES)
    return len(lines) if isinstance(lines, list) else 1


def made_by_tool(path: Path) -> bool:
    """Whether the PDF at ``path`` is one the tool wrote (its producer names infusion-billing): an earlier
    report may be replaced without asking, any other file only with --force."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(5)
            fh.seek(max(0, path.stat().st_size - 16384))
            tail = fh.read()
    except OSError:
        return False
    return head == b"%PDF-" and b"/Producer (infusion-billing" in tail


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut with ``...`` to fit ``width`` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, date):
        return value.isoformat()
    return printable(value)
