"""The 项目支出绩效目标申报表 (project performance target declaration of budgets): header,
funding for the implementation period and the year (in 元), descriptive texts, overall
targets, declared indicators and contacts."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from builder.parse.annexes.cells import (
    _HEADER_LABELS,
    _MONEY_UNIT,
    _YEAR,
    LABELS,
    Record,
    _index_of,
    _label_values,
    _nonempty,
    _norm,
    _number,
    _other_lines,
    _reader,
    _row_has,
    _Sheet,
    _text_or_none,
)
from builder.parse.annexes.evaluations import _read_header_row
from builder.parse.annexes.indicators import (
    _LABEL_FRAGMENTS,
    _LEVEL1_NAMES,
    _Carry,
    _carry_levels,
    _family,
)
from builder.sources.reading import Line

_TARGET_LIKE = re.compile(r"^[≥≤=<>＜＞＝≧≦]|\d")


_SHIFTS = range(-3, 4)  # how far a declared indicator block may sit off its header columns
# each pair of shifts (period block, year block) in the order they are tried, with what
# breaks a tie of scores: the smaller shifts, then equal shifts
_SHIFT_PAIRS = tuple(
    (left, right, -abs(left) - abs(right), left == right) for left in _SHIFTS for right in _SHIFTS
)


_SHORT_TARGET = 2  # 积极, 保障, 按时: a two-character cell is a target value, not a name


_TEXT_LABELS: dict[str, str] = LABELS["text_labels"]


_CONTACT_LABELS: dict[str, str] = LABELS["contact_labels"]


_TEXT_PREFIXES: dict[str, str] = LABELS["text_prefixes"]


_ROWS: dict[str, str] = LABELS["target_rows"]  # what each row word marks


_LEVELS: tuple[str, ...] = tuple(LABELS["indicator_levels"])


_MONEY_DEFAULT: str = LABELS["target_money_unit"]


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
    "money_unit": _MONEY_DEFAULT,
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
        if first.startswith(_ROWS["funding"]):
            self.section = "funding"
            unit = _MONEY_UNIT.search(line.text)
            self.sheet.record["money_unit"] = unit.group(1) if unit else _MONEY_DEFAULT
        elif first in _TEXT_LABELS or _text_prefix(first) is not None:
            self.section = "texts"
        elif _row_has(cells, _ROWS["period_goal"]):
            self.section = "goals"
            self.goals_annual_col = _index_of(cells, LABELS["evaluation_rows"]["annual_goal"])
            return True
        elif _row_has(cells, _LEVELS[0]) and _row_has(cells, _ROWS["indicator_value"]):
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
        for key in (
            "project_name",
            "competent_department",
            "implementing_unit",
            "project_attribute",
            "project_period",
        ):
            record[key] = sheet.field_of(key, _HEADER_LABELS, every=False)


_parse_target = _reader("performance_target", _TARGET_FIELDS, _TargetReader)


def _text_prefix(label: str) -> str | None:
    """The key of a text label known by how it starts (``text_prefixes``), or None."""
    return next((key for prefix, key in _TEXT_PREFIXES.items() if label.startswith(prefix)), None)


def _target_funding_row(sheet: _Sheet, line: Line) -> Record:
    """``period label | amount | annual label | amount`` (元)."""
    labels: list[int] = []
    numbers: list[tuple[int, Decimal, str]] = []
    texts: dict[int, str] = {}
    for index, cell in _nonempty(line.cells):
        if _norm(cell).startswith(_ROWS["funding"]):
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
    if key is None:
        key = _text_prefix(_norm(label))
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
    present = [(i, c) for i, c in _nonempty(line.cells) if _norm(c) != _ROWS["overall_goal"]]
    period: list[str] = []
    annual: list[str] = []
    match present:
        case [(index, text)]:
            (annual if annual_col is not None and index >= annual_col else period).append(text)
        case [(_, first), *rest]:
            period.append(first)
            annual.extend(c for _, c in rest)
    for text in period:
        sheet.add_field(_ROWS["period_goal_field"], text, line.number)
    for text in annual:
        sheet.add_field(_ROWS["annual_goal_field"], text, line.number)
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
    value = _ROWS["indicator_value"]
    wanted = (*_LEVELS, value, *_LEVELS[1:], value)
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


@dataclass(frozen=True)
class _RowCells:
    """What :func:`_block_shifts` asks of each cell of one row, worked out once per row
    (every candidate pair of shifts reads the same cells): the normalised text, and for a
    printed cell whether it counts against a shift that leaves it uncovered, whether it
    reads as a target value, its 一级 score and whether it reads as a 二级 name. Each list
    ends with one more entry, an empty cell's: the place -1 stands for a place off the row."""

    norms: list[str]
    counted: frozenset[int]
    target_like: list[bool]
    level1: list[int]
    level2: list[bool]

    @classmethod
    def of(cls, cells: Sequence[str]) -> _RowCells:
        suffix = _ROWS["level_suffix"]
        norms: list[str] = []
        counted: set[int] = set()
        target_like: list[bool] = []
        level1: list[int] = []
        level2: list[bool] = []
        for index, cell in enumerate(cells):
            text = _norm(cell) if cell else ""
            norms.append(text)
            if cell and text not in _LABEL_FRAGMENTS:
                counted.add(index)
            target_like.append(bool(cell) and _is_target_like(text))
            level1.append((1 if text in _LEVEL1_NAMES else -1) if cell else 0)
            level2.append(bool(cell) and (text.endswith(suffix) or bool(_family(cell))))
        return cls(
            [*norms, ""],
            frozenset(counted),
            [*target_like, False],
            [*level1, 0],
            [*level2, False],
        )

    def places(self, columns: Sequence[int], shift: int) -> tuple[int, ...]:
        """``columns`` moved by ``shift``; -1 for a place off the row (an empty cell)."""
        width = len(self.norms) - 1
        return tuple([c + shift if 0 <= c + shift < width else -1 for c in columns])


