"""The benchmark corpus: synthetic disclosures parse fully, carry their seed's findings (the
narrative's amounts scaled with the tables') and never land under datasets/."""

from __future__ import annotations

import hashlib
import random
import shutil
from pathlib import Path

import pytest
import yaml

from benchmarks.corpus import generate, revise, scale_cell, scale_words, synthesise
from builder.parse import parse_file
from builder.validate import audit
from tests.conftest import ROOT, SOURCES
from tests.test_audit_seeds import REAL_FINDINGS

# what each seed's page says: "核查发现 N 处" (tests/cases/*/expected/pages/disclosure.md)
SEED_FINDINGS = {"000": 3, "001": 1, "002": 1, "003": 2, "004": 4}


class Largest(random.Random):
    """Draws the largest whole number allowed: factor 2 in the generator."""

    def randint(self, a: int, b: int) -> int:
        return b


def kinds(path: Path, disclosure_id: str) -> list[tuple[str, str, tuple[str, ...]]]:
    """The findings the page lists (all but info), without their line numbers."""
    findings = audit(parse_file(path), disclosure_id)
    return [(f.check_id, f.severity, f.tables) for f in findings if f.severity != "info"]


def test_scaling_keeps_exact_decimals_and_format() -> None:
    assert scale_cell("5,987.71", 3) == "17,963.13"
    assert scale_cell("5, 256. 96", 2) == "10,513.92"
    assert scale_cell("92.635", 2) == "185.270"
    assert scale_cell("2011308", 3) == "2011308"  # codes and line numbers untouched
    assert scale_cell("——", 3) == "——"


def test_narrative_amounts_scale_and_nothing_else() -> None:
    text = "2024年度收入总计6,382.69万元，增长5.62%，较上年增加339.59万元。"
    assert (
        scale_words(text, 3) == "2024年度收入总计19,148.07万元，增长5.62%，较上年增加1018.77万元。"
    )
    # a unit split from its amount by a line break, whole amounts, no separator, plain 元
    assert scale_words("增加1.14万\n\n元，支出0万元", 2) == "增加2.28万\n\n元，支出0万元"
    assert scale_words("决算9999.99万元，补助300元", 2) == "决算19999.98万元，补助600元"
    # counts, line numbers, codes, thresholds and table lines stay as written
    assert (
        scale_words("共有车辆3辆，设7个内设机构，科目2011308", 2)
        == "共有车辆3辆，设7个内设机构，科目2011308"
    )
    assert scale_words("单价100万元（含）以上设备", 2) == "单价100万元（含）以上设备"
    assert scale_words("合计\t5,987.71万元\t2024", 2) == "合计\t5,987.71万元\t2024"


@pytest.mark.parametrize("seed_id", sorted(REAL_FINDINGS))
def test_a_doubled_disclosure_has_its_seeds_findings(seed_id: str, tmp_path: Path) -> None:
    seed = SOURCES / f"{seed_id}.txt"
    document = parse_file(seed)["document"]
    text, _ = synthesise(seed, document, 7, Largest())
    path = tmp_path / f"syn00007_{seed_id[:3]}.txt"
    path.write_text(text, encoding="utf-8")
    assert kinds(path, path.stem) == [(c, s, t) for c, s, t, _ in REAL_FINDINGS[seed_id]]
    if seed_id.startswith("000"):  # the narrative's first amount, doubled
        assert "2026年度收入总计12,765.38万元" in text
    # as before 2026-12-02 (tables scaled, text not), the text disagrees with the tables
    old, _ = synthesise(seed, document, 7, Largest(), words=False)
    path.write_text(old, encoding="utf-8")
    assert len(kinds(path, path.stem)) > len(REAL_FINDINGS[seed_id]) + 10


def test_generated_disclosures_have_as_many_findings_as_their_seeds(tmp_path: Path) -> None:
    counts = {path.stem: len(kinds(path, path.stem)) for path in generate(10, tmp_path)}
    assert counts == {
        f"syn{index:05d}_{seed}": SEED_FINDINGS[seed]
        for index, seed in enumerate(sorted(SEED_FINDINGS) * 2)
    }


def test_a_revision_doubles_the_narrative_too(tmp_path: Path) -> None:
    seed_id = "001_417cec5d1b5bc998"
    for suffix in (".txt", ".meta.yaml"):
        shutil.copy(SOURCES / f"{seed_id}{suffix}", tmp_path / f"{seed_id}{suffix}")
    path = tmp_path / f"{seed_id}.txt"
    revise(path)
    assert kinds(path, seed_id) == [(c, s, t) for c, s, t, _ in REAL_FINDINGS[seed_id]]
    record = yaml.safe_load(path.with_suffix(".meta.yaml").read_text("utf-8"))
    assert record["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


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


@pytest.mark.parametrize("unscaled_text", [False, True])
def test_refuses_to_write_into_the_published_datasets(unscaled_text: bool) -> None:
    before = sorted((ROOT / "datasets").rglob("*"))
    with pytest.raises(SystemExit):
        generate(1, ROOT / "datasets" / "sources", unscaled_text=unscaled_text)
    with pytest.raises(SystemExit):
        generate(1, ROOT / "datasets" / "synthetic", unscaled_text=unscaled_text)
    assert sorted((ROOT / "datasets").rglob("*")) == before
