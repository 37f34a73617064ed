"""The command line as a user runs it: readable summary, JSON, clear errors, documented help."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import ROOT, SOURCES, run_builder

SEED_000 = SOURCES / "000_127416229ccdc025.txt"


run = run_builder


def test_parse_prints_a_readable_summary() -> None:
    result = run("parse", str(SEED_000))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "unit:   山西省投资促进局" in out
    assert "year:   2024" in out
    assert "06 一般公共预算财政拨款基本支出决算明细表: 112 rows" in out
    assert "07 政府性基金预算财政拨款收入支出决算表: 本表无数据" in out
    assert "0 unparsed (100.00% accounted for)" in out


def test_parse_summary_names_missing_tables() -> None:
    result = run("parse", str(SOURCES / "004_c9b7d00ba9827a50.txt"))
    assert result.returncode == 0
    assert "02 收入决算表: 缺失" in result.stdout
    assert "expected between line 114 and line 130" in result.stdout


def test_parse_json_is_one_complete_document() -> None:
    result = run("parse", str(SEED_000), "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) >= {"document", "tables", "annexes", "narrative", "report"}
    t02 = next(t for t in document["tables"] if t["number"] == "02")
    first = t02["rows"][0]
    assert first["total_income_10k_yuan"] == "6382.69"  # exact text, not a float
    assert {f["name"]: f["title"] for f in t02["fields"]}["total_income_10k_yuan"] == "本年收入合计"


def test_not_a_disclosure_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("会议纪要\n今天讨论了三件事。\n", encoding="utf-8")
    result = run("parse", str(path))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {path}:1: not a disclosure")
    assert "Traceback" not in result.stderr


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run("parse", str(tmp_path / "absent.txt"))
    assert result.returncode == 1
    assert "cannot read the file" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    help_text = run("--help").stdout
    commands = re.search(r"\{([a-z,]+)\}|COMMAND", help_text)
    assert commands is not None
    listed = re.findall(r"^    ([a-z]+)\s", help_text, flags=re.MULTILINE)
    assert listed, help_text
    for command in listed:
        assert f"python -m builder {command}" in readme, f"{command} is not in the README"


def test_the_maintainers_guide_is_linked_and_covers_their_work() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "](CONTRIBUTING.md)" in readme
    for phrase in (
        "make build",
        "make check",
        "python -m builder add",
        "mkdocs serve",
        "python -m builder audit --list-checks",
        ".github/workflows/ci.yml",
        ".github/workflows/pages.yml",
        "TAG=data-",
        "sha256sum",
    ):
        assert phrase in guide, phrase
