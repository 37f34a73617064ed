"""PDFs as disclosures: `parse`, `add` and `build` read a PDF through its extracted text.

Seed 000 drawn as a PDF (``tests/drawn_pdfs.py``: its tab rows as ruled tables, its other
lines as text) extracts back to the seed's lines, so it parses into the seed's tables. The
build extracts a PDF source once: the text is kept in the build cache by the PDF's sha256,
and a PDF that cannot be extracted is a skipped source like a bad text.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from builder.errors import DisclosureError
from builder.extract import EXTRACTOR
from builder.extract import stored as stored_module
from builder.extract.stored import stored_text
from builder.parse import parse_file
from builder.pipeline import add_disclosure, build
from builder.sources.opening import source_files
from builder.sources.provenance import file_sha256, read_record
from tests.conftest import SOURCES, run_builder

SEED_000, SEED_001 = "000_127416229ccdc025", "001_417cec5d1b5bc998"
SHANGHAI_FINAL = Path(__file__).resolve().parent / "pdfs/shanghai-putuo/sh-putuo-czj-2024-final.pdf"
PDF_ID = "sx-invest-2024-final"


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seed 000 drawn as a PDF, under a safe id."""
    from tests.drawn_pdfs import draw_text_pdf  # noqa: PLC0415 - reportlab only here

    lines = (SOURCES / f"{SEED_000}.txt").read_text(encoding="utf-8").split("\n")
    return draw_text_pdf(lines, tmp_path_factory.mktemp("drawn") / f"{PDF_ID}.pdf")


