"""Amount cells: exact decimals as printed, with empty and not-applicable kept apart.

A printed cell is one of three things: empty (no amount), a number (kept as an exact
``Decimal``, never a float), or a dash run such as ``——`` meaning "not applicable".
Anything else is not an amount and raises :class:`AmountError` with the raw text, and so
does a number longer than any amount (more than :data:`MAX_WHOLE_DIGITS` digits before the
point or :data:`MAX_DECIMALS` after it): exact arithmetic on it would overrun the 28 digits
of the decimal context in the audit's sums.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

CellKind = Literal["empty", "number", "not_applicable"]

# The longest amount taken: 16 digits before the point (a whole national budget in 元 has
# 14) and 6 after it (amounts print 2, sometimes 3). Converted to 万元 (元: 4 more decimals,
# 亿元: 4 more whole digits), a sum of up to 10,000 of them stays exact in 28 digits.
MAX_WHOLE_DIGITS = 16
MAX_DECIMALS = 6

NOT_APPLICABLE = "——"

_DASH_RUN = re.compile(r"^[-‐‑‒–—―]+$")  # after NFKC, full-width "－" is "-"
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?\d+(\.\d+)?$")
_NUMERIC_LOOKING = re.compile(r"^[+-]?[\d,.]*\d[\d,.]*%?$")
# A number with a mark no amount cell may carry: △/▲/▽/▼ (a decrease or increase), a minus
# sign U+2212, parentheses (an accounting negative) or a money unit after it (12.00元).
_AMOUNT_LOOKING = re.compile(r"^[+\-−△▲▽▼]*\(?[+\-−]?[\d,.]*\d[\d,.]*\)?(?:%|[千万亿]?元)?$")


class AmountError(ValueError):
    """A cell that should hold an amount holds something else."""

    def __init__(self, raw: str, reason: str) -> None:
        super().__init__(f"not an amount: {raw!r} ({reason})")
        self.raw = raw
        self.reason = reason


@dataclass(frozen=True)
class Amount:
    """One parsed amount cell."""

    kind: CellKind
    value: Decimal | None = None

    def to_json(self) -> str | None:
        """Exact text for JSON: the decimal as printed, ``"——"`` or ``None``."""
        if self.kind == "number":
            return str(self.value)
        if self.kind == "not_applicable":
            return NOT_APPLICABLE
        return None


EMPTY = Amount("empty")


CELL_CACHE = 1 << 16  # distinct cells remembered: table texts repeat a great deal


@lru_cache(maxsize=CELL_CACHE)
def normalise_cell(raw: str) -> str:
    """Full-width forms to ASCII (NFKC) and all whitespace removed (memoised: it is called
    for every cell several times over)."""
    text = unicodedata.normalize("NFKC", raw)
    return "".join(text.split())


@lru_cache(maxsize=CELL_CACHE)
def parse_amount(raw: str) -> Amount:
    """Parse one printed amount cell exactly (memoised: the table readers, the annexes and
    the coverage count each read the same cells).

    >>> parse_amount("5, 256. 96").value
    Decimal('5256.96')
    >>> parse_amount("").kind
    'empty'
    >>> parse_amount("——").kind
    'not_applicable'
    """
    text = normalise_cell(raw)
    if not text:
        return EMPTY
    if _DASH_RUN.match(text):
        return Amount("not_applicable")
    if _GROUPED.match(text) or _PLAIN.match(text):
        digits = text.replace(",", "").lstrip("+-")
        whole, _, decimals = digits.partition(".")
        if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
            raise AmountError(raw, f"more than {MAX_WHOLE_DIGITS} digits before the point")
        if len(decimals) > MAX_DECIMALS:
            raise AmountError(raw, f"more than {MAX_DECIMALS} decimals")
        try:
            return Amount("number", Decimal(text.replace(",", "")))
        except InvalidOperation as exc:  # pragma: no cover - the regexes admit only valid text
            raise AmountError(raw, "invalid decimal") from exc
    if _NUMERIC_LOOKING.match(text):
        raise AmountError(raw, "malformed number")
    raise AmountError(raw, "not a number")


@lru_cache(maxsize=CELL_CACHE)
def is_numeric_token(raw: str) -> bool:
    """True when a cell's whole text reads as a number (the unit the coverage report counts;
    memoised: every reader asks it of the same cells)."""
    text = normalise_cell(raw)
    return bool(_NUMERIC_LOOKING.match(text))


@lru_cache(maxsize=CELL_CACHE)
def looks_like_amount(raw: str) -> bool:
    """True when a cell is a numeric token or a number with a mark (``△12.00``, ``(1.00)``,
    ``12.00元``): what the coverage report counts, since a table turns such a cell into null.

    >>> [looks_like_amount(c) for c in ("5, 256. 96", "△12.00", "（1.00）", "12.00元", "≤5万元")]
    [True, True, True, True, False]
    """
    return is_numeric_token(raw) or bool(_AMOUNT_LOOKING.match(normalise_cell(raw)))


def parse_count(raw: str) -> int | None:
    """Parse a count cell (vehicles, equipment): a whole number or empty."""
    amount = parse_amount(raw)
    if amount.kind == "empty":
        return None
    if (
        amount.kind != "number"
        or amount.value is None
        or amount.value != amount.value.to_integral()
    ):
        raise AmountError(raw, "not a whole count")
    return int(amount.value)
