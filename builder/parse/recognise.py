"""Tables recognised by their content when their title is a variant never seen.

A title-like line (short, ending in 表) followed by table rows starts a table. When its title
names no known kind, the table's header words and the shape of its rows decide: each kind of
the document's family is tried, scored by the share of the printed value columns its amount
columns name (``columns.read_header`` and ``columns.map_columns``), and must fit the shape of
the rows
(classification codes for a classified table, both sides for a two-sided one). The title's
characters in common with the kind's titles break a tie. A table no kind fits is kept as a
generic table (title, header and rows as printed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from builder.parse.amounts import is_numeric_token
from builder.parse.catalogue import Catalogue, TableKind
from builder.parse.columns import (
    Header,
    Target,
    join_code,
    map_columns,
    read_header,
)
from builder.parse.tables import CODE
from builder.sources.reading import Line

TITLE_LIKE = re.compile(r"^[^，。；：:,;]{4,40}表$")
MIN_SHARE = 0.6  # of the printed value columns the kind's amount columns must name
MIN_AMOUNTS = 2
ROWS_AHEAD = 4  # a title is followed by table rows within this many non-empty lines


@dataclass(frozen=True)
class Recognition:
    """The kind a table's content fits best, and the evidence."""

    kind: TableKind
    share: float
    columns: int
    evidence: str


def is_title_like(text: str, catalogue: Catalogue) -> bool:
    name = strip_continuation(catalogue.title_name(text), catalogue)
    return bool(TITLE_LIKE.match(name)) and not catalogue.is_note(name)


def strip_continuation(name: str, catalogue: Catalogue) -> str:
    """A title without the marks of a table continued on another page (variants
    ``continuation``: 续表 before it, (续表) or 续 after it)."""
    return catalogue.patterns.continuation.sub("", name)


def rows_follow(lines: Sequence[Line], index: int, end: int) -> bool:
    """Table rows begin within a few non-empty lines after ``index``."""
    seen = 0
    for line in lines[index + 1 : end]:
        if not line.text.strip():
            continue
        if line.has_cells:
            return True
        seen += 1
        if seen >= ROWS_AHEAD:
            return False
    return False


def recognise(
    body: Sequence[Line], title: str, catalogue: Catalogue, family: str
) -> Recognition | Sequence[TableKind]:
    """The best-fitting kind, or the tied kinds (none, or several) when no kind wins."""
    scored: list[tuple[float, int, float, TableKind]] = []
    for kind in catalogue.family(family):
        fit = fit_of(kind, body, catalogue)
        if fit is None:
            continue
        share, columns = fit
        scored.append((share, columns, title_overlap(title, kind), kind))
    if not scored:
        return ()
    scored.sort(key=lambda s: (s[0], s[1], s[2]), reverse=True)
    best = scored[0]
    tied = [s for s in scored if (s[0], s[1], s[2]) == (best[0], best[1], best[2])]
    if len(tied) > 1:
        return [s[3] for s in tied]
    share, columns, overlap, kind = best
    evidence = (
        f"header names {columns} of its amount columns ({share:.0%})"
        f"; title shares {overlap:.0%} of its characters"
    )
    return Recognition(kind, share, columns, evidence)


def fit_of(kind: TableKind, body: Sequence[Line], catalogue: Catalogue) -> tuple[float, int] | None:
    """How well ``kind`` reads the body: the share of the printed value columns that its
    amount columns name, and how many; None if the rows do not have the kind's shape."""
    header = read_header(kind, body, catalogue)
    if not header.rows:
        return None
    mapped = map_columns(kind, header.paths, catalogue)
    if mapped is None:
        return None
    mapping, _ = mapped
    amounts = set(kind.amount_fields)
    named = {(t.group, t.column) for t in mapping.values() if t.column in amounts}
    labels = {i for i, t in mapping.items() if t.column not in amounts}
    printed = [i for i, path in enumerate(header.paths) if any(path) and i not in labels]
    share = len(named) / len(printed) if printed else 0.0
    if share < MIN_SHARE or len(named) < min(MIN_AMOUNTS, declared_amounts(kind)):
        return None
    if kind.layout == "two_sided":
        sides = {t.group for t in mapping.values() if t.column in amounts}
        if len(sides) < len(kind.columns):
            return None
    if kind.layout == "classified" and not has_codes(header, mapping, catalogue):
        return None
    return share, len(named)


def declared_amounts(kind: TableKind) -> int:
    amounts = set(kind.amount_fields)
    if isinstance(kind.columns, dict):
        return sum(1 for cols in kind.columns.values() for c in cols if c in amounts)
    return sum(1 for c in kind.columns if c in amounts)


def has_codes(header: Header, mapping: dict[int, Target], catalogue: Catalogue) -> bool:
    """The header names a code column, and the data rows (if any) carry codes in it."""
    code_columns = sorted(i for i, t in mapping.items() if t.column.endswith("_code"))
    if not code_columns:
        return False
    rows = header.data[header.first_data :] if header.first_data is not None else []
    coded = False
    for _, cells in rows:
        parts = [cells[i] for i in code_columns if i < len(cells)]
        coded = coded or bool(CODE.match(join_code(parts, catalogue)))
    amounts = any(is_numeric_token(c) for _, cells in rows for c in cells)
    return coded or not amounts


def title_overlap(title: str, kind: TableKind) -> float:
    """Characters of ``title`` found in the kind's best-matching title, as a share."""
    chars = set(title)
    if not chars:
        return 0.0
    return max(len(chars & set(t)) / len(chars | set(t)) for t in kind.titles)
