"""``python -m builder add``: check a new disclosure exactly as the build will, then place its
text and provenance record among the sources (``builder.sources.adding``)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.errors import DisclosureError
from builder.extract import EXTRACTOR
from builder.extract.opening import pdf_sha256
from builder.extract.stored import stored_text
from builder.parse import parse_file
from builder.parse.cover import read_cover
from builder.pipeline.defaults import DEFAULT_SOURCES
from builder.pipeline.steps import (
    read_disclosure,
)
from builder.publish.identity import content_key
from builder.publish.inputs import SourceRecord, check_parse, derive_record
from builder.sources.adding import Placement, default_id, place_source
from builder.sources.opening import is_pdf
from builder.sources.provenance import OPTIONAL_KEYS, TEXT_SUFFIX
from builder.sources.reading import read_source
from builder.validate import audit_report


@dataclass(frozen=True)
class AddResult:
    """What ``add_disclosure`` did, and the disclosure as the build will read it."""

    placement: Placement
    record: SourceRecord
    parsed: dict[str, Any]
    audit: dict[str, Any]  # the report of ``python -m builder audit``


def add_disclosure(
    file: Path,
    sources: Path = DEFAULT_SOURCES,
    disclosure_id: str | None = None,
    details: Mapping[str, str | None] | None = None,
) -> AddResult:
    """Check the disclosure ``file``, then place its text among ``sources`` with its record.

    ``file`` is a text, or a PDF whose extracted text is placed (its record then names the
    PDF, its sha256 and the extractor). ``disclosure_id``: default
    :func:`builder.sources.adding.default_id`. ``details``: the record's ``source_url``,
    ``published`` (ISO date) and ``licence``, where given. The text is parsed and its record
    derived before anything is copied, so a text the build could not use is refused with
    nothing written. The placed text is then read back exactly as the build reads it, and
    audited, before it is moved into place (:func:`builder.sources.adding.place_source`):
    if anything fails, nothing is left in ``sources``. A ``sources`` that is not a folder is
    refused.
    """
    if sources.exists() and not sources.is_dir():
        raise DisclosureError(
            sources,
            None,
            "not a folder: --sources must be the folder of disclosure texts",
            f"give a folder, such as the default {DEFAULT_SOURCES}",
        )
    given = {key: value for key, value in (details or {}).items() if value is not None}
    if set(given) - set(OPTIONAL_KEYS):
        raise ValueError(f"provenance details are {OPTIONAL_KEYS}, not {sorted(given)}")
    with tempfile.TemporaryDirectory(prefix="extract-") as folder:
        parsed = parse_file(file, Path(folder))
        document = parsed["document"]
        fields: dict[str, Any] = {"sha256": document["sha256"]}
        text, content_sha256 = file, document["sha256"]
        if is_pdf(file):  # parse_file extracted it into the folder: this reads it back
            text, content_sha256 = stored_text(file, Path(folder)), pdf_sha256(file)
            fields |= {"pdf_file": file.name, "pdf_sha256": content_sha256}
            fields["extractor"] = EXTRACTOR
        chosen = disclosure_id or default_id(
            file, document["year"], document["kind"], content_sha256
        )
        target = sources / f"{chosen}{TEXT_SUFFIX}"
        fields |= {"source_url": given.get("source_url"), "published": given.get("published")}
        if "licence" in given:
            fields["licence"] = given["licence"]
        try:
            record = derive_record(target, parsed, fields)
            check_parse(record, parsed, target)
        except DisclosureError as error:
            raise DisclosureError(file, error.line, error.message, error.hint) from error
        check_not_present(file, parsed, sources, target)
        comments = [
            f"Provenance of {target.name}: {document['title']}",
            f"Written by `python -m builder add` from {file.name}"
            + (f" (text extracted by {EXTRACTOR})." if is_pdf(file) else "."),
            "Unit, year, kind, scope and money unit are read from the text (datasets/README.md).",
        ]
        try:
            placement, (record, placed, audit) = place_source(
                text, target, fields, comments, read_back
            )
        except DisclosureError as error:
            if error.path != text:
                raise
            raise DisclosureError(file, error.line, error.message, error.hint) from error
    return AddResult(placement, record, placed, audit)


def read_back(placed: Path) -> tuple[SourceRecord, dict[str, Any], dict[str, Any]]:
    """The placed text read exactly as the build reads it, and its audit report (``add``
    places the text and its record only when this succeeds)."""
    record, parsed = read_disclosure(placed)
    return record, parsed, audit_report(parsed, record.id)


def check_not_present(file: Path, parsed: Mapping[str, Any], sources: Path, target: Path) -> None:
    """Refuse ``file`` if another text in ``sources`` is the same disclosure (the same
    content key, ``builder.publish.identity``) though not the same text (that case, and
    adding the same text again, are ``place_source``'s). Only texts whose cover names the
    same year, kind and scope (and unit, when it names one) are parsed."""
    document = parsed["document"]
    wanted, sha256 = content_key(parsed), document["sha256"]
    facts = (document["year"], document["kind"], document["scope"])
    for other in sorted(sources.glob(f"*{TEXT_SUFFIX}")) if sources.is_dir() else []:
        if other.name == target.name or other.resolve() == file.resolve():
            continue
        try:
            text = read_source(other)
            cover = read_cover(text)
            if text.sha256 == sha256 or (cover["year"], cover["kind"], cover["scope"]) != facts:
                continue
            if cover["unit_name"] not in (None, document["unit_name"]):
                continue
            if content_key(parse_file(other)) != wanted:
                continue
        except DisclosureError:
            continue  # a text the build cannot use either; the build will say so
        raise DisclosureError(
            file,
            None,
            f"the same disclosure is already in the sources as {other.stem} ({other}): same "
            "unit, year, kind, scope and tables, only the texts differ",
            "nothing was copied; one disclosure under two ids would be counted twice",
        )
