"""Annexes: the project performance sheets printed at the end of a disclosure.

This module owns two kinds of annex sheet, one per project:

* 项目支出绩效自评表 (project performance *self-evaluation*, in final accounts): the
  project's funding (budgeted, executed, execution rate, score), its annual targets and
  results, the graded indicators (一级/二级/三级指标, targets, actual values, 分值, 得分),
  the total score and grade, and the publisher's analysis;
* 项目支出绩效目标申报表 (project performance *target declaration*, in budgets): the
  project's funding for the whole implementation period and for the year (in 元, not 万元),
  its descriptive texts, overall targets and the declared indicators.

:func:`locate_annexes` finds where each sheet starts and ends in a document;
:func:`parse_performance_evaluation` and :func:`parse_performance_target` turn the lines
of one sheet into a JSON-ready record (amounts stay exact ``Decimal``).

The sheets are tab-separated text extracted from PDFs, so merged cells shift columns by one
or two positions from row to row. Rows are therefore read by content and by anchors (the
trailing 分值/得分 numbers, the repeated indicator names, the accounting identities of the
funding columns), not by fixed positions; where a reading had to be inferred the row says so.

Nothing lost: every cell inside a sheet whose whole text is a number lands in the record as a
value of a dict whose ``source_line`` is the cell's line (numbers as ``Decimal``; numeric
strings such as phone numbers or dates as the exact text). A number the parser cannot place
is listed in ``record["unparsed"]`` with its line and a reason, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import combinations
from typing import Literal

from builder.parse.amounts import (
    CELL_CACHE,
    AmountError,
    is_numeric_token,
    normalise_cell,
    parse_amount,
)
from builder.sources.reading import Line, clean_line

AnnexKind = Literal["performance_evaluation", "performance_target"]
Record = dict[str, object]

_MARKERS: tuple[tuple[str, AnnexKind], ...] = (
    ("项目支出绩效自评表", "performance_evaluation"),
    ("项目支出绩效目标申报表", "performance_target"),
)
_FOLLOW_WINDOW = 8  # a real sheet prints its 项目名称 row within this many lines of the title
_PART_HEADING = re.compile(r"^第[一二三四五六七八九十百\d]+部分")
_NARRATIVE_HEADING = re.compile(r"^[一二三四五六七八九十百]+、")
_YEAR = re.compile(r"[（(]\s*(\d{4})\s*年度?\s*[)）]")
_MONEY_UNIT = re.compile(r"[（(]\s*(万元|元)\s*[)）]")
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_GRADES = ("优", "良", "中", "差")
_TARGET_LIKE = re.compile(r"^[≥≤=<>＜＞＝≧≦]|\d")
_TOLERANCE = Decimal("0.011")  # printed amounts are rounded to 0.01
_RATE_TOLERANCE = Decimal("0.06")  # a rate printed with one decimal (99.1)
_SHORT_HEADER = 12  # header cells are short; narrative cells that mention a header word are not
_SHIFTS = range(-3, 4)  # how far a declared indicator block may sit off its header columns
_MAX_EXTRA = 3  # more extra numbers than this in a funding row: no search for a mapping
_SHORT_TARGET = 2  # 积极, 保障, 按时: a two-character cell is a target value, not a name

_HEADER_LABELS = {
    "项目名称": "project_name",
    "主管部门及代码": "competent_department",
    "主管部门": "competent_department",
    "预算单位": "budget_unit",
    "实施单位": "implementing_unit",
    "项目属性": "project_attribute",
    "项目期": "project_period",
}
_TEXT_LABELS = {
    "项目概况": "overview",
    "立项依据": "basis",
    "项目设立必要性": "necessity",
    "保证项目实施的制度、措施": "safeguards",
    "项目实施计划": "implementation_plan",
}
_CONTACT_LABELS = {
    "负责人": "responsible_person",
    "经办人": "handler",
    "联系电话": "phone",
    "填报日期": "filled_on",
}
# Cells that are the sheet's own row labels (or pieces of them split by a page break),
# never indicator names.
_LABEL_FRAGMENTS = frozenset(
    {"绩效指标", "绩效", "指标", "项目年度绩效目标", "项目年度", "年度绩效目标"}
)
_GOAL_LABELS = frozenset({"项目年度绩效目标", "项目年度", "年度绩效目标", "绩效目标", "年度目标"})
_LEVEL1_NAMES = frozenset({"产出指标", "效益指标", "满意度指标"})

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
_INDICATOR_TARGETS = (
    ("年初指标", "initial_target"),
    ("调整后指标", "adjusted_target"),
    ("实际完成", "actual"),
)


@dataclass(frozen=True)
class AnnexRegion:
    """One annex sheet: its kind, its title as printed and its 1-based line span."""

    kind: AnnexKind
    title: str
    start_line: int
    end_line: int


# --------------------------------------------------------------------------- locating


def locate_annexes(lines: Sequence[Line]) -> list[AnnexRegion]:
    """Find the annex sheets: each starts at its title and ends before the next boundary.

    A title is a line without tabs whose text ends with 项目支出绩效自评表 or
    项目支出绩效目标申报表 (possibly split over two lines) and that is followed within a
    few lines by a 项目名称 row; mentions in the narrative or the table of contents are not.
    A sheet ends before the next sheet, the next 第X部分 heading, a narrative heading such
    as 十一、国有资产占有使用情况 (no tab), or at the end of the file.
    """
    starts: list[tuple[int, int, AnnexKind, str]] = []  # first index, title end index, ...
    for index in range(len(lines)):
        found = _title_at(lines, index)
        if found is not None and (not starts or found[0] > starts[-1][1]):
            starts.append(found)
    regions: list[AnnexRegion] = []
    for position, (first, title_end, kind, title) in enumerate(starts):
        limit = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        end = limit
        for index in range(title_end + 1, limit):
            if _is_boundary(lines[index]):
                end = index
                break
        last = max(end - 1, title_end)
        regions.append(AnnexRegion(kind, title, lines[first].number, lines[last].number))
    return regions


def _title_at(lines: Sequence[Line], index: int) -> tuple[int, int, AnnexKind, str] | None:
    line = lines[index]
    if "\t" in line.text:
        return None
    text = line.text.strip()
    if not text:
        return None
    for marker, kind in _MARKERS:
        if text.endswith(marker):
            first, title = index, text
        elif marker.endswith(text):
            previous = _previous_text_line(lines, index)
            if previous is None:
                continue
            joined = lines[previous].text.strip() + text
            if not joined.endswith(marker):
                continue
            first, title = previous, joined
        else:
            continue
        if _followed_by_project_name(lines, index):
            return first, index, kind, title
    return None


def _previous_text_line(lines: Sequence[Line], index: int) -> int | None:
    for back in range(index - 1, max(index - 3, -1), -1):
        text = lines[back].text
        if "\t" in text:
            return None
        if text.strip():
            return back
    return None


def _followed_by_project_name(lines: Sequence[Line], index: int) -> bool:
    """True when the next printed row after the title (the year aside) is 项目名称."""
    for ahead in range(index + 1, min(index + 1 + _FOLLOW_WINDOW, len(lines))):
        first = next((c for c in lines[ahead].cells if c), "")
        if not first or _YEAR.fullmatch(first):
            continue
        return normalise_cell(first).startswith("项目名称")
    return False


def _is_boundary(line: Line) -> bool:
    text = line.text.strip()
    if not text:
        return False
    if _PART_HEADING.match(text):
        return True
    return "\t" not in line.text and bool(_NARRATIVE_HEADING.match(text))


def parse_annex(lines: Sequence[Line], region: AnnexRegion) -> Record:
    """Parse one located annex of a whole document (``lines`` is the full document)."""
    own = [line for line in lines if region.start_line <= line.number <= region.end_line]
    if region.kind == "performance_evaluation":
        return parse_performance_evaluation(own)
    return parse_performance_target(own)


# --------------------------------------------------------------------------- cells


@lru_cache(maxsize=CELL_CACHE)
def _norm(cell: str) -> str:
    """A cell for matching: full-width forms folded, whitespace and trailing colons removed."""
    return normalise_cell(cell).rstrip(":")


def _number(cell: str) -> Decimal | None:
    """The exact number a cell prints (a trailing % is allowed), or None."""
    if not cell or not is_numeric_token(cell):
        return None
    text = normalise_cell(cell).removesuffix("%")
    try:
        amount = parse_amount(text)
    except AmountError:
        return None
    return amount.value if amount.kind == "number" else None


def _plain(cell: str) -> Decimal | None:
    """The number of a plain numeric cell (no percent sign), or None."""
    if "%" in cell:
        return None
    return _number(cell)


def _is_header_cell(cell: str, keyword: str) -> bool:
    """A short cell containing ``keyword`` (long narrative cells that mention it are not)."""
    text = _norm(cell)
    return keyword in text and len(text) <= len(keyword) + 10


def _row_has(cells: Sequence[str], keyword: str) -> bool:
    return any(_is_header_cell(cell, keyword) for cell in cells)


def _index_of(cells: Sequence[str], keyword: str) -> int | None:
    return next((i for i, cell in enumerate(cells) if _is_header_cell(cell, keyword)), None)


def _nonempty(cells: Sequence[str]) -> list[tuple[int, str]]:
    return [(i, cell) for i, cell in enumerate(cells) if cell]


def _text_or_none(parts: Sequence[str]) -> str | None:
    joined = " ".join(part for part in parts if part)
    return joined or None


# --------------------------------------------------------------------------- record builder


@dataclass
class _Sheet:
    """What a sheet parser accumulates besides the record's own fields."""

    lines: Sequence[Line]
    record: Record
    fields: list[Record] = field(default_factory=list)
    notes: list[Record] = field(default_factory=list)
    unparsed: list[Record] = field(default_factory=list)

    def add_field(self, label: str | None, value: object, line: int) -> None:
        self.fields.append({"label": label, "value": value, "source_line": line})

    def add_note(self, line: int, text: str) -> None:
        self.notes.append({"text": text, "source_line": line})

    def add_unparsed(self, line: int, text: str, reason: str) -> None:
        self.unparsed.append({"line": line, "text": text, "reason": reason})

    def first_field(self, label: str) -> str | None:
        values = [f["value"] for f in self.fields if f["label"] == label]
        return _text_or_none([str(v) for v in values if v is not None])

    def finish(self) -> Record:
        self.record["fields"] = self.fields
        self.record["notes"] = self.notes
        self.record["unparsed"] = self.unparsed
        _sweep(self)
        return self.record


