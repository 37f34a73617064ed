"""The data release a build publishes: version, date, notes and known issues.

Read from ``datasets/releases.yaml`` (newest first; the first entry is the current release).
The version and date are settings, never the wall clock: two builds of the same sources and
releases write the same bytes, and cutting a release (CONTRIBUTING.md) is one entry added to
that file. ``RELEASES`` (the environment variable) points a build at another file, for tests.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

RELEASES_FILE = Path(__file__).resolve().parents[1] / "datasets" / "releases.yaml"
VERSION = re.compile(r"[0-9]{4}\.[0-9]{2}\.[0-9]{2}(\.[0-9]+)?")


@dataclass(frozen=True)
class Release:
    """One data release: its version (``2026.12.01``), date, notes and known issues."""

    version: str
    date: str  # ISO date
    notes: tuple[str, ...]
    known_issues: tuple[str, ...]

    @property
    def created(self) -> str:
        """The package ``created`` timestamp: the release date at midnight UTC."""
        return f"{self.date}T00:00:00Z"

    @property
    def label(self) -> str:
        """``数据版本 2026.12.01（2026-12-01）``."""
        return f"数据版本 {self.version}（{self.date}）"


def releases_file() -> Path:
    return Path(os.environ.get("RELEASES", RELEASES_FILE))


def release_of(entry: Any, where: Path) -> Release:
    """One entry of the releases file, checked."""
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: each release is a mapping (version, date, notes, known_issues)")
    version, when = str(entry.get("version", "")), entry.get("date")
    if not VERSION.fullmatch(version):
        raise ValueError(f"{where}: release version {version!r} is not YYYY.MM.DD[.N]")
    if not isinstance(when, date):
        raise ValueError(f"{where}: release {version} has no date written YYYY-MM-DD")
    return Release(
        version,
        when.isoformat(),
        tuple(str(n) for n in entry.get("notes") or ()),
        tuple(str(n) for n in entry.get("known_issues") or ()),
    )


@cache
def load_releases(path: Path | None = None) -> tuple[Release, ...]:
    """Every release, newest first."""
    where = path or releases_file()
    entries = yaml.safe_load(where.read_text(encoding="utf-8"))
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{where}: a list of releases, newest first, is expected")
    return tuple(release_of(entry, where) for entry in entries)


def current_release() -> Release:
    """The release this build publishes (the first of the releases file)."""
    return load_releases(releases_file())[0]


def release_bytes() -> bytes:
    """The releases file as it is (part of every output's cache key)."""
    return releases_file().read_bytes()
