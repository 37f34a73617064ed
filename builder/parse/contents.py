"""The table of contents and the parts of a disclosure (第一部分 … 第五部分): where the tables
part starts and ends, and which standard tables the contents announce."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from builder.parse.catalogue import (
    Catalogue,
    TableKind,
)
from builder.parse.report import Issue
from builder.sources.reading import Line

TOC_LEADER = re.compile(r"\.{3,}|…{2,}|·{3,}")


TOC_ENTRY = re.compile(r"(?:\.{3,}|…{2,}|·{3,}).*$|\t\s*\d+\s*$")


MAX_SECTION_HEADING = 40


@dataclass(frozen=True)
class Part:
    """A document part (第一部分 ...): its kind and its lines (heading excluded)."""

    kind: str | None
    heading: Line
    start: int  # index of the first line after the heading
    end: int  # index after the last line


def tables_span(
    parts: Sequence[Part], toc_end: int, size: int, issues: list[Issue]
) -> tuple[int, int]:
    """Where the tables are: the tables part, else everything after the contents."""
    table_part = next((p for p in parts if p.kind == "tables"), None)
    if table_part is not None:
        return table_part.start, table_part.end
    issues.append(
        Issue("warning", "no-tables-part", None, "no 第二部分 heading; tables searched everywhere")
    )
    return toc_end, size


def is_toc_entry(text: str) -> bool:
    return bool(TOC_ENTRY.search(text))


def read_toc(
    lines: Sequence[Line], catalogue: Catalogue, family: str
) -> tuple[int, list[TableKind]]:
    """The index after the table of contents and the tables it announces.

    The contents end where the document's first entry is printed again as a heading; or,
    when its entries carry dot leaders or page numbers, at the first part heading without
    them, or at the first page without them.
    """
    start = next(
        (i for i, ln in enumerate(lines) if catalogue.is_contents_heading(toc_text(ln, catalogue))),
        None,
    )
    if start is None:
        return 0, []
    announced: list[TableKind] = []
    first_entry: str | None = None
    leader_page: int | None = None
    index = start + 1
    for index in range(start + 1, len(lines)):
        line = lines[index]
        text = line.text.strip()
        if not text:
            continue
        entry = is_toc_entry(text) or (line.has_cells and bool(TOC_LEADER.search(text)))
        name = catalogue.name(TOC_ENTRY.sub("", text))
        if first_entry is not None and name == first_entry and not entry:
            return index, announced
        new_page = line.page is not None and line.page != leader_page
        if (
            leader_page is not None
            and not entry
            and (catalogue.patterns.part_heading.match(text) or new_page)
        ):
            return index, announced
        if entry:
            leader_page = line.page if line.page is not None else leader_page or 0
        first_entry = first_entry or name
        kind = catalogue.kind_for_title(TOC_ENTRY.sub("", text), family)
        if kind and kind not in announced:
            announced.append(kind)
    return index, announced


def toc_text(line: Line, catalogue: Catalogue) -> str:
    return catalogue.name("".join(line.cells) if line.has_cells else line.text)


def part_kind(title: str, catalogue: Catalogue) -> str | None:
    name = catalogue.name(TOC_ENTRY.sub("", title))
    for kind, markers in catalogue.variants["parts"].items():
        if any(marker in name for marker in markers):
            return str(kind)
    return None


def read_parts(lines: Sequence[Line], start: int, catalogue: Catalogue) -> list[Part]:
    """The parts (第一部分 …); a document printed without them (Shanghai's budgets) is cut
    at its section headings that name a part (…主要职能, 名词解释, …编制说明)."""
    headings = []
    for index in range(start, len(lines)):
        text = lines[index].text.strip()
        match = catalogue.patterns.part_heading.match(text)
        if match and not is_toc_entry(text):
            kind = part_kind(match["title"], catalogue)
            if kind is None and index + 1 < len(lines):  # 第三部分…情况 / 说明: wrapped
                kind = part_kind(match["title"] + lines[index + 1].text.strip(), catalogue)
            headings.append((index, kind))
    if not headings:
        headings = section_headings(lines, start, catalogue)
    parts = []
    for position, (index, kind) in enumerate(headings):
        end = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
        parts.append(Part(kind, lines[index], index + 1, end))
    return parts


def section_headings(
    lines: Sequence[Line], start: int, catalogue: Catalogue
) -> list[tuple[int, str | None]]:
    """Short plain lines that end in a part's section name (variants.yaml ``part_sections``)."""
    endings: dict[str, list[str]] = catalogue.variants["part_sections"]
    found: list[tuple[int, str | None]] = []
    for index in range(start, len(lines)):
        line = lines[index]
        name = catalogue.name(line.text)
        if line.has_cells or not name or len(name) > MAX_SECTION_HEADING or is_toc_entry(line.text):
            continue
        kind = next((k for k, ends in endings.items() if name.endswith(tuple(ends))), None)
        if kind is None:
            continue
        previous = next((i for i in range(index - 1, start - 1, -1) if lines[i].text.strip()), None)
        if found and found[-1][0] == previous and found[-1][1] == kind:
            continue  # 其他相关情况说明 / 一、“三公”经费预算情况说明: a section of that part
        found.append((index, kind))
    return found
