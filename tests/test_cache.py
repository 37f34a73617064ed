"""The build cache's key covers every input of what it caches: the source text, its
``.meta.yaml`` record, the builder's code and declarations, and the versions of the libraries
that write the files. Each input is changed in turn and the key (and, end to end, the
output) must change with it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from builder import cache
from builder.cache import source_key
from builder.pipeline import build
from tests.conftest import SEEDS, copy_seeds

SEED = SEEDS[1]  # 001: a final account with a record
BUILDER = Path(cache.__file__).resolve().parent


@pytest.fixture
def code_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the builder package that the code key hashes instead of the real one."""
    copy = tmp_path / "builder"
    shutil.copytree(BUILDER, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "PACKAGE_ROOT", copy)
    cache.code_key.cache_clear()
    yield copy
    cache.code_key.cache_clear()


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


CHANGES: dict[str, Callable[[Path, Path], None]] = {
    "source text": lambda source, _code: append(source, "\n"),
    "record": lambda source, _code: append(source.with_suffix(".meta.yaml"), "# edited\n"),
    "record removed": lambda source, _code: source.with_suffix(".meta.yaml").unlink(),
    "code": lambda _source, code: append(code / "cache.py", "\n# edited\n"),
    "declaration": lambda _source, code: append(
        code / "declarations" / "units.schema.yaml", "# edited\n"
    ),
    "layout data": lambda _source, code: append(code / "parse" / "variants.yaml", "# edited\n"),
    "check declarations": lambda _source, code: append(
        code / "validate" / "checks.yaml", "# edited\n"
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_the_key_changes_with_each_input(change: str, tmp_path: Path, code_copy: Path) -> None:
    source = copy_seeds(tmp_path / "sources", [SEED]) / SEED.name
    before = source_key(source)
    assert source_key(source) == before  # deterministic
    CHANGES[change](source, code_copy)
    cache.code_key.cache_clear()
    assert source_key(source) != before, f"the cache key ignores the {change}"


@pytest.mark.parametrize("library", cache.WRITERS)
def test_the_key_changes_with_a_writer_version(
    library: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = copy_seeds(tmp_path / "sources", [SEED]) / SEED.name
    cache.code_key.cache_clear()
    before = source_key(source)
    real = cache.metadata.version
    monkeypatch.setattr(
        cache.metadata, "version", lambda name: "0.0.0" if name == library else real(name)
    )
    cache.code_key.cache_clear()
    try:
        assert source_key(source) != before, f"the cache key ignores {library}'s version"
    finally:
        monkeypatch.undo()
        cache.code_key.cache_clear()


def test_an_edited_record_is_published_again(tmp_path: Path) -> None:
    """End to end: a licence edited in the record reaches the package on the next build
    (a key ignoring ``.meta.yaml`` would keep the old package)."""
    sources = copy_seeds(tmp_path / "sources", [SEED])
    packages, site = tmp_path / "packages", tmp_path / "site"
    first = build(sources, packages, site, jobs=1, mkdocs=False)
    assert first.reused == 0
    record = sources / f"{SEED.stem}.meta.yaml"
    text = record.read_text(encoding="utf-8")
    licence = "licence: Government public information (政府信息公开); redistributed as published"
    assert licence in text
    record.write_text(text.replace(licence, "licence: CC-BY-4.0 (edited)"), encoding="utf-8")
    second = build(sources, packages, site, jobs=1, mkdocs=False)
    assert second.reused == 0
    descriptor = json.loads((packages / SEED.stem / "datapackage.json").read_text("utf-8"))
    assert descriptor["licenses"][0]["title"] == "CC-BY-4.0 (edited)"
    third = build(sources, packages, site, jobs=1, mkdocs=False)
    assert third.reused == 1  # nothing changed: kept
