"""The cover of a disclosure: unit, year, kind (预算/决算) and scope (部门/单位), however the
title is split over lines or labelled; the layout words come from ``variants.yaml``
(``builder.parse.patterns``). A second cover later in the file is refused."""

from __future__ import annotations

import re
from typing import Any

from builder.errors import DisclosureError
from builder.parse.catalogue import (
    load_catalogue,
)
from builder.sources.reading import Line, SourceText

# A year is four digits on their own (第01900号 holds none); the cover's is the first followed
# by 年, else the first on its own (第2023中学 2024年度: 2024).
YEAR_TOKEN = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(年)?")

# The title's year left in the text before 预算/决算: with 年, or ending it.
YEAR_IN_TITLE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?:年度?|$)")


COVER_LINES = 12


def read_cover(source: SourceText) -> dict[str, Any]:
    """Unit, year, kind and scope from the cover, however its title is split over lines.

    The cover is the first non-empty lines before the table of contents or the first part
    heading. A label line (``预算主管部门：…``, ``单位名称：…``) names the unit; otherwise the unit
    is the title's text before the year or the kind. The year may stand on a line of its own.
    """
    catalogue = load_catalogue()
    patterns = catalogue.patterns
    title_lines: list[Line] = []
    labels: list[tuple[str, str]] = []
    first: Line | None = None
    for line in source.lines:
        text = "".join(line.cells) if line.has_cells else line.text.strip()
        if not text:
            continue
        first = first or line
        compact = catalogue.name(text)
        if catalogue.is_contents_heading(compact) or patterns.part_heading.match(compact):
            break
        label = patterns.cover_label.match(compact)
        if label:
            labels.append((label["label"], label["name"]))
        else:
            title_lines.append(line)
        if len(title_lines) + len(labels) >= COVER_LINES:
            break
    title = "".join(("".join(ln.cells) if ln.has_cells else ln.text.strip()) for ln in title_lines)
    compact = "".join(title.split())
    kinds = list(patterns.cover_kind.finditer(compact))
    years = [year for year, nian in YEAR_TOKEN.findall(compact) if nian] or [
        year for year, _ in YEAR_TOKEN.findall(compact)
    ]
    if not kinds or not years:
        raise DisclosureError(
            source.path,
            first.number if first else None,
            "not a disclosure: no cover title with a year and 预算 or 决算"
            " (such as 2024年度部门决算公开) in the first lines",
            "the file should be a 部门预算/决算公开 document (PDF, or its text)",
        )
    kind_match = kinds[0]
    kind_line = next(ln for ln in title_lines if kind_match["kind"] in "".join(ln.text.split()))
    scope = kind_match["scope"] or next(
        (patterns.scope_of_label[label] for label, _ in labels), None
    )
    unit = next((name for _, name in labels if name), None)
    if unit is None:
        before = compact[: kind_match.start()]
        before = patterns.title_tail.sub("", YEAR_IN_TITLE.sub("", before))
        unit = before or None
    return {
        "unit_name": unit,
        "year": int(years[0]),
        "scope": scope,
        "kind": patterns.kind_of_word[kind_match["kind"]],
        "kind_zh": kind_match["kind"],
        "title": title,
        "line": kind_line.number,
    }


def refuse_second_disclosure(source: SourceText, cover_line: int) -> None:
    """Two disclosures in one file would mix their tables: name the line where the second
    one starts and ask for the file to be split."""
    second_cover = load_catalogue().patterns.second_cover
    for line in source.lines[cover_line:]:
        if not line.has_cells and second_cover.match(line.text.strip().replace(" ", "")):
            raise DisclosureError(
                source.path,
                line.number,
                f"a second disclosure starts here ({line.text.strip()}); "
                f"the first starts at line {cover_line}",
                "split the file into one disclosure per file",
            )
