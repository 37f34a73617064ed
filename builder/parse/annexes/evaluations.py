"""The 项目支出绩效自评表 (project performance self-evaluation of final accounts): header,
funding (budgeted, executed, rate, score, mapped by the accounting identities of its columns),
annual targets and results, indicators, total score and grade, and the analysis."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations
from typing import Any

from builder.parse.annexes.cells import (
    _HEADER_LABELS,
    _MONEY_UNIT,
    _YEAR,
    LABELS,
    Record,
    _index_of,
    _is_header_cell,
    _label_values,
    _nonempty,
    _norm,
    _number,
    _other_lines,
    _plain,
    _reader,
    _row_has,
    _Sheet,
    _text_or_none,
)
from builder.parse.annexes.indicators import (
    _LEVEL1_NAMES,
    _Carry,
    _indicator_layout,
    _indicator_row,
    _IndicatorLayout,
)
from builder.sources.reading import Line, clean_line

_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)


_GRADES = tuple(LABELS["grades"])


_TOLERANCE = Decimal("0.011")  # printed amounts are rounded to 0.01


_RATE_TOLERANCE = Decimal("0.06")  # a rate printed with one decimal (99.1)


_SHORT_HEADER = 12  # header cells are short; narrative cells that mention a header word are not


_MAX_EXTRA = 3  # more extra numbers than this in a funding row: no search for a mapping


_GOAL_LABELS = frozenset(LABELS["goal_labels"])


_ROWS: dict[str, str] = LABELS["evaluation_rows"]  # what each row word marks
_TOTAL, _GRADE = _ROWS["total"], _ROWS["grade"]
_ANNUAL, _ACTUAL = _ROWS["annual_goal"], _ROWS["actual_result"]


_FUNDING_WORDS: dict[str, str] = {key: word for word, key in LABELS["funding_columns"].items()}
_FUNDING_INITIAL: str = LABELS["funding_initial"]
_BALANCE: dict[str, Any] = LABELS["funding_balance"]


_FUNDING_FIELDS = (
    "initial_budget_declared",
    "initial_budget",
    "full_year_budget",
    "executed",
    "balance",
    "execution_rate",
    "score",
)


# How likely a funding column is to be left blank when a row prints fewer numbers than the
# header has columns (目标申报数 often; rate and score on total rows): breaks ties only.
_BLANK_PRIOR = {"initial_budget_declared": 3, "score": 2, "execution_rate": 1}


_SECTIONS = ("header", "funding", "goals", "indicators", "total", "analysis", "notes")


def parse_performance_evaluation(lines: Sequence[Line]) -> Record:
    """Parse one 项目支出绩效自评表 (final-accounts self-evaluation) region."""
    return _parse_evaluation(lines)


_EVALUATION_FIELDS: Record = {
    "project_name": None,
    "competent_department": None,
    "budget_unit": None,
    "year": None,
    "money_unit": None,
    "funding_columns": [],
    "funding": [],
    "annual_targets": None,
    "actual_results": None,
    "indicators": [],
    "total_score": None,
    "grade": None,
    "analysis": [],
}


@dataclass
class _EvaluationReader:
    """Reads a self-evaluation sheet row by row; its sections come in a fixed order."""

    sheet: _Sheet
    section: int = 0
    header_cells: list[str] = field(default_factory=list)
    funding_lines: list[Line] = field(default_factory=list)
    goals_header: tuple[int | None, int | None] = (None, None)
    goals: tuple[list[str], list[str]] = field(default_factory=lambda: ([], []))
    layout: _IndicatorLayout = field(default_factory=_IndicatorLayout)
    carry: _Carry = field(default_factory=_Carry)
    indicators: list[Record] = field(default_factory=list)
    analysis: list[Record] = field(default_factory=list)

    def read(self, line: Line) -> None:
        if "\t" not in line.text:
            self.plain_line(line)
        elif any(line.cells) and not self.opens_section(line):
            self.row(line)

    def plain_line(self, line: Line) -> None:
        text = line.text.strip()
        record = self.sheet.record
        if record["year"] is None and (year := _YEAR.search(text)):
            record["year"] = int(year.group(1))
            return
        if text.startswith(_ROWS["notes"]):
            self.section = _SECTIONS.index("notes")
        _other_lines(self.sheet, line)

    def opens_section(self, line: Line) -> bool:
        """Move to the section ``line`` opens, if any; True when the line is only a header."""
        cells = line.cells
        new = _evaluation_section(cells, self.section)
        if new == self.section:
            return False
        self.section = new
        name = _SECTIONS[new]
        if name == "funding":
            self.header_cells = list(cells)
            unit = _MONEY_UNIT.search(line.text)
            self.sheet.record["money_unit"] = unit.group(1) if unit else None
            return True
        if name == "goals":
            self.goals_header = (_index_of(cells, _ANNUAL), _index_of(cells, _ACTUAL))
            return _goal_header_only(cells)
        if name == "indicators":
            self.layout = _indicator_layout(cells)
            first = next((c for c in cells if c), "")
            if _norm(first) in _LEVEL1_NAMES:  # a 一级 printed in the header's label cell
                self.carry.level1 = first
            return True
        _read_total(self.sheet, line)
        return True

    def row(self, line: Line) -> None:
        name = _SECTIONS[self.section]
        cells = line.cells
        if name == "header":
            _read_header_row(self.sheet, line)
        elif name == "funding":
            if _is_funding_subheader(cells):
                self.header_cells.extend(cells)
            else:
                self.funding_lines.append(line)
        elif name == "goals":
            _read_goal_row(self.sheet, line, self.goals_header, self.goals)
        elif name == "indicators":
            row = _indicator_row(line, self.layout, self.carry)
            if row is not None:
                self.indicators.append(row)
        elif name in ("total", "analysis"):
            self.section = _SECTIONS.index("analysis")
            self.analysis.append(_analysis_row(line))
        else:
            self.sheet.add_note(line.number, " ".join(c for c in cells if c))

    def finish(self) -> None:
        sheet, record = self.sheet, self.sheet.record
        columns = _funding_columns(self.header_cells)
        record["funding_columns"] = list(columns)
        record["funding"] = _read_funding(sheet, self.funding_lines, columns)
        record["annual_targets"] = _text_or_none(self.goals[0])
        record["actual_results"] = _text_or_none(self.goals[1])
        record["indicators"] = self.indicators
        record["analysis"] = self.analysis
        for key in ("project_name", "competent_department", "budget_unit"):
            record[key] = sheet.field_of(key, _HEADER_LABELS)


def _is_funding_subheader(cells: Sequence[str]) -> bool:
    """The second header row of the funding block: 目标申报数 / 预算编制数, no numbers."""
    named = any(
        _row_has(cells, _FUNDING_WORDS[key])
        for key in ("initial_budget_declared", "initial_budget")
    )
    return named and not any(_number(c) is not None for c in cells)


_parse_evaluation = _reader("performance_evaluation", _EVALUATION_FIELDS, _EvaluationReader)


def _evaluation_section(cells: Sequence[str], section: int) -> int:
    """The section a row opens, if it opens a later one than ``section`` (a section at or
    before ``section`` is not tested)."""
    checks: tuple[tuple[str, Callable[[Sequence[str]], bool]], ...] = (
        ("total", _opens_total),
        ("indicators", _opens_indicators),
        ("goals", _opens_goals),
        ("funding", _opens_funding),
    )
    for name, opens in checks:
        position = _SECTIONS.index(name)
        if position > section and opens(cells):
            return position
    return section


def _opens_total(cells: Sequence[str]) -> bool:
    return any(_norm(c) == _TOTAL for c in cells)


def _opens_indicators(cells: Sequence[str]) -> bool:
    return all(_row_has(cells, word) for word in _ROWS["indicator_header"])


def _opens_goals(cells: Sequence[str]) -> bool:
    return (
        any(_norm(c) == _ANNUAL for c in cells)
        or _row_has(cells, _ACTUAL)
        or _norm(next((c for c in cells if c), "")).startswith(_ROWS["goal_row"])
    )


def _opens_funding(cells: Sequence[str]) -> bool:
    return any(_row_has(cells, _FUNDING_WORDS[key]) for key in ("full_year_budget", "executed"))


def _goal_header_only(cells: Sequence[str]) -> bool:
    """True when a goals row holds only labels (年度目标 / 实际完成情况), no text."""
    return all(not c or _norm(c) in _GOAL_LABELS or _is_header_cell(c, _ACTUAL) for c in cells)


def _read_header_row(sheet: _Sheet, line: Line) -> None:
    if _label_values(sheet, line, _HEADER_LABELS) is not None:
        return
    for cell in line.cells:
        if cell and not _YEAR.fullmatch(cell):
            sheet.add_field(None, cell, line.number)
        elif cell and sheet.record.get("year") is None:
            match = _YEAR.fullmatch(cell)
            sheet.record["year"] = int(match.group(1)) if match else None


def _funding_columns(header: Sequence[str]) -> tuple[str, ...]:
    """The funding columns the header prints, in order (all seven when there is no header)."""
    if not header:
        return _FUNDING_FIELDS
    present = {key: _row_has(header, word) for key, word in _FUNDING_WORDS.items()}
    present["initial_budget"] = present.get("initial_budget", False) or (
        _row_has(header, _FUNDING_INITIAL) and not present.get("initial_budget_declared")
    )
    present["balance"] = any(_is_balance_header(cell) for cell in header)
    return tuple(name for name in _FUNDING_FIELDS if present.get(name))


def _is_balance_header(cell: str) -> bool:
    """资金结转/结余, 资金结(转)余, 结余 ...: a short cell naming the carry-over column."""
    text = _norm(cell)
    return (
        len(text) <= _SHORT_HEADER
        and _BALANCE["word"] in text
        and any(word in text for word in _BALANCE["either"])
    )


def _read_funding(sheet: _Sheet, lines: Sequence[Line], columns: tuple[str, ...]) -> list[Record]:
    """Funding rows: a source, its numbers mapped onto the header's columns, a reason."""
    parsed: list[tuple[Line, str | None, list[Decimal], str | None]] = []
    for line in lines:
        label: list[str] = []
        numbers: list[Decimal] = []
        after: list[str] = []
        for cell in line.cells:
            if not cell:
                continue
            value = _number(cell)
            if value is not None:
                numbers.append(value)
            elif numbers:
                after.append(cell)
            else:
                label.append(cell)
        parsed.append((line, _text_or_none(label), numbers, _text_or_none(after)))
    reference: dict[str, Decimal | None] | None = None
    rows: dict[int, Record] = {}

    def completeness(index: int) -> int:  # all columns printed, then more, then fewer
        count = len(parsed[index][2])
        return 0 if count == len(columns) else 1 if count > len(columns) else 2

    for index in sorted(range(len(parsed)), key=completeness):
        line, source, numbers, reason = parsed[index]
        mapping, extra = _align_funding(numbers, columns, reference)
        exact = len(numbers) == len(columns)
        if reference is None and len(numbers) >= len(columns) > 0:
            reference = mapping
        row: Record = {"source": source}
        for name in _FUNDING_FIELDS:
            row[name] = mapping.get(name)
        row["deviation_reason"] = reason
        row["source_line"] = line.number
        row["columns_inferred"] = bool(numbers) and not exact
        if extra:
            row["unassigned_values"] = extra
            sheet.add_note(
                line.number,
                f"the row prints {len(numbers)} numbers for {len(columns)} funding columns; "
                "the numbers that fit no column are kept in unassigned_values",
            )
        rows[index] = row
    return [rows[i] for i in range(len(parsed))]


