"""Which files are disclosures, and reading one of either kind as a text.

A disclosure is a ``<id>.txt`` (text extracted from the publisher's PDF) or a ``<id>.pdf``
(extracted by ``builder.extract`` when read). When both ``X.txt`` and ``X.pdf`` exist, the
``.txt`` is the source: it is the stored extraction (``python -m builder add X.pdf`` writes
it), and the PDF beside it is kept only as the original. A PDF is read through its
extracted text, exactly as that text would be read as a ``.txt``; errors name the PDF.

The folder is not trusted: a source must be a regular file inside it (a symbolic link to
another file of the folder is fine), and is read as one, never past the size limit
(``builder.regular_files``).
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from builder.errors import DisclosureError
from builder.extract import PDF_SUFFIX
from builder.extract.opening import pdf_sha256
from builder.extract.stored import stored_text
from builder.sources.provenance import TEXT_SUFFIX, meta_path, read_record
from builder.sources.reading import SourceText, read_source

SOURCE_SUFFIXES = (TEXT_SUFFIX, PDF_SUFFIX)


def is_pdf(path: Path) -> bool:
    return path.suffix.lower() == PDF_SUFFIX


def source_files(folder: Path) -> list[Path]:
    """The disclosures in ``folder`` in name order: every ``*.txt``, and every ``*.pdf``
    (or ``*.PDF``, as downloads are often named) without a ``.txt`` of the same stem."""
    texts = sorted(folder.glob(f"*{TEXT_SUFFIX}"))
    stems = {path.stem for path in texts}
    pdfs = [path for path in folder.glob("*") if is_pdf(path) and path.stem not in stems]
    return sorted(texts + pdfs)


def read_any_source(path: Path, extractions: Path | None = None) -> SourceText:
    """Read a disclosure text, or a PDF's extracted text (kept in ``extractions`` by the
    PDF's sha256 when a folder is given, so it is extracted once)."""
    if not is_pdf(path):
        return read_source(path)
    check_pdf_checksum(path)
    if extractions is not None:
        return replace(read_source(stored_text(path, extractions)), path=path)
    with tempfile.TemporaryDirectory(prefix="extract-") as folder:
        return replace(read_source(stored_text(path, Path(folder))), path=path)


def check_pdf_checksum(pdf: Path) -> None:
    """A record beside the PDF that states ``pdf_sha256`` must match the PDF."""
    stated = read_record(pdf).get("pdf_sha256")
    if stated is None:
        return
    actual = pdf_sha256(pdf)
    if actual != stated:
        raise DisclosureError(
            pdf,
            None,
            f"the PDF's sha256 {actual} differs from pdf_sha256 {stated} in {meta_path(pdf).name}",
            "if the PDF was replaced on purpose, update or delete pdf_sha256 in the record",
        )
