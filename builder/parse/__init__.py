"""Parse: disclosure text to canonical tables, annexes, narrative and a parse report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builder.parse.document import parse_source
from builder.sources.reading import read_source


def parse_file(path: Path) -> dict[str, Any]:
    """Read and parse one disclosure text file."""
    return parse_source(read_source(path))
