"""PDFs drawn for the tests (reportlab, pypdf): a text as a PDF, a scan, an encrypted copy.

:func:`draw_text_pdf` draws a tab-celled text the way publishers print it: each plain line
as a line of text, each row of cells either ruled (a box around every cell, as the
Shanghai PDFs draw their tables) or unruled (cells in fixed columns, no lines). The Chinese
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
LEADING = 20.0  # a line of text; tables stand a line apart
ROW = 13.0  # the height of a table row
PAGE = (2400.0, 1200.0)  # wide enough for the longest line of a seed
MARGIN = 36.0
PADDING = 4.0
GRID = 24.0
COLUMN = 150.0  # the column pitch of unruled rows (an em per character: 12 characters fit)

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def draw_text_pdf(lines: Sequence[str], target: Path, *, ruled: bool = True) -> Path:
    """Draw ``lines`` (a ``\\t`` in a line separates cells) as a PDF at ``target``.

    Ruled, each run of rows with the same number of cells is one table on a grid of
    columns as wide as their widest cell; runs stand apart, as separate tables.
    """
    pdf = canvas.Canvas(str(target), pagesize=PAGE, invariant=True)
    pdf.setFont(FONT, SIZE)
    y = PAGE[1] - MARGIN
    for block in blocks(lines):
        if y - LEADING * len(block) < MARGIN:
            pdf.showPage()
            pdf.setFont(FONT, SIZE)
            y = PAGE[1] - MARGIN
        rows = [line.split("\t") for line in block]
        widths = [max(cell_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for line, row in zip(block, rows, strict=True):
            if "\t" not in line:
                pdf.drawString(MARGIN, y, line.strip())
            elif ruled:
                draw_ruled_row(pdf, row, widths, y)
            else:
                draw_unruled_row(pdf, row, y)
            y -= ROW if ruled and "\t" in line else LEADING
        y -= LEADING - ROW
    pdf.showPage()
    pdf.save()
    return target


def blocks(lines: Sequence[str]) -> list[list[str]]:
    """Non-blank lines in runs: each text line alone, rows by their number of cells."""
    runs: list[list[str]] = []
    for line in lines:
        if not line.strip():
            continue
        shape = line.count("\t") if "\t" in line else -1
        if shape >= 0 and runs and runs[-1][-1].count("\t") == shape and "\t" in runs[-1][-1]:
            runs[-1].append(line)
        else:
            runs.append([line])
    return runs


def cell_width(cell: str) -> float:
    """An em per character: readers take the font's default width (an em) for the digits
    of a CID font that is not embedded, wider than reportlab measures them. Cells are
    whole multiples of a grid, as in a real table (the table finder snaps edges that are a
    few points apart, which would squeeze an empty cell out of its row)."""
    return GRID * max(1, math.ceil((SIZE * len(cell.strip()) + 2 * PADDING) / GRID))


def draw_ruled_row(pdf: canvas.Canvas, cells: list[str], widths: list[float], y: float) -> None:
    x = MARGIN
    for cell, width in zip(cells, widths, strict=True):
        pdf.rect(x, y - 4, width, ROW, stroke=1, fill=0)
        pdf.drawString(x + PADDING, y, cell.strip())
        x += width


def draw_unruled_row(pdf: canvas.Canvas, cells: list[str], y: float) -> None:
    """Each cell at the left of its column, columns :data:`COLUMN` apart, no lines."""
    for index, cell in enumerate(cells):
        pdf.drawString(MARGIN + index * COLUMN, y, cell.strip())


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
