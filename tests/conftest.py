"""Shared fixtures: the bundled seed disclosures and golden-file comparison.

Golden files live under ``tests/cases/<disclosure id>/expected/``. Run
``python -m pytest --update-golden`` (or ``make golden``) to rewrite them, then review the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "datasets" / "sources"
CASES = Path(__file__).resolve().parent / "cases"
SEEDS = sorted(SOURCES.glob("*.txt"))
SEED_IDS = [path.stem for path in SEEDS]


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


@pytest.fixture(params=SEEDS, ids=SEED_IDS)
def seed(request: pytest.FixtureRequest) -> Path:
    """Each bundled seed disclosure."""
    path: Path = request.param
    return path
