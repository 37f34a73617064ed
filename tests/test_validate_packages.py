"""Validating the generated packages: frictionless passes on all, and a broken file fails.

Every test that breaks something works on a copy of the session's build.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from frictionless import validate

from builder.pipeline import validate_packages
from builder.publish import verify
from tests.conftest import ROOT, SEED_IDS
from tests.test_publish import PORTAL, SEED_000, built_packages

PACKAGES = [*SEED_IDS, PORTAL]


def copy_packages(target: Path, *names: str) -> Path:
    """A private copy of some of the built packages (checking fewer keeps the tests fast),
    laid out as a build with ``--output target`` writes them: ``target/packages/<name>``."""
    packages = target / "packages"
    for name in names:
        shutil.copytree(built_packages() / name, packages / name)
    return packages


def run_validate(packages: Path) -> subprocess.CompletedProcess[str]:
    """``python -m builder validate --output DIR`` checks ``DIR/packages``."""
    return subprocess.run(
        [sys.executable, "-m", "builder", "validate", "--output", str(packages.parent)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("package", PACKAGES)
def test_frictionless_validates_every_package(package: str) -> None:
    report = validate(str(built_packages() / package / "datapackage.json"))
    assert report.valid, report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])


def test_frictionless_cli_validates_the_portal_package() -> None:
    result = subprocess.run(
        ["frictionless", "validate", str(built_packages() / PORTAL / "datapackage.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_a_non_number_in_an_amount_column_fails(tmp_path: Path) -> None:
    packages = copy_packages(tmp_path, SEED_000, "001_417cec5d1b5bc998")
    table = packages / SEED_000 / "csv" / "income_by_function.csv"
    replace_in(table, ",6382.69,", ",6382.6九,")
    result = run_validate(packages)
    assert result.returncode == 1
    assert f"FAIL {SEED_000}" in result.stdout
    assert (
        "income_by_function row 2 field total_income_10k_yuan: "
        'type-error (cell "6382.6九"): type is "number/default"' in result.stdout
    )
    assert "hash-count" in result.stdout, "the listed sha256 no longer matches either"
    assert "ok   001_417cec5d1b5bc998" in result.stdout, "the others are still reported valid"
    assert "2 packages checked, 1 with schema violations" in result.stdout


def test_a_duplicate_primary_key_fails(tmp_path: Path) -> None:
    packages = copy_packages(tmp_path, SEED_000)
    table = packages / SEED_000 / "csv" / "three_public_costs.csv"
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    table.write_text("".join([*lines, lines[1]]), encoding="utf-8")
    result = run_validate(packages)
    assert result.returncode == 1
    assert "three_public_costs row 4: primary-key" in result.stdout


def test_an_unknown_disclosure_fails_the_foreign_key(tmp_path: Path) -> None:
    packages = copy_packages(tmp_path, PORTAL)
    replace_in(packages / PORTAL / "csv" / "glossary.csv", f"\n{SEED_000},", "\n999_unknown,")
    checks = {check.name: check for check in verify(packages)}
    problems = [p.describe() for p in checks[PORTAL].problems]
    assert any(p.startswith("glossary row 2: foreign-key") for p in problems), problems


def test_a_parquet_file_that_differs_from_its_csv_fails(tmp_path: Path) -> None:
    packages = copy_packages(tmp_path, SEED_000)
    root = packages / SEED_000
    shutil.copy(root / "parquet" / "glossary.parquet", root / "parquet" / "findings.parquet")
    problems = [p.describe() for p in verify(packages)[0].problems]
    assert any("parquet/findings.parquet" in p and "listed" in p for p in problems), problems


def test_a_changed_workbook_fails(tmp_path: Path) -> None:
    packages = copy_packages(tmp_path, SEED_000)
    workbook = packages / SEED_000 / f"{SEED_000}.xlsx"
    workbook.write_bytes(workbook.read_bytes() + b"\0")
    result = validate_packages(packages)
    assert not result.valid
    assert f"{SEED_000}.xlsx:" in result.report()


def test_a_weakened_schema_fails(tmp_path: Path) -> None:
    """A hand-edited descriptor no longer matches the declaration files."""
    packages = copy_packages(tmp_path, SEED_000)
    descriptor = packages / SEED_000 / "datapackage.json"
    replace_in(descriptor, '"type": "number"', '"type": "string"')
    problems = [p.describe() for p in verify(packages)[0].problems]
    assert any("schema differs from its declaration file" in p for p in problems), problems


def test_checking_in_worker_processes_gives_the_same_report(tmp_path: Path) -> None:
    packages = copy_packages(tmp_path, SEED_000, "003_664a31573f3e6641")
    sequential = verify(packages, jobs=1)
    parallel = verify(packages, jobs=2)
    assert [(c.name, c.rows, c.problems) for c in parallel] == [
        (c.name, c.rows, c.problems) for c in sequential
    ]
