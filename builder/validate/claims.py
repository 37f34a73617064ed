"""Claims: the figures a 情况说明 states, read from its sentences (no language model).

A paragraph is read left to right. Every amount (``6,382.69万元``), percentage (``92.20%``)
and count (``3辆``) is a :class:`Figure`; the text just before it says what kind of figure it
is (a change after 增加/减少, a rate after 增长/下降, a share after 占, an execution rate after
完成…预算的, a budget after 年初预算/全年预算) and what it is about: its *subject*, the longest
declared alias found in that text, or else the subject of the figure before it in the same
sentence (``因公出国（境）费支出69.56万元，完成全年预算的100.00%，比上年度减少35.73万元``: all
three figures are about 因公出国（境）费). Recognising subjects is the caller's business
(:func:`read_figures` takes the aliases); this module only reads.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from builder.parse.patterns import CONVERTIBLE, alternation

COUNT_UNITS = ("辆", "个", "人次", "批次")
FIGURE = re.compile(
    r"(?P<number>-?\d[\d,，]*(?:\.\d+)?)\s*"
    rf"(?P<unit>{alternation([*CONVERTIBLE, '%', '％', *COUNT_UNITS])})"
)
CLAUSE_BREAK = re.compile(r"[，,。；;：:、\n（）()]")
SENTENCE_BREAK = re.compile(r"[。；;\n]")
UP_WORDS = ("增加", "增长", "上升", "提高", "多")
DOWN_WORDS = ("减少", "下降", "降低", "减", "少")
CHANGE_TAIL = re.compile(r"(增加|增长|上升|提高|减少|下降|降低)了?$")
SHARE = re.compile(r"占(?P<whole>[^，。；%％\d]*?)的?(比重|比例|比)?(为|是)?$")
EXECUTION = re.compile(r"完成(?P<which>年初|全年|调整)?预算(数)?的?$")
BUDGET_ROLE = re.compile(r"(年初预算|全年预算|调整预算|预算数)(为|是|数)?$")
FINAL_ROLE = re.compile(r"(支出决算|决算数|决算)(为|是|数)?$")
PERCENT_ROLES = (("execution", EXECUTION), ("share", SHARE))
AMOUNT_ROLES = (("budget", BUDGET_ROLE), ("final", FINAL_ROLE))
MIN_WORD = 2  # Han characters left over that make a word of their own
REASON = re.compile(r"原因|由于|因为|因|系|主要是|用于")
NEUTRAL = re.compile(r"持平|相同|无变化|无增减|不变")
ROLE_WORDS = (
    r"(年初预算|全年预算|调整预算|预算数|预算执行数|支出决算|决算数|决算|预算|完成|的|"
    r"比上年度?|较上年度?|比\d{4}年度?|较\d{4}年度?|与上年相比|与\d{4}年度?相比|同比|"
    r"增加|减少|增长|下降|占比|占|为|是|支出|收入|共|计|合计|了|上年|同期|其中|达到|达|约|"
    r"总额|金额|安排|执行数|当年|本年度?|全年|年度|年|\d+|决算表|主要原因是)"
)
LEAD_WORDS = rf"用于|主要|包括|以及|及|和|本部门|本单位|部门|单位|{ROLE_WORDS}"
LEAD = re.compile(rf"^({LEAD_WORDS})*$")
LEAD_NAMES = 64  # lead names (units) whose patterns are kept compiled
_ROLE_WORD = re.compile(ROLE_WORDS)
PUNCTUATION = re.compile(r"[，,。；;：:、（）()\s/]")
HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Figure:
    """One number of a sentence, with what the text says it is."""

    value: Decimal
    unit: str  # 万元, %, 辆, ...
    role: str  # amount, budget, final, change, rate, share, execution, count
    direction: int  # +1 增加/增长, -1 减少/下降, 0 otherwise
    subject: str | None  # the declared subject it speaks of
    whole: str | None  # for a share: the subject named after 占 (None: the section's lead)
    line: int
    sentence: str
    start: int  # offset in the paragraph
    decimals: int

    @property
    def text(self) -> str:
        return f"{self.value}{self.unit}"


def number(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None


def decimals_of(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


_SPACES_AND_QUOTES = re.compile(r"[\s“”\"'‘’「」]")


def normalise(text: str) -> str:
    """The text as aliases are matched: no spaces or quotes, ASCII parentheses."""
    text = _SPACES_AND_QUOTES.sub("", text)
    return text.replace("（", "(").replace("）", ")")


def sentences(paragraph: str) -> list[tuple[int, str]]:
    """(offset, sentence) of a paragraph, split at 。；and line ends."""
    result, start = [], 0
    for match in SENTENCE_BREAK.finditer(paragraph):
        if match.start() > start:
            result.append((start, paragraph[start : match.end()]))
        start = match.end()
    if start < len(paragraph):
        result.append((start, paragraph[start:]))
    return result


def longest_alias(text: str, aliases: Mapping[str, str]) -> tuple[int, str] | None:
    """(position, alias) of the longest alias in the text, the last one on ties."""
    return _longest(text, by_length(aliases))


def by_length(aliases: Iterable[str]) -> list[str]:
    """The aliases, longest first (the order :func:`_longest` looks them up in)."""
    return sorted(aliases, key=len, reverse=True)


def _longest(text: str, ordered: Sequence[str]) -> tuple[int, str] | None:
    """:func:`longest_alias` over aliases sorted longest first: no shorter alias is tried
    once one is found (two aliases of one length cannot start at the same place)."""
    best: tuple[int, str] | None = None
    for alias in ordered:
        if best is not None and len(alias) < len(best[1]):
            break
        position = text.rfind(alias)
        if position >= 0 and (best is None or position > best[0]):
            best = (position, alias)
    return best


def classify(prefix: str, unit: str) -> tuple[str, int]:
    """The role and direction of a figure from the text just before it."""
    tail = CHANGE_TAIL.search(prefix)
    if unit in COUNT_UNITS:
        role, direction = "count", 0
    elif tail:
        direction = 1 if tail.group(1) in UP_WORDS else -1
        role = "rate" if unit == "%" else "change"
    elif unit == "%":
        role = next((r for r, pattern in PERCENT_ROLES if pattern.search(prefix)), "percent")
        direction = 0
    else:
        role = next((r for r, pattern in AMOUNT_ROLES if pattern.search(prefix)), "amount")
        direction = 0
    return role, direction


def read_figures(
    paragraph: str,
    line: int,
    aliases: Mapping[str, str],
    carry: Sequence[str] = (),
    lead_name: str = "",
) -> list[Figure]:
    """Every figure of one paragraph, in order.

    ``aliases`` maps each normalised alias to its subject. A figure is about the alias named
    just before it, when only role words (预算、决算、比上年增加 …) stand between the two and
    the alias starts its clause (after lead words such as a year, or ``lead_name``: the unit's);
    about the subject of the figure before it when nothing but role words separates them;
    and about nothing known otherwise (``主要包括办公费3.08万元``: a detail, not a total). A
    change after 其中 speaks of the sentence's first subject, not of the last detail. A
    ``carry`` prefix named once (财政拨款收入总计…，支出总计…) carries to the aliases after it."""
    ordered = by_length(aliases)
    figures: list[Figure] = []
    for offset, text in sentences(paragraph):
        subject: str | None = None
        first_subject: str | None = None
        carried = ""
        last_end = 0
        # where each clause of the sentence starts (after a one-character break)
        breaks = [m.end() for m in CLAUSE_BREAK.finditer(text)]
        for match in FIGURE.finditer(text):
            value = number(match["number"])
            if value is None or _skipped(text, match):
                continue
            before = text[: match.start()]
            clause_start = (
                breaks[index - 1] if (index := bisect_right(breaks, match.start())) else 0
            )
            clause = normalise(before[max(clause_start, last_end) :])
            unit = match["unit"].replace("％", "%")
            role, direction = classify(clause, unit)
            between = normalise(before[last_end:])
            whole = None
            if role == "share":
                share = SHARE.search(clause)
                found = _longest(share["whole"], ordered) if share else None
                whole = aliases[found[1]] if found else None
            else:
                named = _longest(between, ordered)
                if named is not None:
                    position, alias = named
                    head = between[:position]
                    head = head[max((m.end() for m in CLAUSE_BREAK.finditer(head)), default=0) :]
                    tail = between[position + len(alias) :]
                    if only_role_words(tail) and _leads(_bare(head), lead_name):
                        subject = aliases[alias]
                        if carried and not alias.startswith(carried):
                            subject = aliases.get(carried + alias, subject)
                        carried = next((p for p in carry if alias.startswith(p)), carried)
                    else:
                        subject = None
                elif not only_role_words(between):
                    subject = None
                elif role in ("change", "rate") and "其中" in normalise(before):
                    subject = first_subject
                if first_subject is None:
                    first_subject = subject
            figures.append(
                Figure(
                    value=value,
                    unit=unit,
                    role=role,
                    direction=direction,
                    subject=subject,
                    whole=whole,
                    line=line,
                    sentence=text.strip(),
                    start=offset + match.start(),
                    decimals=decimals_of(match["number"]),
                )
            )
            last_end = match.end()
    return figures


def _leads(text: str, name: str) -> bool:
    """Whether the text is nothing but lead words (:data:`LEAD_WORDS`) and ``name``, the
    unit's (one pattern of both would be compiled anew for every disclosure: it is
    compiled only for a text that holds the name and is not lead words alone)."""
    if LEAD.match(text):
        return True
    return bool(name) and name in text and _lead_pattern(name).match(text) is not None


@lru_cache(maxsize=LEAD_NAMES)
def _lead_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"^({re.escape(name)}|{LEAD_WORDS})*$")


def _bare(text: str) -> str:
    return PUNCTUATION.sub("", text)


def only_role_words(text: str) -> bool:
    """Whether nothing but role words and punctuation stands in the text."""
    rest = _ROLE_WORD.sub("", _bare(text))
    return len(HAN.findall(rest)) < MIN_WORD


def _skipped(text: str, match: re.Match[str]) -> bool:
    """Not a figure of the accounts: ``12个月``, ``单价100万元（含）以上``."""
    after = text[match.end() : match.end() + 4]
    if match["unit"] == "个" and after.startswith("月"):
        return True
    return after.startswith(("（含）", "(含)", "以上", "以下"))


# --------------------------------------------------------------------------- arithmetic

HALF_CENT = Decimal("0.005")
HUNDRED = Decimal(100)


def rounding_half(decimals: int) -> Decimal:
    """Half a unit of the last printed decimal: the most rounding can move a figure."""
    return Decimal(1).scaleb(-decimals) / 2


def ratio_bounds(
    part: Decimal, whole: Decimal, spread: Decimal = HALF_CENT
) -> tuple[Decimal, Decimal] | None:
    """The lowest and highest part/whole × 100 when both were rounded to ±``spread``."""
    low_whole, high_whole = whole - spread, whole + spread
    if low_whole <= 0:
        return None
    low = max(part - spread, Decimal(0)) / high_whole * HUNDRED
    high = (part + spread) / low_whole * HUNDRED
    return low, high


def percent_agrees(stated: Decimal, decimals: int, bounds: tuple[Decimal, Decimal]) -> bool:
    """Whether a stated percentage can be the rounding of a ratio within ``bounds``."""
    half = rounding_half(decimals)
    return bounds[0] - half <= stated <= bounds[1] + half


def rounded(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def has_reason(texts: Iterable[str]) -> bool:
    return any(REASON.search(text) for text in texts)


def neutral(text: str) -> bool:
    return bool(NEUTRAL.search(text))


def first(figures: Sequence[Figure], role: str) -> Figure | None:
    return next((figure for figure in figures if figure.role == role), None)
