"""The rules of the form family: template residue, punctuation, units and numbering of the text.

The text read is what a citizen reads: the 概况 and 情况说明 paragraphs (each with its
source line) and the printed titles of the tables. The patterns are declared in
``checks.yaml`` with each check (``patterns``: a regular expression and what it means).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any

from builder.validate.base import Disclosure, Run

NUMERALS = "一二三四五六七八九十"
HEADING_NUMBER = re.compile(r"^[（(]?(?P<number>[一二三四五六七八九十]+)[）)、]")
CONTEXT = 12  # characters quoted on each side of a match


def text_lines(doc: Disclosure) -> Iterator[tuple[int, str]]:
    """(line, text) of every paragraph of the narrative and every printed table title."""
    for part in ("overview", "explanations"):
        for section in doc.narrative.get(part, []):
            heading = section.get("heading")
            if heading:
                yield int(section["source_line"]), str(heading)
            texts = str(section.get("text") or "").split("\n")
            lines = list(section.get("lines") or [])
            for position, text in enumerate(texts):
                if text.strip():
                    line = lines[position] if position < len(lines) else section["source_line"]
                    yield int(line), text
    for entry in doc.narrative.get("glossary", []):
        yield int(entry["source_line"]), f"{entry.get('term', '')}{entry.get('definition', '')}"
    for table in doc.tables.values():
        title = table.get("printed_title")
        if title and table.get("start_line"):
            yield int(table["start_line"]), str(title)


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def excerpt(text: str, match: re.Match[str]) -> str:
    start, end = max(0, match.start() - CONTEXT), match.end() + CONTEXT
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def run_text_pattern(run: Run) -> None:
    """Each declared pattern, on every line of text; one finding per match."""
    doc = run.doc
    if doc.family not in run.check.documents:
        return
    unit = str(doc.document.get("money_unit") or "")
    patterns: list[tuple[Mapping[str, Any], re.Pattern[str]]] = [
        (pattern, compiled(str(pattern["regex"])))
        for pattern in run.check.params["patterns"]
        if not (pattern.get("money_unit") and pattern["money_unit"] != unit)
    ]
    for line, text in text_lines(doc):
        for pattern, regex in patterns:
            run.evaluated += 1
            for match in regex.finditer(text):
                quoted = excerpt(text, match)
                run.state(
                    (),
                    (line,),
                    f"第{line}行「{quoted}」：{pattern['zh']}（“{match.group(0)}”）。",
                    f"line {line}: {pattern['en']} ({match.group(0)!r}).",
                    quote=quoted,
                )


def numeral(text: str) -> int | None:
    """一 … 九十九 as an integer."""
    if not text or any(ch not in NUMERALS for ch in text):
        return None
    if "十" not in text:
        return NUMERALS.index(text) + 1 if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    high = NUMERALS.index(tens) + 1 if tens else 1
    low = NUMERALS.index(ones) + 1 if ones else 0
    return high * 10 + low


def run_section_numbering(run: Run) -> None:
    """Headings 一、二、… and （一）（二）… follow each other; a list may start again at 一."""
    doc = run.doc
    if doc.family not in run.check.documents:
        return
    for part in ("overview", "explanations"):
        last: dict[tuple[int, str | None], tuple[int, int, str]] = {}
        for section in doc.narrative.get(part, []):
            heading = str(section.get("heading") or "")
            match = HEADING_NUMBER.match(heading)
            value = numeral(match["number"]) if match else None
            if value is None:
                continue
            level = int(section.get("level") or 0)
            key = (level, section.get("parent") if level > 1 else None)
            line = int(section["source_line"])
            run.evaluated += 1
            before = last.get(key)
            last[key] = (value, line, heading)
            if before is None or value in (before[0] + 1, 1):
                continue
            run.state(
                (),
                (before[1], line),
                f"第{line}行标题「{heading}」的序号接在第{before[1]}行「{before[2]}」之后，"
                "编号不连续或重复。",
                f"line {line}: heading {heading!r} follows {before[2]!r} (line {before[1]}):"
                " the numbering skips or repeats.",
                quote=heading,
            )


RULES: dict[str, Callable[[Run], None]] = {
    "text_pattern": run_text_pattern,
    "section_numbering": run_section_numbering,
}
