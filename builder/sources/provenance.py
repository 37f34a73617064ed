"""Provenance records: the optional ``<id>.meta.yaml`` beside each disclosure text ``<id>.txt``.

The id is the file stem and must be a safe file and URL name (:func:`is_safe_id`). A record
needs to hold only what the text cannot say: where and when the publisher posted it
(``source_url``, ``published``) and the terms of reuse (``licence``; default
:data:`DEFAULT_LICENCE`). It may also state the facts a parse reads from the text (checksum,
unit, year, kind, scope, money unit); ``builder.publish.inputs`` checks that they agree. A text
extracted from a PDF by ``python -m builder add`` records the PDF's name, its sha256 and the
extractor (:data:`EXTRACTION_KEYS`).
Without a record, every fact comes from the text. See ``datasets/README.md``.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from builder.errors import DisclosureError
from builder.regular_files import check_in_folder, open_regular, read_at_most

TEXT_SUFFIX = ".txt"
META_SUFFIX = ".meta.yaml"
DEFAULT_LICENCE = "Government public information (政府信息公开); redistributed as published"
# Facts a parse reads from the file and its text; a record may state them, and must agree.
FACT_KEYS = (
    "id",
    "source_file",
    "sha256",
    "unit",
    "year",
    "kind",
    "kind_zh",
    "scope",
    "money_unit",
)
# Where the text came from when it was extracted from a PDF (``python -m builder add X.pdf``).
EXTRACTION_KEYS = ("pdf_file", "pdf_sha256", "extractor")
# What only a record can say.
OPTIONAL_KEYS = ("source_url", "published", "licence")
RECORD_KEYS = FACT_KEYS + EXTRACTION_KEYS + OPTIONAL_KEYS
SHA256 = re.compile(r"[0-9a-f]{64}")
YEAR = re.compile(r"[0-9]{4}")
SAFE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
# Names the site and the packages use beside the disclosures' own folders.
RESERVED_IDS = frozenset({"portal", "index", "quality"})  # quality: downloads/quality/
# Device names Windows reserves: a file or folder so named cannot be checked out there.
WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)}
)
ID_RULE = (
    "ids are lower-case ASCII letters, digits, - and _, at most 80 (not portal, index or "
    "quality, nor a device name Windows reserves: con, prn, aux, nul, com1-9, lpt1-9), used "
    "in file names and URLs"
)
URL_SCHEMES = ("https", "http")
# Characters that could end a link or start markup where an address is shown.
URL_MARKUP = frozenset('<>"`\\')
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
PUBLISHED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
RECORD_HINT = "see datasets/README.md for the keys a record may hold"
# A record is a few lines (the bundled ones are under 1 KB); a long licence text still fits.
MAX_RECORD_BYTES = 64 * 2**10
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
ALIASES_REFUSED = "anchors and aliases (& and *) are not allowed in a provenance record"


class RecordLoader(yaml.SafeLoader):
    """YAML's safe loader without anchors and aliases (``&a`` / ``*a``): a record never needs
    them, and nested aliases (a "billion laughs") expand to gigabytes from a few lines.

    Dates stay text: YAML would read ``published: 2025-02-30`` as a timestamp and fail with
    a bare ValueError naming neither the file nor the key (or read ``2025-01-01 10:00:00`` as
    a time); as text, :func:`check_date` refuses it by name."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        """Refuse the first anchor (once composed, before any alias can repeat it) or alias."""
        self.refuse_anchors()
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, ALIASES_REFUSED, self.get_mark())
        node = super().compose_node(parent, index)
        self.refuse_anchors()
        return node

    def refuse_anchors(self) -> None:
        if self.anchors:
            anchored = next(iter(self.anchors.values()))
            raise yaml.composer.ComposerError(None, None, ALIASES_REFUSED, anchored.start_mark)


def construct_text(loader: RecordLoader, node: yaml.ScalarNode) -> str:
    """A value tagged ``!!timestamp`` read as its text."""
    return loader.construct_scalar(node)


RecordLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != TIMESTAMP_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
RecordLoader.add_constructor(TIMESTAMP_TAG, construct_text)


def is_safe_id(text: str) -> bool:
    """Lower-case ASCII letters, digits, ``-`` and ``_`` (first a letter or digit), at most
    80 characters, and not a name the site or Windows reserves: safe as a file name and in a
    URL on every system."""
    return (
        SAFE_ID.fullmatch(text) is not None
        and text not in RESERVED_IDS
        and text not in WINDOWS_DEVICES
    )


def check_id(source: Path) -> str:
    """The disclosure id of the text ``source`` (its stem), refused if it is not safe."""
    if not is_safe_id(source.stem):
        raise DisclosureError(
            source,
            None,
            f"{source.stem!r} cannot be a disclosure id: {ID_RULE}",
            "rename the file, or add it with `python -m builder add FILE`, which chooses an id",
        )
    return source.stem


def meta_path(source: Path) -> Path:
    """The provenance record beside a disclosure text file."""
    return source.with_name(source.stem + META_SUFFIX)


def file_sha256(path: Path) -> str:
    """The sha256 of a regular file (``builder.regular_files``: a FIFO or device is refused)."""
    with open_regular(path) as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_record(source: Path) -> dict[str, Any]:
    """The record beside ``source`` as stated (empty when there is none), its optional
    fields checked: ``source_url`` a web address, ``published`` a date (as ISO text)."""
    path = meta_path(source)
    if not os.path.lexists(path):
        return {}
    check_in_folder(path)
    data = read_at_most(path, MAX_RECORD_BYTES)
    if len(data) > MAX_RECORD_BYTES:
        raise DisclosureError(
            path,
            None,
            f"the provenance record is over {MAX_RECORD_BYTES // 2**10} KB (a record is a few "
            "lines)",
            RECORD_HINT,
        )
    try:
        loaded = yaml.load(data.decode("utf-8"), Loader=RecordLoader)  # a SafeLoader
    except UnicodeDecodeError as exc:
        raise DisclosureError(path, None, "not UTF-8 text", RECORD_HINT) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DisclosureError(path, line, f"not valid YAML: {exc}", RECORD_HINT) from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise DisclosureError(path, None, "the provenance record is not a mapping", RECORD_HINT)
    unknown = sorted(str(key) for key in loaded if key not in RECORD_KEYS)
    if unknown:
        raise DisclosureError(
            path,
            None,
            f"unknown keys: {', '.join(unknown)}; a record may hold {', '.join(RECORD_KEYS)}",
            RECORD_HINT,
        )
    record = {key: value for key, value in loaded.items() if value not in (None, "")}
    if "source_url" in record:
        record["source_url"] = check_url(str(record["source_url"]), path)
    if "published" in record:
        record["published"] = check_date(record["published"], path)
    if "year" in record and not YEAR.fullmatch(str(record["year"]).strip()):
        raise DisclosureError(
            path, None, f"year {record['year']!r} is not a year such as 2024", RECORD_HINT
        )
    if "licence" in record:
        record["licence"] = str(record["licence"])
    if "pdf_sha256" in record and not SHA256.fullmatch(str(record["pdf_sha256"])):
        raise DisclosureError(
            path,
            None,
            f"pdf_sha256 {record['pdf_sha256']!r} is not a sha256 (64 lower-case hex digits)",
            RECORD_HINT,
        )
    for key in ("pdf_file", "extractor"):
        if key in record:
            record[key] = str(record[key])
    return record


def web_address(text: str) -> str:
    """``text`` if it is an ``http(s)://`` address with a host and nothing that could break
    out of a link (whitespace, control or invisible characters, ``<>"`\\``); else ValueError
    saying why."""
    unsafe = sorted({char for char in text if char in URL_MARKUP or is_invisible(char)})
    if unsafe:
        shown = " ".join(ascii(char) if is_invisible(char) else char for char in unsafe)
        raise ValueError(f"{text!r} is not a web address: it holds {shown}")
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018 - a port that is not a number (or out of range) raises here
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a web address: its port is not valid") from exc
    if parts.scheme not in URL_SCHEMES or not text.startswith(f"{parts.scheme}://"):
        raise ValueError(f"{text!r} is not a web address (http:// or https://)")
    if not parts.hostname:
        raise ValueError(f"{text!r} is not a web address: it names no host")
    return text


def is_invisible(char: str) -> bool:
    """Whitespace, a control character or an invisible format character (U+200B, U+2028)."""
    return unicodedata.category(char) in INVISIBLE_CATEGORIES


def published_date(text: str) -> str:
    """``text`` if it is a real date written ``YYYY-MM-DD``, else ValueError. Python's own
    ISO parser also takes week dates (``2025W011``), ordinals and times: not here."""
    try:
        if PUBLISHED.fullmatch(text):
            return date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date such as 2025-03-01 (YYYY-MM-DD)")


def check_url(value: str, where: Path) -> str:
    try:
        return web_address(value)
    except ValueError as exc:
        raise DisclosureError(where, None, f"source_url {exc}", RECORD_HINT) from exc


def check_date(value: object, where: Path) -> str:
    """A publication date as ISO text (the record loader reads dates as text)."""
    text = value.isoformat() if isinstance(value, date) else str(value)
    try:
        return published_date(text)
    except ValueError as exc:
        raise DisclosureError(where, None, f"published {exc}", RECORD_HINT) from exc


def write_record(source: Path, fields: Mapping[str, Any], comments: list[str]) -> Path:
    """Write the record beside ``source``: ``comments`` (each a ``#`` line), then ``fields``
    in the order of :data:`RECORD_KEYS` (``None`` written as ``null``)."""
    unknown = set(fields) - set(RECORD_KEYS)
    if unknown:
        raise ValueError(f"not record keys: {sorted(unknown)}")
    ordered = {key: fields[key] for key in RECORD_KEYS if key in fields}
    body = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=1000)
    path = meta_path(source)
    path.write_text("".join(f"# {line}\n" for line in comments) + body, encoding="utf-8")
    return path
