"""Opening a PDF for extraction, and refusing one that cannot be extracted.

Each refusal is a :class:`~builder.errors.DisclosureError` naming the file and saying what to
do: a file too large to be one disclosure (:data:`MAX_PDF_BYTES`), a file that is not a PDF,
a broken PDF (truncated, damaged), and a PDF that needs a password to open. A PDF without a
text layer (a scan) opens fine; ``builder.extract.document`` refuses it once it has seen
every page.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfminer.pdfexceptions import PDFException
from pdfminer.psexceptions import PSException
from pdfplumber.pdf import PDF
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from builder.errors import DisclosureError
from builder.extract import flate
from builder.regular_files import open_regular, read_limited

PDF_SUFFIX = ".pdf"
# pdfminer logs every damaged operator it skips as a warning; the refusal (or a text with
# gaps) is what the user needs, not a screen of warnings.
logging.getLogger("pdfminer").setLevel(logging.ERROR)
flate.install()
# The disclosures seen are 0.2-4 MB (the largest with photographs); a file this large is a
# bundle or a scan at print resolution, and would take minutes and gigabytes to extract.
MAX_PDF_BYTES = 200 * 2**20
# The PDF standard lets a header start anywhere in the first 1,024 bytes.
HEADER = b"%PDF-"
HEADER_WINDOW = 1024
# What the PDF libraries raise on a damaged file (pdfplumber wraps most of pdfminer's
# errors, not all; damaged values surface as Python's own errors).
LIBRARY_ERRORS = (
    PdfminerException,
    MalformedPDFException,
    PDFException,
    PSException,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AssertionError,
    zlib.error,
)
BROKEN_HINT = (
    "download the PDF again (it may be truncated), or open and re-save it with a PDF viewer; "
    "if it still fails, extract the text yourself and add the .txt"
)


def check_file(path: Path) -> None:
    """Refuse a file that is too large, unreadable, not a regular file (a device, a FIFO:
    ``builder.regular_files``) or not a PDF at all, before parsing it."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_PDF_BYTES:
            raise DisclosureError(
                path,
                None,
                f"the PDF is {size / 2**20:.0f} MB, over the {MAX_PDF_BYTES // 2**20} MB limit "
                "(a disclosure is a few MB)",
                "check that this is one disclosure, not a bundle; split it, or reduce the "
                "resolution of its images with a PDF tool",
            )
        start = read_limited(handle, path, HEADER_WINDOW)
    if HEADER not in start:
        raise DisclosureError(
            path,
            None,
            "the file is not a PDF (it does not start with %PDF-)",
            "give the PDF as downloaded from the publisher, or its extracted text as a .txt",
        )


def refusal(path: Path, error: Exception, page: int | None = None) -> DisclosureError:
    """The error to show for an exception of the PDF library (``page``: where it happened)."""
    cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
    if isinstance(cause, PDFPasswordIncorrect):
        return DisclosureError(
            path,
            None,
            "the PDF is encrypted and needs a password to open",
            "open it with the password and save (or print to PDF) an unprotected copy, then "
            "add that",
        )
    where = f" at page {page}" if page is not None else ""
    # pdfminer's messages read well ("Unexpected EOF"); a bare value (an object number) or
    # a Python error needs its type to mean anything.
    described = isinstance(cause, (PDFException, PSException, MalformedPDFException))
    worded = described and " " in str(cause).strip()
    detail = str(cause) if worded else f"{type(cause).__name__}: {cause}"
    return DisclosureError(path, None, f"the PDF is broken{where}: {detail}", BROKEN_HINT)


def pdf_sha256(path: Path) -> str:
    """The checksum of a PDF, read in blocks after :func:`check_file`."""
    check_file(path)
    with open_regular(path) as handle:
        try:
            return hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError as exc:
            raise DisclosureError(
                path, None, f"cannot read the file: {exc.strerror}", "check the path and try again"
            ) from exc


@contextmanager
def open_pdf(path: Path) -> Iterator[PDF]:
    """The PDF at ``path``, opened after :func:`check_file`; closed on leaving."""
    check_file(path)
    try:
        pdf = pdfplumber.open(path)
    except LIBRARY_ERRORS as error:
        raise refusal(path, error) from error
    try:
        yield pdf
    finally:
        try:
            pdf.close()  # closes each page too, which a damaged page tree refuses
        except LIBRARY_ERRORS:
            pdf.stream.close()
