"""The layout words of ``variants.yaml`` as the patterns the document reader matches.

The words themselves (the kinds 预算/决算, the scopes 部门/单位, the cover labels, the labels
of the lines under a table title) are data in ``builder/parse/variants.yaml`` (and a layout
family's additions); only the shape of each pattern is written here, so a publisher's other
word is added to the data, never to a regex.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from builder import declarations

# Amounts are published in 万元; a table printed in another unit is converted exactly.
PUBLISHED_MONEY_UNIT = declarations.PUBLISHED_MONEY_UNIT


def _in_published(unit: str) -> Decimal:
    """How many published units one ``unit`` is (万元: 1, 元: 0.0001, 亿元: 10000)."""
    yuan = declarations.yuan_per_unit()
    factor = Decimal(yuan[unit]) / Decimal(yuan[PUBLISHED_MONEY_UNIT])
    return Decimal(int(factor)) if factor == factor.to_integral_value() else factor


# Every money unit → its factor into the published unit (declarations.yuan_per_unit).
MONEY_FACTORS = {unit: _in_published(unit) for unit in declarations.yuan_per_unit()}
MONEY_SCALES = {unit: f for unit, f in MONEY_FACTORS.items() if unit != PUBLISHED_MONEY_UNIT}
CONVERTIBLE = frozenset(MONEY_FACTORS)
# The order a text naming several units is read in: the published unit first, then a longer
# unit before the 元 it ends with.
MONEY_UNITS_FIRST = (PUBLISHED_MONEY_UNIT, *sorted(MONEY_SCALES, key=len, reverse=True))


def alternation(words: Iterable[str]) -> str:
    """``words`` as a regex alternation, longest first (so 预算主管部门 wins over 主管部门)."""
    ordered = sorted(set(words), key=lambda word: (-len(word), word))
    if not ordered:
        raise ValueError("an alternation of no words")
    return "|".join(re.escape(word) for word in ordered)


@dataclass(frozen=True)
class Patterns:
    """Compiled patterns of the cover and of the lines under a table title."""

    cover_kind: re.Pattern[str]  # groups scope (optional) and kind, e.g. 单位决算
    kind_of_word: Mapping[str, str]  # 决算 → final
    cover_label: re.Pattern[str]  # 预算主管部门：… (groups label and name)
    scope_of_label: Mapping[str, str]  # 预算主管部门 → 部门
    second_cover: re.Pattern[str]  # a line 2024年度部门决算公开 after the cover
    meta_unit: re.Pattern[str]  # 单位名称：… (group name)
    meta_money: re.Pattern[str]  # 金额单位：万元 (group unit)
    meta_line: re.Pattern[str]  # a line under a title that names the unit or the money unit
    scope_prefix: re.Pattern[str]  # 区级部门 before a table's name (dropped from titles)
    unit_year_prefix: re.Pattern[str]  # …局2024年度 before a title (group rest)
    title_tail: re.Pattern[str]  # 年度 / 区级 at the end of a cover's unit name
    table_number_prefix: re.Pattern[str]  # 表1, 附表1-2 before a title
    part_heading: re.Pattern[str]  # 第三部分 情况说明 (groups n and title)
    part_boundary: re.Pattern[str]  # 第三部分, 第3部分 at a line's start (an annex ends there)
    continuation: re.Pattern[str]  # 续表 before a title, (续表) or 续 after it
    definition_split: re.Pattern[str]  # where a glossary term ends: a colon, or before 是指

    @classmethod
    def of(cls, variants: Mapping[str, Any]) -> Patterns:
        kinds: Mapping[str, list[str]] = variants["kinds"]
        kind_of_word = {word: kind for kind, words in kinds.items() for word in words}
        kind = alternation(kind_of_word)
        scope = alternation(variants["scopes"])
        labels: Mapping[str, list[str]] = variants["cover_labels"]
        scope_of_label = {label: scope for scope, words in labels.items() for label in words}
        meta: Mapping[str, list[str]] = variants["meta_labels"]
        unit_label, money_label = alternation(meta["unit_name"]), alternation(meta["money_unit"])
        money_unit = alternation(CONVERTIBLE)
        level = rf"(?:(?:{alternation(variants['admin_levels'])})级)?"
        part: Mapping[str, str] = variants["part_heading"]
        before, after = re.escape(part["before"]), re.escape(part["after"])
        marks: Mapping[str, list[str]] = variants["continuation"]
        return cls(
            cover_kind=re.compile(rf"(?P<scope>{scope})?(?P<kind>{kind})"),
            kind_of_word=kind_of_word,
            cover_label=re.compile(rf"^(?P<label>{alternation(scope_of_label)})[:：](?P<name>.*)$"),
            scope_of_label=scope_of_label,
            second_cover=re.compile(rf"^\d{{4}}\s*年度?\s*(?:{scope})?\s*(?:{kind})公开$"),
            meta_unit=re.compile(
                rf"(?:{unit_label})[:：](?P<name>.*?)"
                rf"(?=\d{{4}}\s*年|(?:{money_label})(?:[:：]|(?={money_unit}))|$)"
            ),
            meta_money=re.compile(rf"(?:{money_label})[:：](?P<unit>{money_unit})"),
            meta_line=re.compile(
                rf"^(?:{alternation([*meta['unit_name'], *meta['compiler']])}"
                rf"|(?:{money_label})(?:[:：]|(?={money_unit})))"
            ),
            scope_prefix=re.compile(rf"^{level}(?:{scope})(?=.{{4,}})"),
            unit_year_prefix=re.compile(
                rf"^.{{2,40}}?(?:19|20)\d{{2}}年度?{level}(?P<rest>(?:{scope})?.{{4,}})$"
            ),
            title_tail=re.compile(rf"(?:年度?)?{level}$"),
            table_number_prefix=re.compile(
                rf"^(?:{alternation(variants['table_number_words'])})"
                r"(?:\d+(?:[-－.]\d+)?|[一二三四五六七八九十]+)[:：.、]?(?=\D)"
            ),
            part_heading=re.compile(
                rf"^{before}(?P<n>[一二三四五六七八九十]+){after}\s*(?P<title>.*)$"
            ),
            part_boundary=re.compile(rf"^{before}[一二三四五六七八九十百\d]+{after}"),
            continuation=re.compile(
                rf"^(?:{alternation(marks['before'])})|(?:{alternation(marks['after'])})$"
            ),
            definition_split=re.compile(definition_split(variants["definition_verbs"])),
        )


def definition_split(verbs: Iterable[str]) -> str:
    """Where a glossary entry's term ends: a colon, or just before one of ``verbs`` (是指,
    是对); a verb that ends a longer one (指 of 是指) only where that one's first character
    does not come before it."""
    words = sorted(set(verbs), key=lambda word: (-len(word), word))
    parts = [r"[:：]"]
    for verb in words:
        heads = {w[: -len(verb)] for w in words if w != verb and w.endswith(verb)}
        if any(len(head) != 1 for head in heads):
            raise ValueError(f"definition verbs ending in {verb!r} must be one character longer")
        if heads:
            parts.append(rf"(?<=[^{''.join(sorted(heads))}])(?={re.escape(verb)})")
        else:
            parts.append(rf"(?={re.escape(verb)})")
    return "|".join(parts)