def _align_funding(
    numbers: list[Decimal],
    columns: tuple[str, ...],
    reference: dict[str, Decimal | None] | None,
) -> tuple[dict[str, Decimal | None], list[Decimal]]:
    """Map a row's numbers onto the columns; returns the mapping and the numbers left over.

    When a row prints fewer or more numbers than the header has columns, every way of
    matching them in order is ranked by: the funding identities that hold (balance =
    full-year - executed, rate = executed / full-year, score = rate / 10), agreement with
    a sibling row that printed all its columns, then not leaving a non-zero number out, then
    which columns are usually blank, then dropping extra numbers from the middle (a split
    结转/结余 column) rather than from the ends.
    """
    n, m = len(numbers), len(columns)
    if n == m or not numbers:
        return dict(zip(columns, numbers, strict=False)), []
    if n > m + _MAX_EXTRA:  # not a funding row we understand: keep the order, list the rest
        return dict(zip(columns, numbers, strict=False)), numbers[m:]
    candidates: list[tuple[dict[str, Decimal | None], tuple[int, ...]]] = []
    if n < m:
        for kept in combinations(range(m), n):
            mapping: dict[str, Decimal | None] = dict.fromkeys(columns)
            for column, value in zip(kept, numbers, strict=True):
                mapping[columns[column]] = value
            candidates.append((mapping, ()))
    else:
        for kept in combinations(range(n), m):
            mapping = dict(zip(columns, (numbers[i] for i in kept), strict=True))
            candidates.append((mapping, tuple(i for i in range(n) if i not in kept)))

    def rank(candidate: tuple[dict[str, Decimal | None], tuple[int, ...]]) -> tuple[int, ...]:
        mapping, dropped = candidate
        agree = 0
        if reference is not None:
            for name, value in mapping.items():
                known = reference.get(name)
                if value is not None and known is not None:
                    agree += 1 if value == known else -1
        lost = sum(1 for i in dropped if numbers[i] != 0)
        blank = sum(_BLANK_PRIOR.get(name, 0) for name, value in mapping.items() if value is None)
        middle = -sum(abs(2 * i - (n - 1)) for i in dropped)
        return (_funding_consistency(mapping), agree, -lost, blank, middle)

    mapping, dropped = max(candidates, key=rank)
    return mapping, [numbers[i] for i in dropped]