@pytest.fixture(scope="module")
def extractions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One extraction folder for the module: each PDF is extracted once."""
    return tmp_path_factory.mktemp("extract")


@pytest.fixture(scope="module")
def seed_text(seed_pdf: Path, extractions: Path) -> str:
    return stored_text(seed_pdf, extractions).read_text(encoding="utf-8")


def without_lines(value: object) -> object:
    """A parse's tables without line and page numbers (the PDF's text has page markers and
    no blank lines, so its lines are numbered differently, and it has pages)."""
    if isinstance(value, dict):
        return {k: without_lines(v) for k, v in value.items() if "line" not in k and k != "page"}
    if isinstance(value, list):
        return [without_lines(v) for v in value]
    return value


def test_a_pdf_parses_into_the_tables_of_its_text(
    seed_pdf: Path, seed_text: str, extractions: Path
) -> None:
    assert seed_text.startswith("=== page 1 ===\n")
    from_pdf = parse_file(seed_pdf, extractions)
    from_text = parse_file(SOURCES / f"{SEED_000}.txt")
    assert without_lines(from_pdf["tables"]) == without_lines(from_text["tables"])
    assert from_pdf["document"]["source_file"] == seed_pdf.name
    assert from_pdf["document"]["year"] == 2024


def test_cli_parse_of_a_pdf(seed_pdf: Path) -> None:
    result = run_builder("parse", seed_pdf, "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["document"]["source_file"] == seed_pdf.name


def test_cli_parse_of_the_shanghai_pdf() -> None:
    result = run_builder("parse", SHANGHAI_FINAL)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sh-putuo-czj-2024-final.pdf\n  unit:   上海市普陀区财政局\n")
    assert "(100.00% accounted for)" in result.stdout


def test_cli_parse_of_a_broken_pdf(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(SHANGHAI_FINAL.read_bytes()[:50_000])
    result = run_builder("parse", broken)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {broken}: the PDF is broken")
    assert "Traceback" not in result.stderr


def test_add_stores_the_text_and_the_pdf_in_the_record(
    seed_pdf: Path, seed_text: str, tmp_path: Path
) -> None:
    sources = tmp_path / "sources"
    added = add_disclosure(seed_pdf, sources, details={"source_url": "https://example.org/a.pdf"})
    text = sources / f"{PDF_ID}.txt"
    assert added.placement.source == text
    assert sorted(p.name for p in sources.iterdir()) == [f"{PDF_ID}.meta.yaml", f"{PDF_ID}.txt"]
    assert text.read_text(encoding="utf-8") == seed_text
    record = yaml.safe_load((sources / f"{PDF_ID}.meta.yaml").read_text(encoding="utf-8"))
    assert record["sha256"] == file_sha256(text)
    assert record["pdf_file"] == seed_pdf.name
    assert record["pdf_sha256"] == file_sha256(seed_pdf)
    assert record["extractor"] == EXTRACTOR
    assert record["source_url"] == "https://example.org/a.pdf"
    assert read_record(text)["pdf_sha256"] == file_sha256(seed_pdf)
    assert added.record.id == PDF_ID
    again = add_disclosure(seed_pdf, sources)
    assert again.placement.outcome == "unchanged"


def test_cli_add_of_a_pdf_with_an_unsafe_name(seed_pdf: Path, tmp_path: Path) -> None:
    downloaded = tmp_path / "山西省投资促进局 2024年度决算.pdf"
    shutil.copy(seed_pdf, downloaded)
    sources = tmp_path / "sources"
    result = run_builder("add", downloaded, "--sources", sources)
    assert result.returncode == 0, result.stderr
    # The id comes from the PDF's checksum, not the text's.
    text = sources / f"2024-final-{file_sha256(seed_pdf)[:10]}.txt"
    assert f"added {downloaded} as {text}" in result.stdout
    assert text.is_file()


def test_records_hold_pdf_keys_only_when_well_formed(tmp_path: Path) -> None:
    source = tmp_path / "x.txt"
    source.write_text("", encoding="utf-8")
    source.with_suffix(".meta.yaml").write_text("pdf_sha256: abc\n", encoding="utf-8")
    with pytest.raises(DisclosureError, match="is not a sha256"):
        read_record(source)


def test_a_pdf_beside_its_text_is_not_a_second_source(tmp_path: Path) -> None:
    for name in ["a.txt", "a.pdf", "b.pdf", "c.txt", "c.meta.yaml", "d.PDF", "notes.md"]:
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in source_files(tmp_path)] == ["a.txt", "b.pdf", "c.txt", "d.PDF"]


# --- the build ---------------------------------------------------------------------------


@pytest.fixture
def pdf_sources(seed_pdf: Path, tmp_path: Path) -> Path:
    """Seed 001 as a text, seed 000 as a PDF, and a truncated PDF."""
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SOURCES / f"{SEED_001}.txt", sources)
    shutil.copy(SOURCES / f"{SEED_001}.meta.yaml", sources)
    shutil.copy(seed_pdf, sources)
    (sources / "broken.pdf").write_bytes(SHANGHAI_FINAL.read_bytes()[:50_000])
    return sources


def test_the_build_reads_pdfs_once_and_skips_a_broken_one(
    pdf_sources: Path, seed_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    packages = tmp_path / "packages"
    first = build(pdf_sources, packages, None, jobs=1)
    assert first.disclosures == 2
    assert [(s.file, s.message.split(":")[0]) for s in first.skipped] == [
        ("broken.pdf", "the PDF is broken")
    ]
    assert (packages / PDF_ID / "datapackage.json").is_file()
    assert "extract" in first.cpu  # the summary's CPU per step shows the extraction apart
    cached = (
        tmp_path / ".build-cache" / "extract" / f"{file_sha256(pdf_sources / f'{PDF_ID}.pdf')}.txt"
    )
    assert cached.read_text(encoding="utf-8") == seed_text

    def extract_again(path: Path) -> None:
        raise AssertionError(f"{path} was extracted again")

    monkeypatch.setattr(stored_module, "extract_pdf", extract_again)
    # A new record makes the PDF's disclosure be parsed again: from the cached text.
    (pdf_sources / f"{PDF_ID}.meta.yaml").write_text(
        "source_url: https://example.org/sx-invest-2024-final.pdf\n", encoding="utf-8"
    )
    second = build(pdf_sources, packages, None, jobs=1)
    assert second.disclosures == 2
    assert second.reused == 1
    assert second.skipped == first.skipped
    assert "broken.pdf: the PDF is broken" in second.describe()


def test_cli_build_with_a_broken_pdf_exits_3(pdf_sources: Path, tmp_path: Path) -> None:
    (pdf_sources / f"{PDF_ID}.pdf").unlink()  # not needed here: saves its extraction
    result = run_builder(
        "build", "--no-site", "--jobs", "1", "--sources", pdf_sources, "--output", tmp_path / "out"
    )
    assert result.returncode == 3, result.stderr
    assert "broken.pdf: the PDF is broken" in result.stdout


def test_a_record_whose_pdf_sha256_differs_is_refused(pdf_sources: Path, tmp_path: Path) -> None:
    record = pdf_sources / f"{PDF_ID}.meta.yaml"
    record.write_text(f"pdf_sha256: {'ab' * 32}\n", encoding="utf-8")
    result = build(pdf_sources, tmp_path / "packages", None, jobs=1)
    messages = {item.file: item.message for item in result.skipped}
    assert "differs from pdf_sha256" in messages[f"{PDF_ID}.pdf"]
