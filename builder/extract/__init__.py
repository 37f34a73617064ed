"""Extract: a disclosure PDF to the tab-celled text the parser reads, with page markers.

The first stage of the data flow (extract → sources → parse → …). ``document`` takes a PDF to
its text (``=== page N ===`` before each page, table rows as one line of tab-separated
cells, other text as plain lines, top to bottom); ``opening`` refuses what cannot be
extracted (not a PDF, broken, password-protected, too large); ``tables`` reads ruled tables
and ``gaps`` splits unruled table lines at wide gaps; ``cells`` owns the text of one cell or
line; ``stored`` keeps each extraction in the build cache by the PDF's sha256, so a rebuild
never extracts a PDF twice.
"""

from __future__ import annotations

from builder.extract.document import EXTRACTOR, Extraction, extract_pdf
from builder.extract.opening import MAX_PDF_BYTES, PDF_SUFFIX

__all__ = ["EXTRACTOR", "MAX_PDF_BYTES", "PDF_SUFFIX", "Extraction", "extract_pdf"]
