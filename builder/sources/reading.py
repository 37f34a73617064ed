"""Read a disclosure text file into numbered lines with extraction noise stripped.

Each :class:`Line` keeps its 1-based number in the file (counted as ``grep -n`` counts:
only ``\n`` ends a line, see :func:`split_lines`), the raw text and the cleaned text, and
the page it was printed on when the text was extracted from a PDF (the extractor writes a
marker line ``=== page N ===`` before each page; the marker is kept as an empty line so that
line numbers stay those of the file). Cleaning removes what PDF-to-text tools add (HTML tags,
Markdown heading and bold marks, list bullets, page numbers such as ``-5-``, rules such as
``---``, form feeds and other characters that end a line for Python but not for grep) and
keeps the words and the tab-separated cells.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from builder.errors import DisclosureError
from builder.regular_files import open_regular, read_limited

_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_BOLD = re.compile(r"\*\*")
_BULLET = re.compile(r"^\s*[-*]\s+(?=\S)")
_PAGE_NUMBER = re.compile(r"^\s*[-—]\s*\d{1,4}\s*[-—]\s*$")
# Real disclosures are 30-80 KB of text; a file this large is not one, and reading it whole
# would cost memory for nothing.
MAX_SOURCE_BYTES = 20 * 2**20
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
# Characters that str.splitlines() breaks at besides \n and \r\n: form feed (pdftotext's page
# break), vertical tab, the information separators, NEL, and the Unicode line and paragraph
# separators. grep and editors do not end a line there, so neither do we: inside a line they
# are extraction noise, removed from the cleaned text (with a lone \r).
_IN_LINE_BREAK = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\r]")
PAGE_MARKER = re.compile(r"^=== page (?P<page>\d{1,5}) ===$")
# Every noise pattern below the line breaks needs one of these characters: a line without
# any (most lines) is only stripped.
_NOISE_CHARACTERS = re.compile(r"[-—*_<#]")


@dataclass(frozen=True, init=False)
class Line:
    """One source line: its number, raw text and cleaned text."""

    number: int
    raw: str
    text: str
    noise: tuple[str, ...] = ()
    page: int | None = None

    def __init__(
        self, number: int, raw: str, text: str, noise: tuple[str, ...] = (), page: int | None = None
    ) -> None:
        # the generated __init__ of a frozen dataclass sets each field through
        # object.__setattr__: twice as slow, and a disclosure makes a Line of every line
        self.__dict__.update(number=number, raw=raw, text=text, noise=noise, page=page)

    @property
    def cells(self) -> list[str]:
        """Tab-separated cells of the cleaned text, each stripped of spaces."""
        return [cell.strip() for cell in self.text.split("\t")]

    @property
    def has_cells(self) -> bool:
        return "\t" in self.text

    def with_text(self, text: str) -> Line:
        """The same line with another cleaned text (``dataclasses.replace(line, text=text)``,
        without its generic field-by-field copy: the parser rewrites every table row)."""
        return Line(self.number, self.raw, text, self.noise, self.page)


@dataclass(frozen=True)
class SourceText:
    """A disclosure text as read from disk."""

    path: Path
    sha256: str
    encoding: str
    lines: list[Line] = field(repr=False)


def split_lines(text: str) -> list[str]:
    """The lines of a text as ``grep -n`` numbers them: only ``\n`` ends a line (a ``\r``
    before it is dropped); a final ``\n`` does not start another line. A text with no ``\n``
    at all but ``\r`` line ends (old Mac files) is split at ``\r``, as editors show it.

    >>> split_lines("a\\fb\\u2028c\\r\\nd\\n")
    ['a\\x0cb\\u2028c', 'd']
    """
    end = "\r" if "\n" not in text and "\r" in text else "\n"
    lines = text.split(end)
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def clean_line(raw: str) -> tuple[str, tuple[str, ...]]:
    """Strip extraction noise from one line; return the text and the noise kinds found."""
    noise: list[str] = []
    text = raw
    if _IN_LINE_BREAK.search(text):
        text = _IN_LINE_BREAK.sub("", text)
        noise.append("in-line-break")
    text = text.rstrip(" \u3000")
    if not _NOISE_CHARACTERS.search(text):
        return text, tuple(noise)
    if _PAGE_NUMBER.match(text):
        return "", ("page-number",)
    if _RULE.match(text):
        return "", ("rule",)
    if _HTML_TAG.search(text):
        text = _HTML_TAG.sub("", text)
        noise.append("html-tag")
    if _HEADING.match(text):
        text = _HEADING.sub("", text)
        noise.append("markdown-heading")
    if _BOLD.search(text):
        text = _BOLD.sub("", text)
        noise.append("markdown-bold")
    if _BULLET.match(text):
        text = _BULLET.sub("", text)
        noise.append("list-bullet")
    return text.rstrip(" \u3000"), tuple(noise)


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 (with BOM) or GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DisclosureError(
            path,
            None,
            "the file is not text in UTF-8, UTF-16 or GB18030",
            "export the disclosure as plain text (UTF-8) and try again",
        ) from exc


def read_source(path: Path) -> SourceText:
    """Read and clean a disclosure text file: a regular file (``builder.regular_files``),
    of which no more than the limit is ever read."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size  # what the file says; the read is capped too
        data = b"" if size > MAX_SOURCE_BYTES else read_limited(handle, path, MAX_SOURCE_BYTES)
    if size > MAX_SOURCE_BYTES or len(data) > MAX_SOURCE_BYTES:
        limit = f"{MAX_SOURCE_BYTES // 2**20} MB"
        held = f"is {size / 2**20:.1f} MB" if size > MAX_SOURCE_BYTES else f"goes on past {limit}"
        raise DisclosureError(
            path,
            None,
            f"the file {held}, over the {limit} limit (a disclosure's text is well under 1 MB)",
            "check that this is the extracted text of one disclosure, not a scan or a bundle",
        )
    text, encoding = decode(data, path)
    if "\x00" in text:
        raise DisclosureError(
            path, None, "the file contains binary data", "give the extracted text, not the PDF"
        )
    lines = []
    page: int | None = None
    for number, raw in enumerate(split_lines(text), start=1):
        marker = PAGE_MARKER.match(_IN_LINE_BREAK.sub("", raw)) if "=" in raw else None
        if marker:
            page = int(marker["page"])
            lines.append(Line(number, raw, "", ("page-marker",), page))
            continue
        cleaned, noise = clean_line(raw)
        lines.append(Line(number, raw, cleaned, noise, page))
    return SourceText(path, hashlib.sha256(data).hexdigest(), encoding, lines)
