"""Shared fixtures: the bundled seed disclosures and golden-file comparison.

The seeds are the five disclosures bundled in ``datasets/sources/`` that the golden files
describe. They are named here rather than globbed, so a disclosure a maintainer adds there
(``python -m builder add``) leaves the golden tests alone; ``tests/test_sources.py`` and the
build check every disclosure in the folder.

Golden files live under ``tests/cases/<disclosure id>/expected/``. Run
``python -m pytest --update-golden`` (or ``make golden``) to rewrite them, then review the diff.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.pages.parts import PARTS_FILE, read_parts

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "datasets" / "sources"
CASES = Path(__file__).resolve().parent / "cases"
SEED_IDS = [
    "000_127416229ccdc025",
    "001_417cec5d1b5bc998",
    "002_6a7fbe393d7e6d53",
    "003_664a31573f3e6641",
    "004_c9b7d00ba9827a50",
]
SEEDS = [SOURCES / f"{seed_id}.txt" for seed_id in SEED_IDS]
# A second publisher's disclosures, added from their PDFs (tests/pdfs/shanghai-putuo/) with
# ``python -m builder add``: the site is tested with both publishers side by side.
SHANGHAI_IDS = ["sh-putuo-czj-2024-final", "sh-putuo-wanli-2024-budget"]
BUNDLED = [*SEEDS, *(SOURCES / f"{source_id}.txt" for source_id in SHANGHAI_IDS)]


def copy_seeds(folder: Path, sources: list[Path] = SEEDS) -> Path:
    """A sources folder holding the seeds only, or ``sources`` (texts and provenance records)."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in sources:
        shutil.copy(seed, folder)
        shutil.copy(seed.with_name(f"{seed.stem}.meta.yaml"), folder)
    return folder


def page_parts(page: Path) -> dict[str, str]:
    """The parts of a generated page loaded on demand (``builder.pages.parts``), by name
    (``<section id>.html``): for ``docs/disclosures/<id>.md``, the sections of
    ``docs/disclosures/<id>/parts.html.gz``, each as written there (gunzipped)."""
    html = read_parts(page.parent if page.stem == "index" else page.with_suffix(""))
    if html is None:
        return {}
    found = re.finditer(
        r'<section id="([^"]+)" data-portal-part>\n.*?</section>\n', html, re.DOTALL
    )
    return {f"{m.group(1)}.html": m.group() for m in found}


def html_files(site: Path) -> list[Path]:
    """Every HTML file of a built site: its pages, and its pages' parts files (gzipped)."""
    return sorted([*site.rglob("*.html"), *site.rglob(PARTS_FILE)])


def html_text(path: Path) -> str:
    """The HTML of a page, or of a parts file (gunzipped)."""
    data = path.read_bytes()
    return (gzip.decompress(data) if path.name == PARTS_FILE else data).decode("utf-8")


def with_parts(page: Path) -> str:
    """A generated page's Markdown followed by the HTML of each of its parts."""
    return "\n".join([page.read_text(encoding="utf-8"), *page_parts(page).values()])


def run_builder(
    *args: str | Path, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m builder ARGS`` from the repository root, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "builder", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        timeout=timeout,
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the golden files under tests/cases/ instead of comparing against them",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[Path, str], None]:
    """Compare ``text`` with the golden file at ``path`` (or rewrite it with --update-golden)."""
    update = bool(request.config.getoption("--update-golden"))

    def check(path: Path, text: str) -> None:
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            return
        assert path.exists(), f"missing golden file {path}; run `make golden` and review it"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{path} differs from the output; run `make golden` and review"

    return check


@pytest.fixture
def golden_folder(request: pytest.FixtureRequest) -> Callable[[Path, dict[str, str]], None]:
    """Compare a whole folder of golden files with ``files`` (name → text): a file there that
    the output no longer has is an orphan and fails the test (--update-golden deletes it)."""
    update = bool(request.config.getoption("--update-golden"))

    def check(folder: Path, files: dict[str, str]) -> None:
        present = {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()
        if update:
            folder.mkdir(parents=True, exist_ok=True)
            for name in present - set(files):
                (folder / name).unlink()
            for name, text in files.items():
                (folder / name).write_text(text, encoding="utf-8")
            return
        assert present - set(files) == set(), f"orphan golden files in {folder}; run `make golden`"
        assert set(files) - present == set(), f"missing golden files in {folder}; run `make golden`"
        for name, text in files.items():
            expected = (folder / name).read_text(encoding="utf-8")
            assert text == expected, f"{folder / name} differs from the output; run `make golden`"

    return check


@pytest.fixture(params=SEEDS, ids=SEED_IDS)
def seed(request: pytest.FixtureRequest) -> Path:
    """Each bundled seed disclosure."""
    path: Path = request.param
    return path