def _funding_consistency(row: dict[str, Decimal | None]) -> int:
    """+1 per funding identity that holds, -2 per identity that fails."""
    full, executed = row.get("full_year_budget"), row.get("executed")
    balance, rate, score = row.get("balance"), row.get("execution_rate"), row.get("score")
    result = 0

    def check(ok: bool) -> None:
        nonlocal result
        result += 1 if ok else -2

    if full is not None and executed is not None and balance is not None:
        check(abs(full - executed - balance) <= _TOLERANCE)
    if full is not None and executed is not None and rate is not None:
        expected = executed / full * 100 if full else Decimal(0)
        check(abs(expected - rate) <= _RATE_TOLERANCE)
    if rate is not None and score is not None:
        check(abs(rate / 10 - score) <= _TOLERANCE)
    return result


def _read_goal_row(
    sheet: _Sheet,
    line: Line,
    header: tuple[int | None, int | None],
    goals: tuple[list[str], list[str]],
) -> None:
    """年度目标 / 实际完成情况 texts (two columns, sometimes printed in one cell)."""
    texts = [(i, c) for i, c in _nonempty(line.cells) if _norm(c) not in _GOAL_LABELS]
    if not texts:
        return
    annual: list[str] = []
    actual: list[str] = []
    _, actual_col = header
    match texts:
        case [(position, text)]:
            split = _split_paragraphs(line, position) if actual_col is not None else None
            if split is not None:
                annual.append(split[0])
                actual.append(split[1])
                sheet.add_note(
                    line.number,
                    f"{_ANNUAL} and {_ACTUAL} were printed in one cell; split at its paragraphs",
                )
            elif actual_col is not None and position >= actual_col:
                actual.append(text)
            else:
                annual.append(text)
        case [(_, first), *rest]:
            annual.append(first)
            actual.extend(c for _, c in rest)
    for text in annual:
        sheet.add_field(_ANNUAL, text, line.number)
    for text in actual:
        sheet.add_field(_ACTUAL, text, line.number)
    goals[0].extend(annual)
    goals[1].extend(actual)


