"""PDFs drawn for the tests (reportlab, pypdf): a text as a PDF, a scan, an encrypted copy.

:func:`draw_text_pdf` draws a tab-celled text the way publishers print it: each plain line
as a line of text, each row of cells either ruled (a box around every cell, as the
Shanghai PDFs draw their tables) or unruled (cells at fixed columns, no lines). The Chinese
font is reportlab's built-in STSong-Light (an Adobe CID font, not embedded), so no font
file is needed.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

FONT = "STSong-Light"
SIZE = 9.0
LEADING = 20.0  # a row box is 13 points high: rows stay 7 points apart, each its own table
PAGE = (2400.0, 1200.0)  # wide enough for the longest line of a seed
MARGIN = 36.0
PADDING = 4.0
GRID = 24.0
COLUMN = 120.0  # the column pitch of unruled rows
LINES_PER_PAGE = int((PAGE[1] - 2 * MARGIN) // LEADING)

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def draw_text_pdf(lines: Sequence[str], target: Path, *, ruled: bool = True) -> Path:
    """Draw ``lines`` (a ``\\t`` in a line separates cells) as a PDF at ``target``."""
    pdf = canvas.Canvas(str(target), pagesize=PAGE, invariant=True)
    pdf.setFont(FONT, SIZE)
    y = PAGE[1] - MARGIN
    for line in lines:
        if y < MARGIN:
            pdf.showPage()
            pdf.setFont(FONT, SIZE)
            y = PAGE[1] - MARGIN
        if "\t" in line:
            draw_row(pdf, line.split("\t"), y, ruled=ruled)
        elif line.strip():
            pdf.drawString(MARGIN, y, line.strip())
        y -= LEADING
    pdf.showPage()
    pdf.save()
    return target


def draw_row(pdf: canvas.Canvas, cells: list[str], y: float, *, ruled: bool) -> None:
    x = MARGIN
    for cell in cells:
        text = cell.strip()
        # An em per character: readers take the font's default width (an em) for the
        # digits of a CID font that is not embedded, wider than reportlab measures them.
        # Cell edges lie on a grid, as in a real table: the table finder snaps edges that
        # are a few points apart, which would squeeze an empty cell out of its row.
        width = GRID * math.ceil((SIZE * len(text) + 2 * PADDING) / GRID)
        if ruled:
            pdf.rect(x, y - 4, width, SIZE + 4, stroke=1, fill=0)
            pdf.drawString(x + PADDING, y, text)
            x += width
        else:
            pdf.drawString(x, y, text)
            x += max(COLUMN, width + 2 * GRID)


def draw_scan(target: Path, pages: int = 2) -> Path:
    """A PDF whose pages are images only (as a scanner makes them): no text layer."""
    image = Image.new("RGB", (200, 280), "white")
    for x in range(20, 180):
        image.putpixel((x, 40), (0, 0, 0))
    pdf = canvas.Canvas(str(target), pagesize=(595, 842), invariant=True)
    for _ in range(pages):
        pdf.drawImage(ImageReader(image), 0, 0, 595, 842)
        pdf.showPage()
    pdf.save()
    return target


def encrypt(source: Path, target: Path, password: str) -> Path:
    """A copy of ``source`` that opens only with ``password``."""
    writer = PdfWriter(clone_from=PdfReader(source))
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    target.write_bytes(buffer.getvalue())
    return target
