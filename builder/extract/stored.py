"""Extractions kept by the PDF's sha256, so that a PDF is extracted once.

The build keeps them in its cache folder (``<packages>/../.build-cache/extract/``): the text
as ``<sha256>.txt`` and, beside it, ``<sha256>.key``, the :func:`extraction_key` it was
extracted with (the extractor's version and this package's code). A text whose key differs
is extracted again; deleting the folder (or ``build --clean``) costs one extraction per PDF.
Commands that read one PDF (``parse``, ``audit``, ``add``) use a temporary folder.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

from builder.cache import write_atomic
from builder.extract.document import EXTRACTOR, extract_pdf
from builder.extract.opening import check_file

PACKAGE_ROOT = Path(__file__).resolve().parent
TEXT_SUFFIX, KEY_SUFFIX = ".txt", ".key"
# The libraries whose versions change what an extraction gives.
LIBRARIES = ("pdfplumber", "pdfminer.six")


@cache
def extraction_key() -> str:
    """A hash of the extractor's library versions and of this package's code."""
    digest = hashlib.sha256(EXTRACTOR.encode())
    for name in LIBRARIES:
        digest.update(f"{name} {metadata.version(name)}".encode())
    for path in sorted(PACKAGE_ROOT.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def pdf_sha256(pdf: Path) -> str:
    """The checksum of a PDF, read in blocks (after the size check of ``opening``)."""
    check_file(pdf)
    with pdf.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def stored_text(pdf: Path, folder: Path) -> Path:
    """The file in ``folder`` that holds the text of ``pdf``, extracted now only if no
    extraction with the current key is there."""
    digest = pdf_sha256(pdf)
    text, key = folder / f"{digest}{TEXT_SUFFIX}", folder / f"{digest}{KEY_SUFFIX}"
    try:
        if text.is_file() and key.read_text(encoding="ascii") == extraction_key():
            return text
    except OSError:
        pass  # no key: extract again
    extraction = extract_pdf(pdf)
    write_atomic(text, extraction.text.encode("utf-8"))
    write_atomic(key, extraction_key().encode("ascii"))
    return text
