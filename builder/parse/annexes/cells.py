"""Annex sheets, cell by cell: what a cell reads as (a label, a number), and the record a
sheet reader fills (fields, notes, the numbers it could not place), with the sweep that lists
every numeric cell no value accounts for."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, Protocol

from builder.parse.amounts import (
    CELL_CACHE,
    AmountError,
    is_numeric_token,
    normalise_cell,
    parse_amount,
)
from builder.parse.catalogue import _load_yaml
from builder.parse.patterns import CONVERTIBLE, alternation
from builder.sources.reading import Line

AnnexKind = Literal["performance_evaluation", "performance_target"]


Record = dict[str, object]


LABELS_FILE = "labels.yaml"
LABELS: dict[str, Any] = _load_yaml(LABELS_FILE, "builder.parse.annexes")  # the sheet words
_MARKERS: tuple[tuple[str, AnnexKind], ...] = tuple(LABELS["markers"].items())


_YEAR = re.compile(r"[（(]\s*(\d{4})\s*年度?\s*[)）]")


_MONEY_UNIT = re.compile(rf"[（(]\s*({alternation(CONVERTIBLE)})\s*[)）]")


_HEADER_LABELS: dict[str, str] = LABELS["header_labels"]


@lru_cache(maxsize=CELL_CACHE)
def _norm(cell: str) -> str:
    """A cell for matching: full-width forms folded, whitespace and trailing colons removed."""
    return normalise_cell(cell).rstrip(":")


@lru_cache(maxsize=CELL_CACHE)
def _number(cell: str) -> Decimal | None:
    """The exact number a cell prints (a trailing % is allowed), or None (memoised: the
    sweep compares every cell with the values of its line)."""
    if not cell or not is_numeric_token(cell):
        return None
    text = normalise_cell(cell).removesuffix("%")
    try:
        amount = parse_amount(text)
    except AmountError:
        return None
    return amount.value if amount.kind == "number" else None


def _plain(cell: str) -> Decimal | None:
    """The number of a plain numeric cell (no percent sign), or None."""
    if "%" in cell:
        return None
    return _number(cell)


def _is_header_cell(cell: str, keyword: str) -> bool:
    """A short cell containing ``keyword`` (long narrative cells that mention it are not)."""
    text = _norm(cell)
    return keyword in text and len(text) <= len(keyword) + 10


def _row_has(cells: Sequence[str], keyword: str) -> bool:
    return any(_is_header_cell(cell, keyword) for cell in cells)


def _index_of(cells: Sequence[str], keyword: str) -> int | None:
    return next((i for i, cell in enumerate(cells) if _is_header_cell(cell, keyword)), None)


def _nonempty(cells: Sequence[str]) -> list[tuple[int, str]]:
    return [(i, cell) for i, cell in enumerate(cells) if cell]


def _text_or_none(parts: Sequence[str]) -> str | None:
    joined = " ".join(part for part in parts if part)
    return joined or None


@dataclass
class _Sheet:
    """What a sheet parser accumulates besides the record's own fields."""

    lines: Sequence[Line]
    record: Record
    fields: list[Record] = field(default_factory=list)
    notes: list[Record] = field(default_factory=list)
    unparsed: list[Record] = field(default_factory=list)

    def add_field(self, label: str | None, value: object, line: int) -> None:
        self.fields.append({"label": label, "value": value, "source_line": line})

    def add_note(self, line: int, text: str) -> None:
        self.notes.append({"text": text, "source_line": line})

    def add_unparsed(self, line: int, text: str, reason: str) -> None:
        self.unparsed.append({"line": line, "text": text, "reason": reason})

    def first_field(self, label: str) -> str | None:
        values = [f["value"] for f in self.fields if f["label"] == label]
        return _text_or_none([str(v) for v in values if v is not None])

    def field_of(self, key: str, labels: dict[str, str], *, every: bool = True) -> str | None:
        """The text of the field ``key`` read under the first of its ``labels`` that has a
        value (only the first of its labels unless ``every``)."""
        names = [label for label, name in labels.items() if name == key]
        return next(
            (t for t in map(self.first_field, names if every else names[:1]) if t is not None),
            None,
        )

    def finish(self) -> Record:
        self.record["fields"] = self.fields
        self.record["notes"] = self.notes
        self.record["unparsed"] = self.unparsed
        _sweep(self)
        return self.record


