"""The text of one table cell or one plain line, as the output format writes it.

A cell's internal line breaks are joined with nothing (Chinese wraps mid-word), or with one
space when the characters on both sides are ASCII letters or digits (``Office\\nWord`` →
``Office Word``). Tabs and other whitespace controls inside become a space, other control
characters (``\\x00``, …) are dropped, so a cell never breaks its row and a plain line never
looks like a row. A row is its cells joined by tabs; a row of one cell ends with a tab.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

CELL_SEPARATOR = "\t"
_BREAK = re.compile(r"\s*\n\s*")
_WHITESPACE_CONTROL = re.compile(r"[\t\n\r\x0b\x0c\x85\u2028\u2029]")
_OTHER_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")


def is_ascii_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def join_breaks(text: str) -> str:
    """Join the lines of a wrapped cell: with a space between two ASCII letters or digits,
    with nothing elsewhere."""
    parts = _BREAK.split(text)
    joined = parts[0]
    for part in parts[1:]:
        if joined and part and is_ascii_word_char(joined[-1]) and is_ascii_word_char(part[0]):
            joined += " "
        joined += part
    return joined


def clean_text(text: str) -> str:
    """One line's text: whitespace controls become spaces, other control characters go."""
    return _OTHER_CONTROL.sub("", _WHITESPACE_CONTROL.sub(" ", text)).strip()


def cell_text(cell: str | None) -> str:
    """The printed text of a table cell (``None``, a cell covered by a merged one, is empty)."""
    if cell is None:
        return ""
    return clean_text(join_breaks(cell))


def format_row(cells: Sequence[str]) -> str | None:
    """One table row as a line of tab-separated cells; None when every cell is empty."""
    if not any(cells):
        return None
    if len(cells) == 1:
        return cells[0] + CELL_SEPARATOR
    return CELL_SEPARATOR.join(cells)