def _start(lines: Sequence[Line], kind: AnnexKind) -> tuple[_Sheet, int]:
    """A sheet with its title read; returns the sheet and the index of the first body line."""
    title_end = 0
    title_parts: list[str] = []
    for index, line in enumerate(lines[:3]):
        if "\t" in line.text:
            break
        text = line.text.strip()
        if text:
            title_parts.append(text)
        if any(text.endswith(marker) for marker, _ in _MARKERS):
            title_end = index
            break
    title = "".join(title_parts[: title_end + 1]) if title_parts else None
    record: Record = {
        "kind": kind,
        "title": title,
        "start_line": lines[0].number if lines else None,
        "end_line": lines[-1].number if lines else None,
    }
    return _Sheet(lines, record), (title_end + 1 if title_parts else 0)


def _label_values(sheet: _Sheet, line: Line, labels: dict[str, str]) -> dict[str, list[str]] | None:
    """Read a row of ``label | value | label | value``; None when it has no known label."""
    values: dict[str, list[str]] = {}
    current: str | None = None
    seen = False
    for cell in line.cells:
        if not cell:
            continue
        key = labels.get(_norm(cell))
        if key is not None:
            current, seen = key, True
            values.setdefault(key, [])
            continue
        values.setdefault(current or "", []).append(cell)
    if not seen:
        return None
    for key, cells in values.items():
        label = next((k for k, v in labels.items() if v == key), None) if key else None
        for cell in cells:
            sheet.add_field(label, cell, line.number)
    return values


