"""Property tests: random and mutated disclosure text never raise anything but our error.

A longer run: ``FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz_parse.py`` (see README).
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.errors import DisclosureError
from builder.parse.annexes import (
    locate_annexes,
    parse_performance_evaluation,
    parse_performance_target,
)
from builder.parse.document import parse_source
from builder.sources.reading import Line, SourceText, clean_line
from tests.conftest import SEEDS

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
SEED_LINES = [path.read_text(encoding="utf-8").split("\n") for path in SEEDS]
CELLS = st.sampled_from(
    ["", "合计", "201", "20113", "2011308", "5,987.71", "5, 256. 96", "——", "12.3.4", "１２３",
     "公开02", "表", "本表无数据", "栏次", "(1.00)", "-", "—", "<script>x</script>",
     "第三部分 情况说明"]
)  # fmt: skip


def source_of(lines: list[str]) -> SourceText:
    cleaned = []
    for number, raw in enumerate(lines, start=1):
        text, noise = clean_line(raw)
        cleaned.append(Line(number, raw, text, noise))
    return SourceText(Path("fuzz.txt"), "0" * 64, "utf-8", cleaned)


def parse_or_our_error(lines: list[str]) -> None:
    """Parse; the only exception allowed is DisclosureError naming the file."""
    error: DisclosureError | None = None
    try:
        parsed = parse_source(source_of(lines))
    except DisclosureError as caught:
        error = caught
    if error is not None:
        assert "fuzz.txt" in error.describe()
    else:
        assert isinstance(parsed["tables"], list)


@st.composite
def mutated_seed(draw: st.DrawFn) -> list[str]:
    lines = list(draw(st.sampled_from(SEED_LINES)))
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        if not lines:
            break
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "truncate", "cell", "swap", "cut"]))
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "truncate":
            lines[index] = lines[index][: draw(st.integers(min_value=0, max_value=20))]
        elif action == "cell":
            cells = lines[index].split("\t")
            position = draw(st.integers(min_value=0, max_value=len(cells)))
            cells.insert(position, draw(CELLS))
            lines[index] = "\t".join(cells)
        elif action == "swap":
            other = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:
            lines = lines[:index]
    return lines


FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(mutated_seed())
def test_mutated_disclosures_parse_or_fail_cleanly(lines: list[str]) -> None:
    parse_or_our_error(lines)


@FUZZ
@given(st.lists(st.text(max_size=40), max_size=40))
def test_random_text_parses_or_fails_cleanly(lines: list[str]) -> None:
    parse_or_our_error(lines)


@FUZZ
@given(st.lists(st.lists(CELLS, max_size=10).map("\t".join), max_size=60))
def test_random_table_lines_after_a_real_cover(lines: list[str]) -> None:
    parse_or_our_error(["山西省测试局", "2024年度单位决算公开", "收入决算表", "公开02表", *lines])


def annex_sheets() -> list[list[str]]:
    """The text of every performance sheet of the seeds (the regions the parser locates)."""
    sheets = []
    for lines in SEED_LINES:
        source = source_of(lines).lines
        for region in locate_annexes(source):
            sheets.append([line.raw for line in source[region.start_line - 1 : region.end_line]])
    return sheets


ANNEX_SHEETS = annex_sheets()


@st.composite
def mutated_sheet(draw: st.DrawFn) -> list[str]:
    lines = list(draw(st.sampled_from(ANNEX_SHEETS)))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        cells = lines[index].split("\t")
        action = draw(st.sampled_from(["delete", "insert", "replace", "swap"]))
        position = draw(st.integers(min_value=0, max_value=len(cells) - 1))
        if action == "delete":
            del cells[position]
        elif action == "insert":
            cells.insert(position, draw(CELLS))
        elif action == "replace":
            cells[position] = draw(CELLS)
        else:
            other = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
            continue
        lines[index] = "\t".join(cells)
    return lines


@FUZZ
@given(mutated_sheet())
def test_mutated_annex_sheets_never_raise(lines: list[str]) -> None:
    """The annex readers catch nothing: any exception here is a bug of ours."""
    sheet = source_of(lines).lines
    for parse in (parse_performance_evaluation, parse_performance_target):
        record = parse(sheet)
        assert isinstance(record["unparsed"], list)
