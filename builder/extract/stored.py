"""Extractions kept by the PDF's sha256, so that a PDF is extracted once.

The build keeps them in its cache folder (``<packages>/../.build-cache/extract/``): the text
as ``<sha256>.txt`` and, beside it, ``<sha256>.key``, the :func:`extraction_key` it was
extracted with (the versions of the libraries that read the PDF, and every file of this
package and of the builder modules it uses, settings included). A PDF that cannot be
extracted leaves ``<sha256>.refused`` (the key, the message and the hint) instead, so it is
refused again without another attempt. An entry whose key differs is extracted again;
deleting the folder (or ``build --clean``) costs one extraction per PDF. Entries are not
pruned: the texts of PDFs no longer among the sources stay until then (a few dozen KB each).
Commands that read one PDF (``parse``, ``audit``, ``add``) use a temporary folder.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import metadata
from pathlib import Path

from builder.cache import write_atomic
from builder.errors import DisclosureError
from builder.extract.document import EXTRACTOR, extract_pdf
from builder.extract.opening import pdf_sha256

PACKAGE_ROOT = Path(__file__).resolve().parent
# The builder modules outside this package that an extraction or a refusal depends on.
USED_MODULES = ("errors.py", "regular_files.py")
TEXT_SUFFIX, KEY_SUFFIX, REFUSED_SUFFIX = ".txt", ".key", ".refused"
# The libraries whose versions change what an extraction gives.
LIBRARIES = ("pdfplumber", "pdfminer.six")


@cache
def extraction_key() -> str:
    """A hash of the extractor's library versions, of every file of this package (code and
    any settings beside it) and of the builder modules it uses (:data:`USED_MODULES`)."""
    digest = hashlib.sha256(EXTRACTOR.encode())
    for name in LIBRARIES:
        digest.update(f"{name} {metadata.version(name)}".encode())
    files = [p for p in PACKAGE_ROOT.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    named = [(p.relative_to(PACKAGE_ROOT).as_posix(), p) for p in files]
    named += [(f"../{name}", PACKAGE_ROOT.parent / name) for name in USED_MODULES]
    for name, path in sorted(named):
        digest.update(name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def stored_text(pdf: Path, folder: Path) -> Path:
    """The file in ``folder`` that holds the text of ``pdf``, extracted now only if no
    extraction with the current key is there."""
    digest = pdf_sha256(pdf)
    text, key = folder / f"{digest}{TEXT_SUFFIX}", folder / f"{digest}{KEY_SUFFIX}"
    refused = folder / f"{digest}{REFUSED_SUFFIX}"
    if text.is_file() and read_or_none(key) == extraction_key():
        return text
    earlier = read_refusal(refused)
    if earlier is not None:
        raise DisclosureError(pdf, None, *earlier)
    try:
        extraction = extract_pdf(pdf)
    except DisclosureError as error:
        why = {"key": extraction_key(), "message": error.message, "hint": error.hint}
        write_atomic(refused, json.dumps(why, ensure_ascii=False).encode("utf-8"))
        raise
    write_atomic(text, extraction.text.encode("utf-8"))
    write_atomic(key, extraction_key().encode("ascii"))
    refused.unlink(missing_ok=True)
    return text


def read_refusal(path: Path) -> tuple[str, str] | None:
    """The message and hint of an earlier refusal with the current key, if there is one."""
    try:
        stated = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stated, dict) or stated.get("key") != extraction_key():
        return None
    return str(stated.get("message")), str(stated.get("hint"))


def read_or_none(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