def _sweep(sheet: _Sheet) -> None:
    """List every numeric cell of the sheet that no line-anchored value accounts for."""
    placed: dict[int, list[object]] = {}
    for owner, value in _anchored_values(sheet.record):
        placed.setdefault(owner, []).append(value)
    for entry in sheet.unparsed:
        line = entry.get("line")
        if isinstance(line, int):
            placed.setdefault(line, []).append(entry.get("text"))
    for line in sheet.lines:
        pool = placed.get(line.number, [])
        for cell in line.cells:
            if not cell or not is_numeric_token(cell):
                continue
            match = next((i for i, value in enumerate(pool) if _same(value, cell)), None)
            if match is None:
                sheet.add_unparsed(line.number, cell, "a number the parser could not place")
            else:
                pool.pop(match)


def _anchored_values(value: object, line: int | None = None) -> Iterator[tuple[int, object]]:
    if isinstance(value, dict):
        own = value.get("source_line", line)
        own_line = own if isinstance(own, int) and not isinstance(own, bool) else line
        for key, item in value.items():
            if key not in ("source_line", "start_line", "end_line"):
                yield from _anchored_values(item, own_line)
    elif isinstance(value, list):
        for item in value:
            yield from _anchored_values(item, line)
    elif line is not None and value is not None:
        yield line, value


def _same(value: object, cell: str) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        if value.strip() == cell.strip():
            return True
        number = _number(value)
        return number is not None and number == _number(cell)
    if isinstance(value, (int, Decimal)):
        number = _number(cell)
        return number is not None and Decimal(value) == number
    return False


