"""The graded indicator rows shared by both sheets (一级/二级/三级指标, targets, 分值 and
得分): the layout their header gives, merged cells carried down, weight and score anchored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from builder.parse.amounts import CELL_CACHE
from builder.parse.annexes.cells import (
    LABELS,
    Record,
    _index_of,
    _is_header_cell,
    _nonempty,
    _norm,
    _plain,
    _row_has,
    _text_or_none,
)
from builder.sources.reading import Line

# Cells that are the sheet's own row labels (or pieces of them split by a page break),
# never indicator names.
_LABEL_FRAGMENTS = frozenset(LABELS["label_fragments"])


_LEVEL1_NAMES = frozenset(LABELS["level1_names"])


_INDICATOR_TARGETS: tuple[tuple[str, str], ...] = tuple(LABELS["indicator_targets"].items())


_COLUMNS: dict[str, str] = LABELS["indicator_columns"]  # 分值, 得分, 定性


_FAMILIES: dict[str, dict[str, list[str]]] = LABELS["families"]


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


def _indicator_layout(cells: Sequence[str]) -> _IndicatorLayout:
    targets = tuple(name for keyword, name in _INDICATOR_TARGETS if _row_has(cells, keyword))
    qualitative = sum(1 for c in cells if _is_header_cell(c, _COLUMNS["qualitative"]))
    return _IndicatorLayout(
        targets=targets or ("initial_target", "adjusted_target", "actual"),
        weight_col=_index_of(cells, _COLUMNS["weight"]),
        score_col=next((i for i, c in enumerate(cells) if _norm(c) == _COLUMNS["score"]), None),
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


@lru_cache(maxsize=CELL_CACHE)
def _family(name: str | None) -> str | None:
    """The 一级指标 a level name belongs to, when its words say so unambiguously (memoised:
    the same names come back on every row and every sheet)."""
    if not name:
        return None
    text = _norm(name)
    for family, rule in _FAMILIES.items():
        if text in rule.get("except", ()):
            continue
        if any(word in text for word in rule["words"]) or any(
            text.startswith(prefix) for prefix in rule.get("prefixes", ())
        ):
            return family
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