def _split_paragraphs(line: Line, position: int) -> tuple[str, str] | None:
    raw = line.raw.split("\t")
    if position >= len(raw):
        return None
    paragraphs = _PARAGRAPH.findall(raw[position])
    outside = _PARAGRAPH.sub("", raw[position]).strip()
    if not paragraphs[1:] or outside:
        return None
    parts = [clean_line(p)[0].strip() for p in paragraphs]
    if not parts[0] or not any(parts[1:]):
        return None
    return parts[0], " ".join(p for p in parts[1:] if p)


def _read_total(sheet: _Sheet, line: Line) -> None:
    numbers = [(c, _plain(c)) for c in line.cells if c and _plain(c) is not None]
    grade = next((c for c in line.cells if _norm(c) in _GRADES), None)
    total = numbers[-1][1] if numbers else None
    sheet.record["total_score"] = total
    sheet.record["grade"] = grade
    if total is not None:
        sheet.add_field(_TOTAL, total, line.number)
    if grade is not None:
        sheet.add_field(_GRADE, grade, line.number)
    for cell, _ in numbers[:-1]:
        sheet.add_unparsed(line.number, cell, f"more than one number in the {_TOTAL} row")
    for cell in line.cells:
        if cell and _plain(cell) is None and cell != grade and _norm(cell) != _TOTAL:
            sheet.add_field(None, cell, line.number)


def _analysis_row(line: Line) -> Record:
    """项目绩效分析: the last cell is the text, the one before it its heading."""
    heading: str | None = None
    text: str | None = None
    match [c for c in line.cells if c]:
        case [*_, heading, text]:
            pass
        case [text]:
            pass
    return {"heading": heading, "text": text, "source_line": line.number}