def _other_lines(sheet: _Sheet, line: Line) -> None:
    """A line without tabs inside the sheet: a note, or a number printed on its own."""
    text = line.text.strip()
    if not text:
        return
    if is_numeric_token(text):
        sheet.add_unparsed(line.number, text, "a number printed on its own line")
    else:
        sheet.add_note(line.number, text)


def _reader(kind: AnnexKind, parse: Callable[[_Sheet, int], None]) -> Callable[..., Record]:
    """A sheet's reader. Odd input is reported by the readers themselves (notes, unparsed
    numbers); nothing is caught here, so a bug fails the tests and the fuzzers see it."""

    def run(lines: Sequence[Line]) -> Record:
        sheet, body = _start(lines, kind)
        parse(sheet, body)
        return sheet.finish()

    return run


# --------------------------------------------------------------------------- self-evaluation

_SECTIONS = ("header", "funding", "goals", "indicators", "total", "analysis", "notes")


@dataclass
class _IndicatorLayout:
    """Where the indicator header puts its columns."""

    targets: tuple[str, ...] = ("initial_target", "adjusted_target", "actual")
    weight_col: int | None = None
    score_col: int | None = None
    max_skip: int = 0  # empty cells allowed between the actual value and 分值


@dataclass
class _Carry:
    """Merged 一级/二级 cells: the last printed value of each, carried down."""

    level1: str | None = None
    level2: str | None = None
    pair: tuple[int, int] | None = None  # where the last row printed 分值 and 得分


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
        if text.startswith("备注"):
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
            self.goals_header = (_index_of(cells, "年度目标"), _index_of(cells, "实际完成情况"))
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
        record["project_name"] = sheet.first_field("项目名称")
        record["competent_department"] = sheet.first_field("主管部门及代码") or (
            sheet.first_field("主管部门")
        )
        record["budget_unit"] = sheet.first_field("预算单位")


def _evaluation_body(sheet: _Sheet, body: int) -> None:
    sheet.record.update(
        {k: list(v) if isinstance(v, list) else v for k, v in _EVALUATION_FIELDS.items()}
    )
    reader = _EvaluationReader(sheet)
    for line in sheet.lines[body:]:
        reader.read(line)
    reader.finish()


def _is_funding_subheader(cells: Sequence[str]) -> bool:
    """The second header row of the funding block: 目标申报数 / 预算编制数, no numbers."""
    named = _row_has(cells, "目标申报") or _row_has(cells, "预算编制")
    return named and not any(_number(c) is not None for c in cells)


_parse_evaluation = _reader("performance_evaluation", _evaluation_body)


def _evaluation_section(cells: Sequence[str], section: int) -> int:
    """The section a row opens, if it opens a later one than ``section``."""
    checks: list[tuple[str, bool]] = [
        ("total", any(_norm(c) == "总分" for c in cells)),
        ("indicators", _row_has(cells, "一级指") and _row_has(cells, "三级指")),
        (
            "goals",
            any(_norm(c) == "年度目标" for c in cells)
            or _row_has(cells, "实际完成情况")
            or _norm(next((c for c in cells if c), "")).startswith("项目年度"),
        ),
        ("funding", _row_has(cells, "全年预算") or _row_has(cells, "全年执行")),
    ]
    for name, hit in checks:
        position = _SECTIONS.index(name)
        if hit and position > section:
            return position
    return section


def _goal_header_only(cells: Sequence[str]) -> bool:
    """True when a goals row holds only labels (年度目标 / 实际完成情况), no text."""
    return all(
        not c or _norm(c) in _GOAL_LABELS or _is_header_cell(c, "实际完成情况") for c in cells
    )


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
    present = {
        "initial_budget_declared": _row_has(header, "目标申报"),
        "initial_budget": _row_has(header, "预算编制")
        or (_row_has(header, "年初预算") and not _row_has(header, "目标申报")),
        "full_year_budget": _row_has(header, "全年预算"),
        "executed": _row_has(header, "全年执行"),
        "balance": any(_is_balance_header(cell) for cell in header),
        "execution_rate": _row_has(header, "执行率"),
        "score": _row_has(header, "得分"),
    }
    return tuple(name for name in _FUNDING_FIELDS if present[name])


def _is_balance_header(cell: str) -> bool:
    """资金结转/结余, 资金结(转)余, 结余 ...: a short cell naming the carry-over column."""
    text = _norm(cell)
    return len(text) <= _SHORT_HEADER and "结" in text and ("余" in text or "转" in text)


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
                    "年度目标 and 实际完成情况 were printed in one cell; split at its paragraphs",
                )
            elif actual_col is not None and position >= actual_col:
                actual.append(text)
            else:
                annual.append(text)
        case [(_, first), *rest]:
            annual.append(first)
            actual.extend(c for _, c in rest)
    for text in annual:
        sheet.add_field("年度目标", text, line.number)
    for text in actual:
        sheet.add_field("实际完成情况", text, line.number)
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


