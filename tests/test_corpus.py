"""The benchmark corpus: synthetic disclosures parse fully and never land under datasets/."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from benchmarks.corpus import generate, scale_cell
from builder.parse import parse_file
from tests.conftest import ROOT


def test_scaling_keeps_exact_decimals_and_format() -> None:
    assert scale_cell("5,987.71", 3) == "17,963.13"
    assert scale_cell("5, 256. 96", 2) == "10,513.92"
    assert scale_cell("92.635", 2) == "185.270"
    assert scale_cell("2011308", 3) == "2011308"  # codes and line numbers untouched
    assert scale_cell("——", 3) == "——"


def test_synthetic_disclosures_parse_completely(tmp_path: Path) -> None:
    paths = generate(6, tmp_path)
    assert len(paths) == 6
    units = set()
    for path in paths:
        parsed = parse_file(path)
        assert parsed["report"]["coverage"]["unparsed"] == 0
        record = yaml.safe_load(path.with_suffix(".meta.yaml").read_text("utf-8"))
        assert record["licence"].startswith("SYNTHETIC")
        units.add(parsed["document"]["unit_name"])
    assert len(units) == 6


def test_refuses_to_write_into_the_published_datasets() -> None:
    with pytest.raises(SystemExit):
        generate(1, ROOT / "datasets" / "sources")
