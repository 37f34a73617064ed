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
from builder.extract import stored
from builder.extract.document import Extraction
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


# The extraction cache (``builder/extract/stored.py``): a PDF's text is kept by the PDF's
# sha256 under a key of what extracts it; each input of that key is changed in turn and the
# PDF must be extracted again (and not otherwise).


@pytest.fixture
def extract_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the extract package (and the modules it uses) that the key hashes."""
    copy = tmp_path / "code"
    shutil.copytree(
        BUILDER / "extract", copy / "extract", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in stored.USED_MODULES:
        shutil.copy(BUILDER / name, copy / name)
    monkeypatch.setattr(stored, "PACKAGE_ROOT", copy / "extract")
    stored.extraction_key.cache_clear()
    yield copy
    stored.extraction_key.cache_clear()


def _version_of(library: str) -> Callable[[Path, pytest.MonkeyPatch], None]:
    def change(_code: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        real = stored.metadata.version
        monkeypatch.setattr(
            stored.metadata, "version", lambda name: "0.0.0" if name == library else real(name)
        )

    return change


EXTRACTION_CHANGES: dict[str, Callable[[Path, pytest.MonkeyPatch], None]] = {
    "extractor code": lambda code, _mp: append(code / "extract" / "tables.py", "\n# edited\n"),
    "extractor settings": lambda code, _mp: (code / "extract" / "settings.yaml").write_text(
        "x_tolerance: 2\n", encoding="utf-8"
    ),
    "refusal messages": lambda code, _mp: append(code / "errors.py", "\n# edited\n"),
    "size limits": lambda code, _mp: append(code / "regular_files.py", "\n# edited\n"),
    "extractor name": lambda _code, mp: mp.setattr(stored, "EXTRACTOR", "pdfplumber 0.0.0"),
    **{f"{library} version": _version_of(library) for library in stored.LIBRARIES},
}


@pytest.fixture(scope="module")
def small_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.drawn_pdfs import draw_text_pdf  # noqa: PLC0415 - reportlab only here

    lines = [
        "2024年度某某单位决算公开",
        "收入支出决算总表\t单位：万元",
        "项目\t金额",
        "合计\t12.00",
    ]
    return draw_text_pdf(lines, tmp_path_factory.mktemp("drawn") / "small.pdf")


@pytest.mark.parametrize("change", sorted(EXTRACTION_CHANGES))
def test_a_changed_extraction_input_extracts_again(
    change: str,
    small_pdf: Path,
    extract_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[Path] = []
    real_extract = stored.extract_pdf

    def counted(pdf: Path) -> Extraction:
        calls.append(pdf)
        return real_extract(pdf)

    monkeypatch.setattr(stored, "extract_pdf", counted)
    folder = tmp_path / "extract"
    text = stored.stored_text(small_pdf, folder)
    assert "合计\t12.00" in text.read_text(encoding="utf-8")
    key = text.with_suffix(stored.KEY_SUFFIX).read_text(encoding="ascii")
    stored.stored_text(small_pdf, folder)
    assert len(calls) == 1  # unchanged: kept
    EXTRACTION_CHANGES[change](extract_copy, monkeypatch)
    stored.extraction_key.cache_clear()
    stored.stored_text(small_pdf, folder)
    assert len(calls) == 2, f"the extraction cache ignores the {change}"
    assert text.with_suffix(stored.KEY_SUFFIX).read_text(encoding="ascii") != key
