"""A whole PDF to its text: a page marker before each page, then the page's lines.

The text is UTF-8 with ``\\n`` line ends and ends with a newline; before each page (every
page, even an empty one) stands ``=== page N ===`` (1-based). The same PDF always gives
the same text. A PDF with no character on any page has no text layer (a scan) and is
refused: it needs OCR first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pdfplumber

from builder.errors import DisclosureError
from builder.extract.opening import LIBRARY_ERRORS, open_pdf, pdf_sha256, refusal
from builder.extract.pages import page_lines

EXTRACTOR = f"pdfplumber {pdfplumber.__version__}"
PAGE_MARKER = "=== page {number} ==="
OCR_HINT = (
    "run OCR on it first (for example `ocrmypdf -l chi_sim in.pdf out.pdf`) and add the "
    "result, or add its text as a .txt"
)


@dataclass(frozen=True)
class Extraction:
    """The text of one PDF, how many pages it has, its checksum and what extracted it."""

    path: Path
    text: str
    pages: int
    pdf_sha256: str
    extractor: str = EXTRACTOR


def page_marker(number: int) -> str:
    return PAGE_MARKER.format(number=number)


def extract_pdf(path: Path) -> Extraction:
    """Extract the text of the PDF at ``path`` (a :class:`DisclosureError` if it cannot be)."""
    lines: list[str] = []
    chars = images = 0
    digest = pdf_sha256(path)
    with open_pdf(path) as pdf:
        try:
            pages = pdf.pages
        except LIBRARY_ERRORS as error:
            raise refusal(path, error) from error
        for number, page in enumerate(pages, start=1):
            lines.append(page_marker(number))
            try:
                lines.extend(page_lines(page))
                chars += len(page.chars)
                images += len(page.images)
            except LIBRARY_ERRORS as error:
                raise refusal(path, error, number) from error
            finally:
                page.close()
    if chars == 0:
        what = f"its {len(pages)} page(s) are images" if images else "no page has any text"
        raise DisclosureError(
            path, None, f"the PDF has no text layer ({what}): it is a scan", OCR_HINT
        )
    return Extraction(path, "\n".join(lines) + "\n", len(pages), digest)
