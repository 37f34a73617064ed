"""Parse findings: what the parser could not understand, with the line to look at.

Every issue code is declared once, with its explanation in Chinese and English, in
``builder/parse/issues.yaml``; an issue with an undeclared code is refused when it is made.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import Literal

from builder.declarations import load_yaml

Severity = Literal["error", "warning", "info"]
ISSUES_FILE = "issues.yaml"


@dataclass(frozen=True)
class IssueCode:
    """One declared issue code and what it means."""

    code: str
    explanation_zh: str
    explanation_en: str


@cache
def issue_codes() -> dict[str, IssueCode]:
    """The declared issue codes (``issues.yaml``), in declaration order."""
    text = resources.files("builder.parse").joinpath(ISSUES_FILE).read_text(encoding="utf-8")
    declared: dict[str, IssueCode] = {}
    for entry in load_yaml(text)["issues"]:
        code = IssueCode(str(entry["code"]), entry["explanation_zh"], entry["explanation_en"])
        if code.code in declared:
            raise ValueError(f"{ISSUES_FILE}: {code.code} declared twice")
        declared[code.code] = code
    return declared


@dataclass(frozen=True)
class Issue:
    """One thing the parser noticed: a stable code, the source line and a message."""

    severity: Severity
    code: str
    line: int | None
    message: str
    table: str | None = None

    def __post_init__(self) -> None:
        if self.code not in issue_codes():
            raise ValueError(f"parse issue code {self.code!r} is not declared in {ISSUES_FILE}")

    def to_json(self) -> dict[str, object]:
        return asdict(self)
