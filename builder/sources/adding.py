"""Adding a disclosure text to the sources folder: its id, the copy, its provenance record.

``python -m builder add FILE`` parses and checks the text first (``builder.pipeline``); this
module then places it. The id is the file's stem when that is already a safe id
(``sx-invest-2025-final.txt`` → ``sx-invest-2025-final``), else ``<year>-<kind>-`` and the
first 10 hex digits of the file's sha256 (``2025-final-1a2b3c4d5e``): either way the same file
gets the same id again. Nothing is overwritten: a different text under the same id, or the
same text under another id, is refused; adding the same text again changes nothing. Adding
is atomic: the text and its record appear together once checked, or not at all.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from builder.errors import DisclosureError
from builder.sources.provenance import (
    OPTIONAL_KEYS,
    TEXT_SUFFIX,
    file_sha256,
    is_safe_id,
    meta_path,
    read_record,
    write_record,
)

CONTENT_ID_DIGITS = 10
ADDED, RECORD_WRITTEN, UNCHANGED = "added", "record written", "unchanged"
STAGING_PREFIX = ".adding-"  # a hidden folder in the sources: the build reads only *.txt, *.pdf
Verified = TypeVar("Verified")


@dataclass(frozen=True)
class Placement:
    """Where the text and its record are, and what adding did: ``added`` (copied, record
    written), ``record written`` (the text was there, without a record) or ``unchanged``."""

    source: Path
    record: Path
    outcome: str


def default_id(file: Path, year: int, kind: str, sha256: str) -> str:
    """The id ``add`` gives a text: its stem if that is a safe id, else one from its content."""
    if is_safe_id(file.stem):
        return file.stem
    return f"{year}-{kind}-{sha256[:CONTENT_ID_DIGITS]}"


def place_source(
    file: Path,
    target: Path,
    fields: Mapping[str, Any],
    comments: list[str],
    verify: Callable[[Path], Verified],
) -> tuple[Placement, Verified]:
    """Copy ``file`` to ``target`` (``<sources>/<id>.txt``) and write its record with ``fields``
    (``sha256`` and the optional keys), unless that would replace or duplicate something.

    Atomic: the text and its record are first written to a hidden staging folder inside the
    sources folder, and ``verify`` (the build's own reading and audit) is run on them there.
    Only when it succeeds are they renamed into place (the text first: a text without its
    record is a valid source, a record without its text is not); on any failure the staging
    folder is removed and nothing is left behind. What ``verify`` returns is returned."""
    outcome = check_placement(file, target, fields)
    if outcome == UNCHANGED:
        return Placement(target, meta_path(target), UNCHANGED), verify(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=target.parent))
    except OSError as exc:
        raise DisclosureError(
            target.parent,
            None,
            f"cannot write to the sources folder: {exc.strerror}",
            "give a folder you can write to with --sources",
        ) from exc
    try:
        staged = staging / target.name
        shutil.copyfile(file, staged)
        write_record(staged, fields, comments)
        verified = verify(staged)
        if outcome == ADDED:
            staged.rename(target)
        try:
            meta_path(staged).rename(meta_path(target))
        except BaseException:
            if outcome == ADDED:
                target.unlink()
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Placement(target, meta_path(target), outcome), verified


def check_placement(file: Path, target: Path, fields: Mapping[str, Any]) -> str:
    """What placing ``file`` at ``target`` would do (``added``, ``record written`` or
    ``unchanged``), refused if it would replace or duplicate something."""
    digest = str(fields["sha256"])
    record = meta_path(target)
    same = "nothing was copied"
    for other in sorted(target.parent.glob(f"*{TEXT_SUFFIX}")):
        if other.name == target.name or other.resolve() == file.resolve():
            continue  # the target is checked below; the file itself may lie in the sources
        try:
            other_digest = file_sha256(other)
        except DisclosureError:
            continue  # not a regular file: the build refuses it; it duplicates nothing
        if other_digest == digest:
            raise DisclosureError(
                file,
                None,
                f"the same text is already in the sources as {other}",
                f"{same}; one disclosure under two ids would be counted twice",
            )
    if target.exists():
        if file_sha256(target) != digest:
            raise DisclosureError(
                file,
                None,
                f"{target} already exists with different content",
                f"{same}; choose another id with --id, or remove the old text first",
            )
        if not record.exists():
            return RECORD_WRITTEN
        check_same_details(read_record(target), fields, record)
        return UNCHANGED
    if record.exists():
        raise DisclosureError(
            record, None, "a provenance record without its text is in the way", f"{same}; remove it"
        )
    return ADDED


def check_same_details(existing: Mapping[str, Any], fields: Mapping[str, Any], where: Path) -> None:
    """Adding a text again may not change its record silently: a detail given on the command
    line that differs from the record is refused."""
    for key in OPTIONAL_KEYS:
        given = fields.get(key)
        if given is not None and existing.get(key) != given:
            raise DisclosureError(
                where,
                None,
                f"the text is already added, with {key}: {existing.get(key)}",
                f"to record {key}: {given}, edit {where.name}",
            )
