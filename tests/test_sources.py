"""Every bundled source disclosure carries a provenance record, and its checksum matches."""

import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml

SOURCES_DIR = Path(__file__).resolve().parent.parent / "datasets" / "sources"
SOURCE_FILES = sorted(SOURCES_DIR.glob("*.txt"))
META_SUFFIX = ".meta.yaml"
REQUIRED_KEYS = frozenset(
    {
        "id",
        "source_file",
        "sha256",
        "unit",
        "year",
        "kind",
        "kind_zh",
        "scope",
        "money_unit",
        "licence",
        "source_url",
        "published",
    }
)
KIND_ZH_BY_KIND = {"final": "决算", "budget": "预算"}
SCOPES = frozenset({"部门", "单位"})


def meta_path_for(source: Path) -> Path:
    return source.with_name(source.stem + META_SUFFIX)


def read_meta(source: Path) -> dict[str, Any]:
    meta_path = meta_path_for(source)
    assert meta_path.is_file(), f"{source.name} has no provenance record {meta_path.name}"
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    assert isinstance(meta, dict), f"{meta_path.name} is not a mapping"
    return meta


def test_sources_are_bundled() -> None:
    assert SOURCE_FILES, f"no *.txt disclosures in {SOURCES_DIR}"


@pytest.mark.parametrize("source", SOURCE_FILES, ids=lambda source: source.stem)
def test_meta_has_required_keys(source: Path) -> None:
    missing = REQUIRED_KEYS - read_meta(source).keys()
    assert not missing, f"{meta_path_for(source).name} lacks {sorted(missing)}"


@pytest.mark.parametrize("source", SOURCE_FILES, ids=lambda source: source.stem)
def test_meta_checksum_matches_file(source: Path) -> None:
    actual = hashlib.sha256(source.read_bytes()).hexdigest()
    assert read_meta(source)["sha256"] == actual


@pytest.mark.parametrize("source", SOURCE_FILES, ids=lambda source: source.stem)
def test_meta_names_its_own_file(source: Path) -> None:
    meta = read_meta(source)
    assert meta["id"] == source.stem
    assert meta["source_file"] == source.name


@pytest.mark.parametrize("source", SOURCE_FILES, ids=lambda source: source.stem)
def test_meta_values_are_known(source: Path) -> None:
    meta = read_meta(source)
    assert meta["kind_zh"] == KIND_ZH_BY_KIND.get(meta["kind"])
    assert meta["scope"] in SCOPES
    assert meta["money_unit"] == "万元"
    assert isinstance(meta["year"], int)
    assert isinstance(meta["unit"], str)
    assert meta["unit"]


def test_ids_and_file_names_are_unique() -> None:
    ids = [read_meta(source)["id"] for source in SOURCE_FILES]
    assert len(set(ids)) == len(ids), "duplicate ids"
    # Case-insensitive file systems (macOS, Windows) would merge names differing only by case.
    folded_names = [source.name.casefold() for source in SOURCE_FILES]
    assert len(set(folded_names)) == len(folded_names), "file names differ only by case"


def test_every_meta_record_has_its_source() -> None:
    orphans = [
        meta.name
        for meta in SOURCES_DIR.glob("*" + META_SUFFIX)
        if not meta.with_name(meta.name.removesuffix(META_SUFFIX) + ".txt").is_file()
    ]
    assert not orphans, f"provenance records without a source file: {orphans}"
