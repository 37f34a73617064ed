"""Every disclosure in datasets/sources is usable: a safe id, and a provenance record (where
there is one) that agrees with its text.

A record is optional (``builder.sources.provenance``); the facts it states, checksum included,
must be the ones the build reads from the text, so a text replaced without its record fails
here before it is published.
"""

from pathlib import Path

import pytest
import yaml

from builder.parse import parse_file
from builder.publish.inputs import source_record
from builder.sources.opening import SOURCE_SUFFIXES, is_pdf, source_files
from builder.sources.provenance import (
    META_SUFFIX,
    RECORD_KEYS,
    file_sha256,
    is_safe_id,
)

SOURCES_DIR = Path(__file__).resolve().parent.parent / "datasets" / "sources"
SOURCE_FILES = source_files(SOURCES_DIR)  # every *.txt, and every *.pdf without its .txt
RECORD_FILES = sorted(SOURCES_DIR.glob("*" + META_SUFFIX))


def test_sources_are_bundled() -> None:
    assert SOURCE_FILES, f"no *.txt or *.pdf disclosures in {SOURCES_DIR}"


@pytest.mark.parametrize("source", SOURCE_FILES, ids=lambda source: source.stem)
def test_file_stem_is_a_safe_id(source: Path) -> None:
    assert is_safe_id(source.stem), f"rename {source.name}, or add it with `python -m builder add`"


@pytest.mark.parametrize("source", SOURCE_FILES, ids=lambda source: source.stem)
def test_record_agrees_with_the_text(source: Path) -> None:
    parsed = parse_file(source)
    record = source_record(source, parsed)
    assert record.id == source.stem
    assert record.source_file == source.name
    # A PDF's record states the checksum of its extracted text, the text the build reads.
    assert record.sha256 == (
        parsed["document"]["sha256"] if is_pdf(source) else file_sha256(source)
    )
    assert record.money_unit == "万元"


@pytest.mark.parametrize("record", RECORD_FILES, ids=lambda record: record.name)
def test_record_holds_only_known_keys(record: Path) -> None:
    meta = yaml.safe_load(record.read_text(encoding="utf-8")) or {}
    assert isinstance(meta, dict), f"{record.name} is not a mapping"
    unknown = set(meta) - set(RECORD_KEYS)
    assert not unknown, f"{record.name}: unknown keys {sorted(unknown)}"


def test_file_names_differ_beyond_case() -> None:
    # Case-insensitive file systems (macOS, Windows) would merge names differing only by case.
    folded_names = [source.name.casefold() for source in SOURCE_FILES]
    assert len(set(folded_names)) == len(folded_names), "file names differ only by case"


def test_every_meta_record_has_its_source() -> None:
    orphans = [
        meta.name
        for meta in RECORD_FILES
        if not any(
            meta.with_name(meta.name.removesuffix(META_SUFFIX) + suffix).is_file()
            for suffix in SOURCE_SUFFIXES
        )
    ]
    assert not orphans, f"provenance records without a source file: {orphans}"