def _indicator_layout(cells: Sequence[str]) -> _IndicatorLayout:
    targets = tuple(name for keyword, name in _INDICATOR_TARGETS if _row_has(cells, keyword))
    qualitative = sum(1 for c in cells if _is_header_cell(c, "定性"))
    return _IndicatorLayout(
        targets=targets or ("initial_target", "adjusted_target", "actual"),
        weight_col=_index_of(cells, "分值"),
        score_col=next((i for i, c in enumerate(cells) if _norm(c) == "得分"), None),
        max_skip=2 * qualitative,
    )


def _indicator_row(line: Line, layout: _IndicatorLayout, carry: _Carry) -> Record | None:
    """One indicator row, read from its right end: reason, 得分, 分值, targets, names."""
    cells = line.cells
    present = _nonempty(cells)
    if not present:
        return None
    weight_at, score_at = _weight_and_score(cells, present, layout, carry)
    anchor = min((i for i in (weight_at, score_at) if i is not None), default=None)
    if anchor is not None:
        last = max(i for i in (weight_at, score_at) if i is not None)
        reason = _text_or_none([c for i, c in present if i > last])
        left = list(cells[:anchor])
        skipped = 0
        while left and not left[-1] and skipped < layout.max_skip:
            left.pop()
            skipped += 1
        width = len(layout.targets)
        block = left[-width:] if len(left) >= width else [""] * (width - len(left)) + left
        names = left[: max(len(left) - width, 0)]
    else:  # no 分值/得分 to anchor on: everything printed is a name
        reason = None
        block = [""] * len(layout.targets)
        names = [c for _, c in present]
    levels = _levels([c for c in names if c and _norm(c) not in _LABEL_FRAGMENTS], carry)
    targets = dict(zip(layout.targets, block, strict=True))
    row: Record = {key: levels[key] for key in ("level1", "level2", "level3")}
    for _, name in _INDICATOR_TARGETS:
        row[name] = targets.get(name) or None
    row["weight"] = _plain(cells[weight_at]) if weight_at is not None else None
    row["score"] = _plain(cells[score_at]) if score_at is not None else None
    row["deviation_reason"] = reason
    row["carried"] = levels["carried"]
    row["inferred"] = levels["inferred"]
    row["source_line"] = line.number
    return row


def _weight_and_score(
    cells: Sequence[str],
    present: Sequence[tuple[int, str]],
    layout: _IndicatorLayout,
    carry: _Carry,
) -> tuple[int | None, int | None]:
    """Positions of 分值 and 得分: the trailing run of plain numbers.

    A run of three (``10 | 10 | 10``) is 分值, 得分 and a number printed in the 偏差原因
    column when the previous row put its pair where this run's first two sit; otherwise
    the last two are 分值 and 得分. A lone number is 得分 when it sits in the 得分 column.
    """
    run: list[int] = []
    for index, cell in reversed(present):
        if _plain(cell) is None:
            if run:
                break
            continue
        run.insert(0, index)
    match run:
        case []:
            return None, None
        case [*_, weight, score, _] if carry.pair == (weight, score):
            return weight, score
        case [weight, score]:
            carry.pair = (weight, score)
            return weight, score
        case [*_, weight, score]:
            return weight, score
    position = run[0]
    if carry.pair is not None and position in carry.pair:
        return (position, None) if position == carry.pair[0] else (None, position)
    return (None, position) if _closer_to_score(position, layout) else (position, None)


def _closer_to_score(position: int, layout: _IndicatorLayout) -> bool:
    if layout.score_col is None or layout.weight_col is None:
        return False
    return abs(position - layout.score_col) < abs(position - layout.weight_col)


def _family(name: str | None) -> str | None:
    """The 一级指标 a level name belongs to, when its words say so unambiguously."""
    if not name:
        return None
    text = _norm(name)
    if "满意" in text or text.startswith("服务对象"):
        return "满意度指标"
    if "效益" in text or "收益" in text or "可持续" in text:
        return "效益指标"
    if any(word in text for word in ("数量", "质量", "时效", "产出")):
        return "产出指标"
    if "成本" in text and text != "成本指标":  # 成本指标 is a 二级 in older sheets
        return "成本指标"
    return None


