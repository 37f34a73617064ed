"""Whether two source texts are one disclosure: its content key.

A copy of a disclosure that differs by one byte (a newline appended, another encoding, a
page marker moved) has another sha256 but the same content, and publishing both would count
the disclosure twice in every portal-wide total. :func:`content_key` hashes what makes a
disclosure: its unit, year, kind and scope, every table as parsed (standard tables with
their status and rows, tables of no standard kind with their title, header and cells) and
the performance sheets of its annexes (a copy whose sheets differ is another publication),
leaving out where things stand in the text (source lines and pages). Two texts with the same
key are the same disclosure: the build keeps the first id and skips the other
(``builder.pipeline``); ``python -m builder add`` refuses the second.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

# where, not what
POSITION_KEYS = frozenset({"source_line", "source_page", "start_line", "end_line", "page"})


def content_key(parsed: Mapping[str, Any]) -> str:
    """The sha256 of a parse's unit, year, kind, scope, tables and annex sheets, positions
    left out."""
    document = parsed["document"]
    content = {
        "unit": document["unit_name"],
        "year": document["year"],
        "kind": document["kind"],
        "scope": document["scope"],
        "tables": [
            {"kind": table["kind"], "status": table["status"], "rows": table["rows"]}
            for table in parsed["tables"]
        ],
        "other_tables": [
            {"title": table["title"], "header": table["header"], "rows": table["rows"]}
            for table in parsed["other_tables"]
        ],
        "annexes": parsed.get("annexes", {}),
    }
    text = json.dumps(without_positions(content), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def without_positions(value: Any) -> Any:
    """``value`` with every position key (``POSITION_KEYS``) dropped, at any depth, and its
    decimals as their text (what ``json.dumps(default=str)`` would write for them, told here
    in the same pass instead of by a call back from the encoder for each amount).

    The leaves of a mapping or list (text, integers, decimals: most of the values) are
    taken without a call each: the walk of a disclosure 0.90 → 0.80 ms of CPU (BENCHMARKS.md,
    "pkg-cpu2")."""
    kind = type(value)
    if kind is str or kind is int:  # the leaves, most of the values: first
        return value
    if kind is Decimal:
        return str(value)
    if kind is dict or isinstance(value, Mapping):
        return {
            k: v
            if (sort := type(v)) is str or sort is int or v is None
            else str(v)
            if sort is Decimal
            else without_positions(v)
            for k, v in value.items()
            if k not in POSITION_KEYS
        }
    if kind is list or isinstance(value, list):
        return [
            v
            if (sort := type(v)) is str or sort is int or v is None
            else str(v)
            if sort is Decimal
            else without_positions(v)
            for v in value
        ]
    return value