def _is_target_like(text: str) -> bool:
    return bool(_TARGET_LIKE.search(text)) or 0 < len(text) <= _SHORT_TARGET


def _period_score(row: _RowCells, places: tuple[int, ...]) -> int:
    """What the period block's 一级, 二级, 三级 and value cells (at ``places``) score on
    their own."""
    level1, level2, level3, value = places
    return (
        row.level1[level1] + row.level2[level2] - row.target_like[level3] + row.target_like[value]
    )


def _block_shifts(cells: Sequence[str], positions: tuple[int, ...]) -> tuple[int, int]:
    """The shifts of the implementation-period block and of the year block (most often the
    same); the year block never starts before the other block ends.

    A pair of shifts scores: -5 for each printed cell outside both blocks (but the sheet's
    row labels); +3 when the two 三级 names are alike, +2 when the two 二级 names are; +1 for
    a known 一级 name (-1 for another text); +1 for a 二级 name; -1 when the 三级 cell looks
    like a target value; +1 for each value cell that does (two names are alike when one
    starts the other). The best score wins, then the smaller shifts, then equal shifts, then
    the first (by left, then right shift)."""
    row = _RowCells.of(cells)
    norms, counted = row.norms, row.counted
    period = {shift: row.places(positions[:4], shift) for shift in _SHIFTS}
    annual = {shift: row.places(positions[4:], shift) for shift in _SHIFTS}
    own = {shift: _period_score(row, at) for shift, at in period.items()}
    # with the header's columns in order, the two blocks never share a column (the year
    # block starts after the other ends): the cells each covers can be counted apart
    apart = all(a < b for a, b in itertools.pairwise(positions))
    covered_period = {shift: len(counted.intersection(at)) for shift, at in period.items()}
    covered_annual = {shift: len(counted.intersection(at)) for shift, at in annual.items()}
    best: tuple[int, int] | None = None
    best_key: tuple[int, int, bool] | None = None
    for left, right, nearness, same in _SHIFT_PAIRS:
        if positions[3] + left >= positions[4] + right:
            continue
        _, i2, i3, _ = period[left]
        j2, j3, value = annual[right]
        if apart:
            uncovered = len(counted) - covered_period[left] - covered_annual[right]
        else:
            uncovered = len(counted.difference(period[left], annual[right]))
        score = own[left] + row.target_like[value] - 5 * uncovered
        a, b = norms[i3], norms[j3]
        if a and b and (a == b or a.startswith(b) or b.startswith(a)):
            score += 3
        a, b = norms[i2], norms[j2]
        if a and b and (a == b or a.startswith(b) or b.startswith(a)):
            score += 2
        key = (score, nearness, same)
        if best_key is None or key > best_key:
            best, best_key = (left, right), key
    if best is None:
        raise ValueError(f"no block shifts fit the header columns {positions}")
    return best


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
