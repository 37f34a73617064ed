"""A whole build of another folder of disclosures into another folder, site included."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT, SOURCES

NEW_UNIT = "山西省测试促进局"
NEW_ID = "900_test_unit_2025"


def add_renamed_copy(folder: Path) -> None:
    """Seed 000 as another unit and year, with its provenance record."""
    folder.mkdir(parents=True)
    text = (SOURCES / "000_127416229ccdc025.txt").read_text(encoding="utf-8")
    text = text.replace("山西省投资促进局", NEW_UNIT).replace("2024", "2025")
    source = folder / f"{NEW_ID}.txt"
    source.write_text(text, encoding="utf-8")
    record = yaml.safe_load((SOURCES / "000_127416229ccdc025.meta.yaml").read_text("utf-8"))
    record |= {
        "id": NEW_ID,
        "source_file": source.name,
        "sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        "unit": NEW_UNIT,
        "year": 2025,
    }
    (folder / f"{NEW_ID}.meta.yaml").write_text(
        yaml.safe_dump(record, allow_unicode=True), encoding="utf-8"
    )


def test_build_another_folder_into_another_folder(tmp_path: Path) -> None:
    sources, output = tmp_path / "sources", tmp_path / "out"
    add_renamed_copy(sources)
    generated_home = ROOT / "site_src" / "index.md"
    before = generated_home.stat().st_mtime_ns if generated_home.exists() else None
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "builder",
            "build",
            "--sources",
            str(sources),
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "time per stage:" in result.stdout
    package = output / "packages" / NEW_ID / "datapackage.json"
    assert package.is_file()
    page = output / "site" / "disclosures" / NEW_ID / "index.html"
    html = page.read_text(encoding="utf-8")
    assert NEW_UNIT in html
    assert "2025年度" in html
    assert 'class="vega-chart"' in html
    charts = list((output / "site" / "assets" / "charts").glob(f"*{NEW_ID}*.values.json.gz"))
    assert len(charts) >= 5
    assert (output / "site" / "downloads" / NEW_ID).is_dir()
    after = generated_home.stat().st_mtime_ns if generated_home.exists() else None
    assert after == before, "a build of another folder must leave site_src alone"
    validate = subprocess.run(
        [sys.executable, "-m", "builder", "validate", "--output", str(output)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert validate.returncode == 0, validate.stdout
