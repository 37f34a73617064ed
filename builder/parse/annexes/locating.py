"""Where each annex sheet of a document starts and ends (:func:`locate_annexes`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from builder.parse.amounts import (
    normalise_cell,
)
from builder.parse.annexes.cells import _HEADER_LABELS, _MARKERS, _YEAR, AnnexKind
from builder.parse.catalogue import load_catalogue
from builder.sources.reading import Line

_FOLLOW_WINDOW = 8  # a real sheet prints its 项目名称 row within this many lines of the title


# The label of the project name row (header_labels), which follows a real sheet's title.
_PROJECT_NAME = next(label for label, key in _HEADER_LABELS.items() if key == "project_name")


_NARRATIVE_HEADING = re.compile(r"^[一二三四五六七八九十百]+、")


@dataclass(frozen=True)
class AnnexRegion:
    """One annex sheet: its kind, its title as printed and its 1-based line span."""

    kind: AnnexKind
    title: str
    start_line: int
    end_line: int


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
        return normalise_cell(first).startswith(_PROJECT_NAME)
    return False


def _is_boundary(line: Line) -> bool:
    text = line.text.strip()
    if not text:
        return False
    if load_catalogue().patterns.part_boundary.match(text):  # 第三部分 (variants part_heading)
        return True
    return "\t" not in line.text and bool(_NARRATIVE_HEADING.match(text))
