"""Characters put on their baseline, so that a line mixing fonts stays one line.

pdfplumber groups characters into lines by the tops of their glyph boxes, within 3 points.
A line that mixes fonts (FangSong for the Chinese, Times New Roman for the digits, as the
Shanghai PDFs print their narrative) has boxes of different heights on one baseline: on
page 21 of the final accounts the digits' tops are 4.9 points lower, so every amount of a
sentence fell onto a line of its own (``2024  2995.39  2023`` below ``…年度收入支出总计
万元。与 年度相比``). Text lines and cell texts are therefore read from copies of the
characters whose box ends on the baseline (``matrix`` gives it); positions across the line
and the characters themselves are unchanged. Rotated and vertical characters are left as
they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

Char = dict[str, Any]


def on_baseline(char: Char) -> Char:
    """A copy of ``char`` whose box (as high as before) ends on its baseline."""
    _, b, c, _, _, baseline = char["matrix"]
    if not char.get("upright") or b or c:
        return char
    height = char["bottom"] - char["top"]
    shift = char["y1"] - baseline - height  # the top moves by this much
    if not shift:
        return char
    return {
        **char,
        "top": char["top"] + shift,
        "bottom": char["bottom"] + shift,
        "doctop": char["doctop"] + shift,
        "y0": char["y0"] - shift,
        "y1": char["y1"] - shift,
    }


def aligned(chars: Iterable[Char]) -> list[Char]:
    return [on_baseline(char) for char in chars]
