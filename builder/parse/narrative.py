"""Narrative: the 概况 sections, each 情况说明 section, and the 名词解释 glossary.

Text keeps its words; extraction noise was stripped when the lines were read. Paragraphs
that a page break split mid-sentence are joined again.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from builder.parse.report import Issue
from builder.sources.reading import Line

if TYPE_CHECKING:
    from builder.parse.catalogue import Catalogue
    from builder.parse.contents import Part

HEADING_1 = re.compile(r"^[一二三四五六七八九十]+、\S")
HEADING_2 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]\s*\S")
GLOSSARY_ENTRY = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])\s*(?P<body>.+)$"
)
SENTENCE_END = "。；;！？!?:："
PARAGRAPH_END = ("。", "！", "？", "!", "?")
MAX_HEADING = 40
MIN_SPLIT = 24
WIDTH_MARGIN = 3  # characters a full printed line may fall short of the usual length
SECTION, SUBSECTION = 1, 2


def read_narrative(
    lines: Sequence[Line],
    parts: Sequence[Part],
    skip: Collection[int],
    catalogue: Catalogue,
    issues: list[Issue],
) -> dict[str, Any]:
    """Overview and explanation sections, and the glossary."""
    overview: list[dict[str, Any]] = []
    explanations: list[dict[str, Any]] = []
    glossary: list[dict[str, Any]] = []
    width = printed_width(lines)
    for part in parts:
        part_lines = [ln for ln in lines[part.start : part.end] if ln.number not in skip]
        if part.kind == "overview":
            overview.extend(read_sections(part_lines, "overview", width, catalogue))
        elif part.kind == "explanations":
            explanations.extend(read_sections(part_lines, "explanations", width, catalogue))
        elif part.kind == "glossary":
            glossary.extend(read_glossary(part_lines, issues, catalogue))
    return {"overview": overview, "explanations": explanations, "glossary": glossary}


def paragraphs(lines: Sequence[Line], width: int | None = None) -> list[tuple[int, str]]:
    """Non-empty text lines as paragraphs, rejoining those split mid-sentence.

    Text extracted from a PDF (its lines know their page) is wrapped at the printed width:
    a line as long as the page's lines that does not end a sentence runs on into the next,
    even when it starts like a heading (``（一）贯彻执行…政策；研`` / ``究拟订…``)."""
    result: list[tuple[int, str]] = []
    wrapped = False
    for line in lines:
        text = line.text.strip()
        if not text or line.has_cells:
            continue
        previous = result[-1] if result else None
        runs_on = previous and (is_split(previous[1]) or wrapped)
        if previous and runs_on and not is_heading(text):
            result[-1] = (previous[0], previous[1] + text)
        else:
            result.append((line.number, text))
        wrapped = bool(width) and len(text) >= (width or 0) and not text.endswith(PARAGRAPH_END)
    return result


def printed_width(lines: Sequence[Line]) -> int | None:
    """How long a line must be to fill the printed width of a PDF's text: the most common
    length of its long lines, less a margin (a paragraph's first line is indented, digits
    are narrower than characters); None for text that does not come from a PDF."""
    if not any(line.page is not None for line in lines):
        return None
    lengths = Counter(
        len(line.text.strip())
        for line in lines
        if not line.has_cells and len(line.text.strip()) >= MIN_SPLIT
    )
    if not lengths:
        return None
    return lengths.most_common(1)[0][0] - WIDTH_MARGIN


def is_split(text: str) -> bool:
    """A long paragraph cut mid-sentence by a page break (short lines are headings)."""
    return (
        len(text) >= MIN_SPLIT and not text.endswith(tuple(SENTENCE_END)) and not is_heading(text)
    )


def is_heading(text: str) -> bool:
    return (
        len(text) <= MAX_HEADING
        and bool(HEADING_1.match(text) or HEADING_2.match(text))
        and "。" not in text
    )


def read_sections(
    lines: Sequence[Line], part: str, width: int | None, catalogue: Catalogue
) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = []
    parent: str | None = None
    current: dict[str, Any] | None = None
    for number, text in paragraphs(lines, width):
        if is_heading(text):
            level = SECTION if HEADING_1.match(text) else SUBSECTION
            if level == SECTION:
                parent = text
            current = {
                "part": part,
                "heading": text,
                "level": level,
                "parent": parent if level == SUBSECTION else None,
                "kind": section_kind(text, catalogue),
                "text": "",
                "source_line": number,
                "lines": [],
            }
            sections.append(current)
            continue
        if current is None:
            current = {
                "part": part,
                "heading": None,
                "level": 0,
                "parent": None,
                "kind": None,
                "text": "",
                "source_line": number,
                "lines": [],
            }
            sections.append(current)
        current["lines"].append(number)
        current["text"] = f"{current['text']}\n{text}" if current["text"] else text
    return sections


def section_kind(heading: str, catalogue: Catalogue) -> str | None:
    """What a section is about, by the words of its heading (variants ``section_kinds``:
    职责 → mandate, 机构设置 → organisation), the first kind that matches."""
    kinds: dict[str, list[str]] = catalogue.variants["section_kinds"]
    return next((kind for kind, words in kinds.items() if any(w in heading for w in words)), None)


def read_glossary(
    lines: Sequence[Line], issues: list[Issue], catalogue: Catalogue
) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for number, text in paragraphs(lines):
        match = GLOSSARY_ENTRY.match(text)
        if match:
            term, definition = split_definition(match["body"], catalogue)
            entries.append({"term": term, "definition": definition, "source_line": number})
        elif entries and not entries[-1]["definition"]:
            entries[-1]["definition"] = text
        elif entries and not entries[-1]["definition"].endswith(tuple(SENTENCE_END)):
            entries[-1]["definition"] += text
        else:
            issues.append(
                Issue(
                    "info",
                    "glossary-stray-text",
                    number,
                    f"text not attached to a term: {text[:40]!r}",
                )
            )
    return entries


def split_definition(body: str, catalogue: Catalogue) -> tuple[str, str]:
    """A glossary entry's term and definition, split at a colon or before a definition verb
    (variants ``definition_verbs``: 是指, 是对, 指)."""
    match = catalogue.patterns.definition_split.search(body)
    if not match:
        return body.strip(), ""
    term = body[: match.start()].strip()
    rest = body[match.end() :] if match.group(0) in ":：" else body[match.start() :]
    return term, rest.strip()