def _levels(names: list[str], carry: _Carry) -> Record:
    """一级/二级/三级 from the printed names, right-aligned (a lone 一级 name is recognised)."""
    level1 = level2 = level3 = None
    match names:
        case [only]:
            level3 = only
        case [first, last] if _norm(first) in _LEVEL1_NAMES:
            level1, level3 = first, last
        case [first, last]:
            level2, level3 = first, last
        case [*head, second, last] if head:
            level1, level2, level3 = " ".join(head), second, last
    return _carry_levels(level1, level2, level3, carry)


def _carry_levels(
    level1: str | None, level2: str | None, level3: str | None, carry: _Carry
) -> Record:
    """Fill merged 一级/二级 cells from the rows above; say which were carried or inferred.

    A new 二级 group under a carried 一级 of another family (社会效益 under 产出指标, when a
    page break lost the 效益指标 cell) takes the 一级 its words name, marked ``inferred``.
    """
    carried: list[str] = []
    inferred: list[str] = []
    if level1 is not None:
        carry.level1, carry.level2 = level1, level2
    else:
        level1 = carry.level1
        if level2 is not None:
            family = _family(level2)
            if family is not None and _family(level1) not in (None, family):
                level1 = carry.level1 = family
                inferred.append("level1")
            carry.level2 = level2
        else:
            level2 = carry.level2
            if level2 is not None:
                carried.append("level2")
        if level1 is not None and not inferred:
            carried.insert(0, "level1")
    return {
        "level1": level1,
        "level2": level2,
        "level3": level3,
        "carried": carried,
        "inferred": inferred,
    }


def _read_total(sheet: _Sheet, line: Line) -> None:
    numbers = [(c, _plain(c)) for c in line.cells if c and _plain(c) is not None]
    grade = next((c for c in line.cells if _norm(c) in _GRADES), None)
    total = numbers[-1][1] if numbers else None
    sheet.record["total_score"] = total
    sheet.record["grade"] = grade
    if total is not None:
        sheet.add_field("总分", total, line.number)
    if grade is not None:
        sheet.add_field("等级", grade, line.number)
    for cell, _ in numbers[:-1]:
        sheet.add_unparsed(line.number, cell, "more than one number in the 总分 row")
    for cell in line.cells:
        if cell and _plain(cell) is None and cell != grade and _norm(cell) != "总分":
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


# --------------------------------------------------------------------------- target declaration


def parse_performance_target(lines: Sequence[Line]) -> Record:
    """Parse one 项目支出绩效目标申报表 (budget performance target declaration) region."""
    return _parse_target(lines)


_TARGET_FIELDS: Record = {
    "project_name": None,
    "competent_department": None,
    "implementing_unit": None,
    "project_attribute": None,
    "project_period": None,
    "year": None,
    "money_unit": "元",
    "funding": [],
    **dict.fromkeys(_TEXT_LABELS.values()),
    "overall_target_period": None,
    "overall_target_annual": None,
    "indicators": [],
    "contact": None,
}


@dataclass
class _TargetReader:
    """Reads a target declaration row by row; each block is opened by its label."""

    sheet: _Sheet
    section: str = "header"
    goals_annual_col: int | None = None
    positions: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7)
    carry: _Carry = field(default_factory=_Carry)
    annual_carry: _Carry = field(default_factory=_Carry)
    funding: list[Record] = field(default_factory=list)
    indicators: list[Record] = field(default_factory=list)

    def read(self, line: Line) -> None:
        record = self.sheet.record
        if "\t" not in line.text:
            year = _YEAR.search(line.text)
            if record["year"] is None and year:
                record["year"] = int(year.group(1))
            else:
                _other_lines(self.sheet, line)
        elif any(line.cells) and not self.opens_section(line):
            self.row(line)

    def opens_section(self, line: Line) -> bool:
        """Move to the block ``line`` opens, if any; True when the line is only a header."""
        cells = line.cells
        first = _norm(next((c for c in cells if c), ""))
        if first.startswith("项目资金"):
            self.section = "funding"
            unit = _MONEY_UNIT.search(line.text)
            self.sheet.record["money_unit"] = unit.group(1) if unit else "元"
        elif first in _TEXT_LABELS or first.startswith("保证项目实施"):
            self.section = "texts"
        elif _row_has(cells, "实施期目标"):
            self.section = "goals"
            self.goals_annual_col = _index_of(cells, "年度目标")
            return True
        elif _row_has(cells, "一级指标") and _row_has(cells, "指标值"):
            self.section = "indicators"
            self.positions = _target_positions(cells)
            return True
        elif any(_norm(c) in _CONTACT_LABELS for c in cells):
            self.section = "contact"
        return False

    def row(self, line: Line) -> None:
        sheet = self.sheet
        if self.section == "header":
            _read_header_row(sheet, line)
        elif self.section == "funding":
            self.funding.append(_target_funding_row(sheet, line))
        elif self.section == "texts":
            _read_text_row(sheet, line)
        elif self.section == "goals":
            _read_overall_target(sheet, line, self.goals_annual_col)
        elif self.section == "indicators":
            row = _target_indicator_row(line, self.positions, self.carry, self.annual_carry)
            if row is not None:
                self.indicators.append(row)
        elif self.section == "contact":
            _read_contact(sheet, line)
            self.section = "notes"
        else:
            sheet.add_note(line.number, " ".join(c for c in line.cells if c))

    def finish(self) -> None:
        sheet, record = self.sheet, self.sheet.record
        record["funding"] = self.funding
        record["indicators"] = self.indicators
        for key in ("project_name", "competent_department", "implementing_unit"):
            record[key] = sheet.first_field(_label_for(key, _HEADER_LABELS))
        record["project_attribute"] = sheet.first_field("项目属性")
        record["project_period"] = sheet.first_field("项目期")


