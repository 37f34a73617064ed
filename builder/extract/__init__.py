"""Extract: a disclosure PDF to the tab-celled text the parser reads, with page markers.

The first stage of the data flow (extract → sources → parse → …). ``document`` takes a PDF to
its text (``=== page N ===`` before each page, then the page top to bottom: table rows as one
line of tab-separated cells, other text as plain lines); ``opening`` refuses what cannot be
extracted (too large, not a PDF, broken, password-protected; ``document`` refuses a scan);
``pages`` puts one page's tables and text in reading order; ``tables`` reads ruled tables
with pdfplumber's table finder and ``gaps`` splits unruled table lines at wide gaps;
``baselines`` keeps characters of mixed fonts on their printed line; ``overprint`` removes
characters printed twice; ``cells`` owns the text of one cell or line; ``stored`` keeps each
extraction by the PDF's sha256 (in the build cache), so a rebuild never extracts a PDF twice.
"""

from __future__ import annotations

from builder.extract.document import EXTRACTOR, Extraction, extract_pdf
from builder.extract.opening import MAX_PDF_BYTES, PDF_SUFFIX

__all__ = ["EXTRACTOR", "MAX_PDF_BYTES", "PDF_SUFFIX", "Extraction", "extract_pdf"]
