"""Nothing lost: count the numeric tokens in each table region and check where they landed.

A numeric token is a cell whose whole text reads as a number, or as a number with a mark no
amount may carry (``△12.00``, ``(1.00)``, ``12.00元``: a table reads such a cell as null). It
counts as *landed* when its value appears in an output row (or annex record) that carries the
same ``source_line`` (a token with no value: when its text does, kept as printed); as *header*
when it sits on a line the reader recognised as a header (column numbers such as 栏次 1 2 3);
as *placeholder* when it is the 行次 of a line with no item. Every other token is *unparsed*
and listed with its line, its page and an excerpt of the line around it (the whole line when
it is short): never the whole of a long line, since a line of thousands of cells would
otherwise be copied once per token.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import accumulate
from typing import Any

from builder.parse.amounts import AmountError, looks_like_amount, normalise_cell, parse_amount
from builder.sources.reading import Line

_SKIP_KEYS = {"row_number", "source_line", "start_line", "end_line"}
# An unparsed token's line is quoted whole up to this length; a longer line is quoted as the
# token's cell with EXCERPT_CONTEXT characters either side, cut ends marked with "…".
WHOLE_LINE = 160
EXCERPT_CONTEXT = 40


@dataclass
class Region:
    """A table or annex region: its lines and what its reader said about them."""

    name: str
    lines: Sequence[Line]
    landed: list[tuple[int, Decimal | str]] = field(default_factory=list)  # str: a text kept
    header_lines: set[int] = field(default_factory=set)
    placeholders: list[tuple[int, Decimal]] = field(default_factory=list)
    scale: Decimal = Decimal(1)  # printed unit → 万元, as the reader converted the amounts


def token_value(cell: str) -> Decimal | None:
    """The number a token stands for, or None when it is malformed."""
    try:
        amount = parse_amount(cell)
    except AmountError:
        text = normalise_cell(cell).rstrip("%")
        try:
            return Decimal(text.replace(",", "")) if text.replace(",", "").isdigit() else None
        except InvalidOperation:
            return None
    return amount.value


def excerpt(text: str, start: int, end: int) -> str:
    """The line ``text`` around ``text[start:end]``: whole when short, else a bounded window.

    >>> excerpt("a" * 100 + "\\t12.3.4\\t" + "b" * 100, 101, 107)
    '…aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\t12.3.4\\tbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb…'
    """
    if len(text) <= WHOLE_LINE:
        return text
    low = max(0, start - EXCERPT_CONTEXT)
    high = min(len(text), end + EXCERPT_CONTEXT)
    return ("…" if low else "") + text[low:high] + ("…" if high < len(text) else "")


def cell_starts(parts: Sequence[str]) -> list[int]:
    """Where each cell of a line split at its tabs (``parts``) starts in the line (worked
    out only for a line with a token to quote: most tokens land)."""
    return list(accumulate((len(part) + 1 for part in parts), initial=0))


def landed_values(records: Iterable[Any]) -> Iterator[tuple[int, Decimal | str]]:
    """Every number in ``records`` that carries a ``source_line``, recursively; a text that
    looks like an amount but has no value (``△12.00`` kept as printed) as its normalised text."""
    found: list[tuple[int, Decimal | str]] = []
    for record in records:
        _walk(record, None, found)
    yield from found


def _walk(value: Any, line: int | None, found: list[tuple[int, Decimal | str]]) -> None:
    """Append to ``found`` what :func:`landed_values` yields for ``value``, in order (a
    plain recursion that looks at leaves in place: nested generators, or a call per leaf,
    cost more than the test itself)."""
    if isinstance(value, dict):
        line = value.get("source_line", line)
        items: Iterable[Any] = [item for key, item in value.items() if key not in _SKIP_KEYS]
    elif isinstance(value, list):
        items = value
    else:
        items = (value,)
    for item in items:
        if item is None:
            continue
        if isinstance(item, (dict, list)):
            _walk(item, line, found)
        elif line is None or isinstance(item, bool):
            continue
        elif isinstance(item, (int, Decimal)):
            found.append((line, Decimal(item)))
        elif isinstance(item, str) and looks_like_amount(item):
            number = token_value(item)
            found.append((line, number if number is not None else normalise_cell(item)))


def account(region: Region) -> dict[str, Any]:
    """The coverage report of one region."""
    landed: dict[int, Counter[Decimal | str]] = defaultdict(Counter)
    for number, amount in region.landed:
        landed[number][amount] += 1
    placeholders: dict[int, Counter[Decimal]] = defaultdict(Counter)
    for number, amount in region.placeholders:
        placeholders[number][amount] += 1
    counts = Counter[str]()
    unparsed: list[dict[str, Any]] = []
    for line in region.lines:
        parts = line.text.split("\t")
        # each cell stripped (as Line.cells) with its place among the parts
        cells = enumerate(map(str.strip, parts))
        tokens = [(index, cell) for index, cell in cells if looks_like_amount(cell)]
        if not tokens:
            continue
        here = landed[line.number]
        starts: list[int] | None = None
        for index, cell in tokens:
            counts["tokens"] += 1
            value = token_value(cell)
            converted = value * region.scale if value is not None else None
            if converted is not None and here[converted] > 0:
                here[converted] -= 1
                counts["landed"] += 1
            elif value is not None and here[value] > 0:
                here[value] -= 1
                counts["landed"] += 1
            elif value is None and here[normalise_cell(cell)] > 0:
                here[normalise_cell(cell)] -= 1
                counts["landed"] += 1
            elif line.number in region.header_lines:
                counts["header"] += 1
            elif value is not None and placeholders[line.number][value] > 0:
                placeholders[line.number][value] -= 1
                counts["placeholder"] += 1
            else:
                counts["unparsed"] += 1
                starts = cell_starts(parts) if starts is None else starts
                start, end = starts[index], starts[index] + len(parts[index])
                entry: dict[str, Any] = {
                    "line": line.number,
                    "token": cell,
                    "text": excerpt(line.text, start, end),
                }
                if line.page is not None:
                    entry["page"] = line.page
                unparsed.append(entry)
    return {
        "region": region.name,
        "tokens": counts["tokens"],
        "landed": counts["landed"],
        "header": counts["header"],
        "placeholder": counts["placeholder"],
        "unparsed": unparsed,
    }