def _target_body(sheet: _Sheet, body: int) -> None:
    sheet.record.update(
        {k: list(v) if isinstance(v, list) else v for k, v in _TARGET_FIELDS.items()}
    )
    reader = _TargetReader(sheet)
    for line in sheet.lines[body:]:
        reader.read(line)
    reader.finish()


_parse_target = _reader("performance_target", _target_body)


def _label_for(key: str, labels: dict[str, str]) -> str:
    return next(label for label, name in labels.items() if name == key)


def _target_funding_row(sheet: _Sheet, line: Line) -> Record:
    """``period label | amount | annual label | amount`` (元)."""
    labels: list[int] = []
    numbers: list[tuple[int, Decimal, str]] = []
    texts: dict[int, str] = {}
    for index, cell in _nonempty(line.cells):
        if _norm(cell).startswith("项目资金"):
            continue
        value = _number(cell)
        if value is None:
            labels.append(index)
            texts[index] = cell
        else:
            numbers.append((index, value, cell))
    split = labels[1] if labels[1:] else None
    if split is not None:
        period = [n for n in numbers if n[0] < split]
        annual = [n for n in numbers if n[0] > split]
    else:
        period, annual = numbers[:1], numbers[1:]
    row: Record = {
        "source": texts[labels[0]] if labels else None,
        "annual_source": texts[split] if split is not None else None,
        "period_total_yuan": period[0][1] if period else None,
        "annual_yuan": annual[0][1] if annual else None,
        "source_line": line.number,
    }
    extra = [value for _, value, _ in period[1:] + annual[1:]]
    if extra:
        row["unassigned_values"] = extra
        sheet.add_note(
            line.number,
            "the row prints more numbers than its two funding columns; "
            "the numbers that fit no column are kept in unassigned_values",
        )
    for index in labels[2:]:
        sheet.add_note(line.number, f"funding row text not read as a label: {texts[index]}")
    return row


def _read_text_row(sheet: _Sheet, line: Line) -> None:
    present = _nonempty(line.cells)
    label = present[0][1]
    key = _TEXT_LABELS.get(_norm(label))
    if key is None and _norm(label).startswith("保证项目实施"):
        key = "safeguards"
    if key is None:
        for _, cell in present:
            sheet.add_field(None, cell, line.number)
        return
    values = [c for _, c in present[1:]]
    for value in values:
        sheet.add_field(label, value, line.number)
    previous = sheet.record.get(key)
    parts = [previous] if isinstance(previous, str) else []
    sheet.record[key] = _text_or_none([*parts, *values])


def _read_overall_target(sheet: _Sheet, line: Line, annual_col: int | None) -> None:
    present = [(i, c) for i, c in _nonempty(line.cells) if _norm(c) != "总体目标"]
    period: list[str] = []
    annual: list[str] = []
    match present:
        case [(index, text)]:
            (annual if annual_col is not None and index >= annual_col else period).append(text)
        case [(_, first), *rest]:
            period.append(first)
            annual.extend(c for _, c in rest)
    for text in period:
        sheet.add_field("实施期总体目标", text, line.number)
    for text in annual:
        sheet.add_field("年度总体目标", text, line.number)
    record = sheet.record
    for key, texts in (("overall_target_period", period), ("overall_target_annual", annual)):
        previous = record.get(key)
        parts = [previous] if isinstance(previous, str) else []
        record[key] = _text_or_none([*parts, *texts])


