"""Line numbers are those of ``grep -n``: only ``\\n`` ends a line.

``str.splitlines()`` also ends a line at a form feed (pdftotext's page break), a vertical tab,
U+001C-U+001E, NEL (U+0085) and U+2028/U+2029; a source holding one of them inside a line
must keep every ``source_line`` equal to the line ``grep -n`` gives for the row's text.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.parse import parse_file
from builder.parse.document import parse_source
from builder.sources.reading import SourceText, read_source, split_lines
from tests.conftest import SOURCES

SEED_000 = SOURCES / "000_127416229ccdc025.txt"
SEPARATORS = ["\f", "\v", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\r"]
# Lines of seed 000 (as grep -n numbers them) and the separator put inside each.
BROKEN = {
    41: ("(1) 贯彻执行党中央", "(1) 贯彻\f执行党中央"),
    88: ("一、一般公共预算财政拨款收入", "一、一般公共预算\u2028财政拨款收入"),
    140: ("2011302\t一般行政管理事务", "2011302\t一般行政\x85管理事务"),
    142: ("2011308\t招商引资\t4387.68", "2011308\t招商\u2028引资\t4387\f.68"),
    181: ("2011302\t一般行政管理事务", "2011302\f\t一般行政管理事务"),
}


def with_breaks(text: str) -> str:
    """Seed text with the separators of ``BROKEN`` put inside its lines."""
    lines = text.split("\n")
    for number, (old, new) in BROKEN.items():
        assert old in lines[number - 1]
        lines[number - 1] = lines[number - 1].replace(old, new)
    return "\n".join(lines)


def grep_line(path: Path, text: str) -> int:
    """The line number grep -n -F gives for the one line holding ``text``."""
    grep = shutil.which("grep")
    assert grep is not None
    done = subprocess.run(
        [grep, "-n", "-F", "--", text, str(path)], capture_output=True, check=True
    )
    found = done.stdout.decode("utf-8").rstrip("\n").split("\n")
    assert len(found) == 1, found
    return int(found[0].split(":", 1)[0])


def rows_by_table(parsed: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {table["kind"]: table["rows"] for table in parsed["tables"]}


def test_split_lines_counts_newlines_only() -> None:
    text = "a\fb\vc\x1cd\x85e\u2028f\u2029g\rh\r\ni\n\nj\n"
    assert split_lines(text) == ["a\fb\vc\x1cd\x85e\u2028f\u2029g\rh", "i", "", "j"]
    assert split_lines("old\rmac\r") == ["old", "mac"]  # no \n at all: \r ends the lines
    assert split_lines("") == []


def test_source_line_is_greps_with_breaks_inside_lines(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(with_breaks(SEED_000.read_text(encoding="utf-8")).encode("utf-8"))
    parsed = parse_file(path)
    rows = rows_by_table(parsed)
    income = {row["function_code"]: row for row in rows["income_by_function"]}
    expenditure = {row["function_code"]: row for row in rows["expenditure_by_function"]}
    assert grep_line(path, "2011302\t一般行政\x85管理事务") == 140
    assert income["2011302"]["source_line"] == 140
    assert income["2011302"]["function_name"] == "一般行政管理事务"
    assert grep_line(path, "2011308\t招商\u2028引资\t4387\f.68") == 142
    assert income["2011308"]["source_line"] == 142
    assert str(income["2011308"]["total_income_10k_yuan"]) == "4387.68"
    assert grep_line(path, "2011302\f\t一般行政管理事务") == 181
    assert expenditure["2011302"]["source_line"] == 181
    assert grep_line(path, "2011308\t招商引资\t4309.49\t\t4309.49\t\t\t") == 183
    assert expenditure["2011308"]["source_line"] == 183
    assert parsed["report"]["noise_stripped"]["in-line-break"] == len(BROKEN)


def test_every_row_line_is_greps_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(with_breaks(SEED_000.read_text(encoding="utf-8")).encode("utf-8"))
    grep_lines = path.read_bytes().decode("utf-8").split("\n")  # what grep -n numbers
    parsed = parse_file(path)
    checked = 0
    for table in parsed["tables"]:
        for row in table["rows"]:
            printed = grep_lines[row["source_line"] - 1]
            for separator in SEPARATORS:
                printed = printed.replace(separator, "")
            for name, value in row.items():
                if name.endswith("_10k_yuan") and value is not None:
                    assert str(value) in printed.replace(",", ""), (row["source_line"], value)
                    checked += 1
    assert checked == 226


def seed_source() -> SourceText:
    return read_source(SEED_000)


BASELINE = parse_source(seed_source())
SEED_LINES = SEED_000.read_text(encoding="utf-8").split("\n")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=len(SEED_LINES) - 1),
            st.integers(min_value=0, max_value=200),
            st.sampled_from(SEPARATORS),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_random_separators_never_move_a_row(
    tmp_path_factory: pytest.TempPathFactory, inserts: list[tuple[int, int, str]]
) -> None:
    lines = list(SEED_LINES)
    for index, offset, separator in inserts:
        line = lines[index]
        at = min(offset, len(line))
        lines[index] = line[:at] + separator + line[at:]
    path = tmp_path_factory.mktemp("separators") / "mutated.txt"
    path.write_bytes("\n".join(lines).encode("utf-8"))
    parsed = parse_file(path)
    assert parsed["tables"] == BASELINE["tables"]
    assert parsed["other_tables"] == BASELINE["other_tables"]
    assert parsed["report"]["issues"] == BASELINE["report"]["issues"]
