"""Parse: disclosure text to canonical tables, annexes, narrative and a parse report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builder.parse.document import parse_source
from builder.sources.opening import read_any_source


def parse_file(path: Path, extractions: Path | None = None) -> dict[str, Any]:
    """Read and parse one disclosure file: a text, or a PDF through its extracted text (kept
    in the folder ``extractions`` when one is given; ``builder.sources.opening``)."""
    return parse_source(read_any_source(path, extractions))