def _read_contact(sheet: _Sheet, line: Line) -> None:
    values = _label_values(sheet, line, _CONTACT_LABELS) or {}
    contact: Record = dict.fromkeys(_CONTACT_LABELS.values())
    for key, cells in values.items():
        if key:
            contact[key] = _text_or_none(cells)
    contact["source_line"] = line.number
    sheet.record["contact"] = contact


def _target_positions(cells: Sequence[str]) -> tuple[int, ...]:
    """Header columns: 一级, 二级, 三级, 指标值 (implementation period), 二级, 三级, 指标值
    (the year); the default layout when the header is not found."""
    found: list[int] = []
    wanted = ("一级指标", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值")
    start = 0
    for keyword in wanted:
        index = next(
            (i for i in range(start, len(cells)) if _norm(cells[i]) == keyword),
            None,
        )
        if index is None:
            return (1, 2, 3, 4, 5, 6, 7)
        found.append(index)
        start = index + 1
    return tuple(found)


def _similar(left: str, right: str) -> bool:
    a, b = _norm(left), _norm(right)
    return bool(a and b) and (a == b or a.startswith(b) or b.startswith(a))


def _target_like(cell: str) -> bool:
    text = _norm(cell)
    return bool(_TARGET_LIKE.search(text)) or 0 < len(text) <= _SHORT_TARGET


def _shift_score(cells: Sequence[str], positions: tuple[int, ...], shifts: tuple[int, int]) -> int:
    """How plausible it is that the row's two blocks sit ``shifts`` columns off the header."""
    left, right = shifts
    places = [p + left for p in positions[:4]] + [p + right for p in positions[4:]]

    def at(index: int) -> str:
        return cells[index] if 0 <= index < len(cells) else ""

    l1, l2, l3, value, r2, r3, r_value = (at(i) for i in places)
    covered = set(places)
    score = -5 * sum(
        1
        for i, c in enumerate(cells)
        if c and i not in covered and _norm(c) not in _LABEL_FRAGMENTS
    )
    score += 3 if l3 and r3 and _similar(l3, r3) else 0
    score += 2 if l2 and r2 and _similar(l2, r2) else 0
    if l1:
        score += 1 if _norm(l1) in _LEVEL1_NAMES else -1
    score += 1 if l2 and (_norm(l2).endswith("指标") or _family(l2)) else 0
    score -= 1 if l3 and _target_like(l3) else 0
    score += 1 if value and _target_like(value) else 0
    score += 1 if r_value and _target_like(r_value) else 0
    return score


def _block_shifts(cells: Sequence[str], positions: tuple[int, ...]) -> tuple[int, int]:
    """The shifts of the implementation-period block and of the year block (most often the
    same); the year block never starts before the other block ends."""
    options = [
        (left, right)
        for left in _SHIFTS
        for right in _SHIFTS
        if positions[3] + left < positions[4] + right
    ]
    return max(
        options,
        key=lambda s: (_shift_score(cells, positions, s), -abs(s[0]) - abs(s[1]), s[0] == s[1]),
    )


def _target_indicator_row(
    line: Line, positions: tuple[int, ...], carry: _Carry, annual_carry: _Carry
) -> Record | None:
    """A declared indicator: two side-by-side blocks, the row shifted as a whole."""
    cells = line.cells
    if not any(cells):
        return None
    left, right = _block_shifts(cells, positions)
    places = [p + left for p in positions[:4]] + [p + right for p in positions[4:]]

    def at(index: int) -> str | None:
        return (cells[index] or None) if 0 <= index < len(cells) else None

    l1, l2, l3, value, r2, r3, r_value = (at(i) for i in places)
    levels = _carry_levels(l1, l2, l3, carry)
    carried = list(levels["carried"]) if isinstance(levels["carried"], list) else []
    if r2 is not None:
        annual_carry.level2 = r2
    elif l2 is not None:  # the year block repeats the implementation-period structure
        annual_carry.level2 = l2
        carried.append("annual_level2")
    elif annual_carry.level2 is not None:
        carried.append("annual_level2")
    row: Record = {key: levels[key] for key in ("level1", "level2", "level3")}
    row["period_target"] = value
    row["annual_level2"] = annual_carry.level2
    row["annual_level3"] = r3
    row["annual_target"] = r_value
    row["carried"] = carried
    row["inferred"] = levels["inferred"]
    extra = [c for i, c in enumerate(cells) if c and i not in places]
    if extra:  # printed outside the columns (a row label or a stray cell): kept, not read
        row["extra_text"] = extra
    row["source_line"] = line.number
    return row
