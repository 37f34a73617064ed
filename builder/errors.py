"""Errors a user can act on: each names the file, the line where there is one, and a hint."""

from __future__ import annotations

from pathlib import Path


class DisclosureError(Exception):
    """A disclosure that cannot be used as it is."""

    def __init__(self, path: Path, line: int | None, message: str, hint: str = "") -> None:
        self.path = path
        self.line = line
        self.message = message
        self.hint = hint
        super().__init__(self.describe())

    def __reduce__(self) -> tuple[type[DisclosureError], tuple[Path, int | None, str, str]]:
        """Pickle by the constructor's arguments (errors travel back from worker processes)."""
        return (type(self), (self.path, self.line, self.message, self.hint))

    def describe(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        text = f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text
