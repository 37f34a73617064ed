"""Parse findings: what the parser could not understand, with the line to look at."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Issue:
    """One thing the parser noticed: a stable code, the source line and a message."""

    severity: Severity
    code: str
    line: int | None
    message: str
    table: str | None = None

    def to_json(self) -> dict[str, object]:
        return asdict(self)