def _start(lines: Sequence[Line], kind: AnnexKind) -> tuple[_Sheet, int]:
    """A sheet with its title read; returns the sheet and the index of the first body line."""
    title_end = 0
    title_parts: list[str] = []
    for index, line in enumerate(lines[:3]):
        if "\t" in line.text:
            break
        text = line.text.strip()
        if text:
            title_parts.append(text)
        if any(text.endswith(marker) for marker, _ in _MARKERS):
            title_end = index
            break
    title = "".join(title_parts[: title_end + 1]) if title_parts else None
    record: Record = {
        "kind": kind,
        "title": title,
        "start_line": lines[0].number if lines else None,
        "end_line": lines[-1].number if lines else None,
    }
    return _Sheet(lines, record), (title_end + 1 if title_parts else 0)


def _label_values(sheet: _Sheet, line: Line, labels: dict[str, str]) -> dict[str, list[str]] | None:
    """Read a row of ``label | value | label | value``; None when it has no known label."""
    values: dict[str, list[str]] = {}
    current: str | None = None
    seen = False
    for cell in line.cells:
        if not cell:
            continue
        key = labels.get(_norm(cell))
        if key is not None:
            current, seen = key, True
            values.setdefault(key, [])
            continue
        values.setdefault(current or "", []).append(cell)
    if not seen:
        return None
    for key, cells in values.items():
        label = next((k for k, v in labels.items() if v == key), None) if key else None
        for cell in cells:
            sheet.add_field(label, cell, line.number)
    return values


def _sweep(sheet: _Sheet) -> None:
    """List every numeric cell of the sheet that no line-anchored value accounts for."""
    placed: dict[int, list[object]] = {}
    anchored: list[tuple[int, object]] = []
    _anchored_values(sheet.record, None, anchored)
    for owner, value in anchored:
        placed.setdefault(owner, []).append(value)
    for entry in sheet.unparsed:
        line = entry.get("line")
        if isinstance(line, int):
            placed.setdefault(line, []).append(entry.get("text"))
    for line in sheet.lines:
        pool = placed.get(line.number, [])
        for cell in line.cells:
            if not cell or not is_numeric_token(cell):
                continue
            match = next((i for i, value in enumerate(pool) if _same(value, cell)), None)
            if match is None:
                sheet.add_unparsed(line.number, cell, "a number the parser could not place")
            else:
                pool.pop(match)


def _anchored_values(value: object, line: int | None, found: list[tuple[int, object]]) -> None:
    """Append every value of ``value`` that has a line, with its line, in order."""
    if isinstance(value, dict):
        own = value.get("source_line", line)
        own_line = own if isinstance(own, int) and not isinstance(own, bool) else line
        for key, item in value.items():
            if key not in ("source_line", "start_line", "end_line"):
                _anchored_values(item, own_line, found)
    elif isinstance(value, list):
        for item in value:
            _anchored_values(item, line, found)
    elif line is not None and value is not None:
        found.append((line, value))


def _same(value: object, cell: str) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        if value.strip() == cell.strip():
            return True
        number = _number(value)
        return number is not None and number == _number(cell)
    if isinstance(value, (int, Decimal)):
        number = _number(cell)
        return number is not None and Decimal(value) == number
    return False


def _other_lines(sheet: _Sheet, line: Line) -> None:
    """A line without tabs inside the sheet: a note, or a number printed on its own."""
    text = line.text.strip()
    if not text:
        return
    if is_numeric_token(text):
        sheet.add_unparsed(line.number, text, "a number printed on its own line")
    else:
        sheet.add_note(line.number, text)


class _BodyReader(Protocol):
    """Reads a sheet's body line by line into the sheet's record."""

    def read(self, line: Line) -> None: ...

    def finish(self) -> None: ...


def _reader(
    kind: AnnexKind, fields: Record, body_reader: Callable[[_Sheet], _BodyReader]
) -> Callable[..., Record]:
    """A sheet's reader: the record starts with ``fields`` (lists copied), then
    ``body_reader`` reads every line after the header. Odd input is reported by the readers
    themselves (notes, unparsed numbers); nothing is caught here, so a bug fails the tests
    and the fuzzers see it."""

    def run(lines: Sequence[Line]) -> Record:
        sheet, body = _start(lines, kind)
        sheet.record.update({k: list(v) if isinstance(v, list) else v for k, v in fields.items()})
        reader = body_reader(sheet)
        for line in sheet.lines[body:]:
            reader.read(line)
        reader.finish()
        return sheet.finish()

    return run
