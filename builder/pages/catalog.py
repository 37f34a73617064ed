"""The portal's structure: units, disclosures, their stable ids, page paths and downloads.

A disclosure's id is its source file stem (``000_127416229ccdc025``) and its page is
``disclosures/<id>.md``. A unit's id is ``unit-`` and the first 10 hex digits of the SHA-1
of its NFKC-normalised name without spaces (the ``unit_id`` of the published ``units``
resource), so the budget and the final accounts of one unit (seeds 000 and 002) share one
page ``units/<unit id>.md``, and the address survives rebuilds.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from builder import identities
from builder.charts import facts
from builder.identities import unit_id
from builder.pages.hosting import BESIDE_SITE, Hosting
from builder.written import note

Parsed = dict[str, Any]

# Files MkDocs would render as pages are published under a .txt name instead.
_PAGE_SUFFIXES = {".md", ".markdown", ".mdown", ".mkdn", ".mkd"}
_CHUNK = 1 << 16


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=1 << 16)
def link(from_page: str, to_path: str) -> str:
    """A Markdown link target from one docs file to another (MkDocs resolves and checks it).
    Remembered: the portal pages ask for the same links again and again (the glossary links
    each disclosure once per term it defines, and ``relpath`` was most of its time)."""
    start = posixpath.dirname(from_page) or "."
    here, there = _docs_parts(start), _docs_parts(to_path)
    if here is None or there is None:
        return posixpath.relpath(to_path, start)
    shared = 0
    for one, other in zip(here, there, strict=False):
        if one != other:
            break
        shared += 1
    steps = [posixpath.pardir] * (len(here) - shared) + there[shared:]
    return "/".join(steps) if steps else posixpath.curdir


def _docs_parts(path: str) -> list[str] | None:
    """A docs-relative path's parts after normalising (``posixpath.relpath`` without its
    ``os.getcwd`` a call, which was most of ``link``'s time), or None for a path that is
    absolute or leaves the docs folder (left to ``relpath``)."""
    normal = posixpath.normpath(path)
    if normal.startswith("/") or normal == posixpath.pardir or normal.startswith("../"):
        return None
    return [] if normal == posixpath.curdir else normal.split("/")


def url_root(page: str) -> str:
    """The relative prefix from a page's URL to the site root (``use_directory_urls``).

    Raw HTML attributes are not rewritten by MkDocs, so chart spec URLs use this prefix:
    ``index.md`` → ``""``, ``data.md`` → ``../``, ``disclosures/x.md`` → ``../../``.
    """
    parts = PurePosixPath(page).with_suffix("").parts
    depth = len(parts) - 1 if parts[-1] == "index" else len(parts)
    return "../" * depth


class CheckInfo(Protocol):
    """What the pages need of a declared audit check (``builder.validate.Check`` fits)."""

    @property
    def id(self) -> str: ...

    @property
    def title_zh(self) -> str: ...

    @property
    def explanation_zh(self) -> str: ...

    @property
    def applies_to(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Download:
    """A published file: its docs path (its identity), size, SHA-256 and, when it is on the
    data host, its address there."""

    path: str  # relative to docs_dir, POSIX (its identity, wherever it is published)
    name: str  # the file's name in its package
    size: int
    sha256: str
    title: str = ""  # what it is, in Chinese (a table's title, 说明, 数据包描述 ...)
    url: str = ""  # its address on the data host; "" when it is published with the site

    def href(self, root: str) -> str:
        """The link from a page whose URL is ``root`` below the site root (``url_root``)."""
        return self.url or root + self.path

    def link_from(self, page: str) -> str:
        """The Markdown link target from a docs page (MkDocs checks those to the site)."""
        return self.url or link(page, self.path)

    @property
    def suffix(self) -> str:
        """``.csv`` for ``csv/x.csv`` (as ``PurePosixPath.suffix``, lower-cased)."""
        base = self.name.rsplit("/", 1)[-1]
        dot = base.rfind(".")
        return base[dot:].lower() if 0 < dot < len(base) - 1 else ""


def publish_file(
    source: Path, docs_dir: Path, target: str, hosting: Hosting = BESIDE_SITE
) -> Download:
    """Place ``source`` at ``docs_dir/target`` (or, for the data host, where ``hosting``
    writes it) and describe it.

    A hard link where the file system allows (the build replaces package files, never edits
    them, so the link keeps the bytes it was made with), else a copy.
    """
    destination = docs_dir / hosting.written(target)
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.unlink(missing_ok=True)
    try:
        os.link(source, destination)
    except OSError:
        shutil.copyfile(source, destination)
    size, sha256 = destination.stat().st_size, sha256_of(destination)
    note(destination, sha256)  # not read again when it is recorded (builder.written)
    return Download(target, source.name, size, sha256, url=hosting.address(target))


def file_titles(folder: Path) -> dict[str, str]:
    """The Chinese title of each file of a data package, by its path in the package: the
    resource's title for its CSV and Parquet files (from ``datapackage.json``)."""
    titles = {"README.md": "说明（README）", "datapackage.json": "数据包描述"}
    try:
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return titles
    for resource in descriptor.get("resources", []):
        title = str(resource.get("title") or resource.get("name"))
        titles[str(resource.get("path"))] = f"{title}（CSV）"
        parquet = resource.get("x-parquet") or {}
        titles[str(parquet.get("path"))] = f"{title}（Parquet）"
    for listed in descriptor.get("x-files", []):
        if str(listed.get("path", "")).endswith(".xlsx"):
            titles[str(listed["path"])] = "Excel 工作簿（全部表格）"
    return titles


def publish_folder(
    folder: Path, docs_dir: Path, target: str, hosting: Hosting = BESIDE_SITE
) -> list[Download]:
    """Copy every file under ``folder`` to ``docs_dir/target/`` (same relative paths; with a
    data host, as ``hosting`` places them, leaving out what is only in the zip), each
    described with its Chinese title. A Markdown file (the README) is published as ``.txt``:
    MkDocs would render a ``.md`` as a page."""
    if not folder.is_dir():
        return []
    titles = file_titles(folder)
    out = []
    for source in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = source.relative_to(folder).as_posix()
        relative = name
        if source.suffix.lower() in _PAGE_SUFFIXES:
            relative = relative[: -len(source.suffix)] + ".txt"
        if not hosting.published(f"{target}/{relative}"):
            continue  # only in the package's zip, on the data host
        download = publish_file(source, docs_dir, f"{target}/{relative}", hosting)
        out.append(replace(download, name=name, title=titles.get(name, "")))
    return out


@dataclass
class DisclosureEntry:
    """One disclosure with everything its pages need."""

    disclosure_id: str
    parsed: Parsed
    findings: list[dict[str, Any]] | None  # None: the audit did not run for it
    downloads: list[Download] = field(default_factory=list)
    source: Download | None = None
    licence: str | None = None
    source_url: str | None = None

    @property
    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = self.parsed["document"]
        return document

    @property
    def unit_name(self) -> str:
        return str(self.document["unit_name"])

    @property
    def unit_id(self) -> str:
        return unit_id(self.unit_name)

    @property
    def year(self) -> int:
        return int(self.document["year"])

    @property
    def kind(self) -> str:
        return str(self.document["kind"])

    @property
    def kind_zh(self) -> str:
        return str(self.document["kind_zh"])

    @property
    def when(self) -> str:
        """``2024年度决算``."""
        return f"{self.year}年度{self.kind_zh}"

    @property
    def title(self) -> str:
        """``山西省投资促进局 2024年度单位决算``."""
        scope = self.document.get("scope") or ""
        return f"{self.unit_name} {self.year}年度{scope}{self.kind_zh}"

    @property
    def page(self) -> str:
        return identities.disclosure_page(self.disclosure_id)

    @cached_property
    def spending(self) -> Decimal | None:
        """本年支出合计 (``facts.spending_of_year``), remembered: the portal pages ask for it
        four times a disclosure (the list of disclosures, the year sums, budget beside final,
        the rankings)."""
        return facts.spending_of_year(self.parsed)

    @property
    def table_kinds(self) -> set[str]:
        return {str(table["kind"]) for table in self.parsed["tables"]}

    @property
    def audit_summary(self) -> str:
        """``未核查``, ``通过`` or ``N 处`` (errors and warnings; info notes are not problems)."""
        if self.findings is None:
            return "未核查"
        serious = self.findings_of("error", "warning")
        return f"{len(serious)} 处" if serious else "通过"

    def findings_of(self, *severities: str) -> list[dict[str, Any]]:
        """The findings of the given severities (none if the audit did not run)."""
        return [f for f in self.findings or [] if f.get("severity") in severities]

    @property
    def unit_page(self) -> str:
        return identities.unit_page(self.unit_id)

    @property
    def order(self) -> tuple[int, int, str]:
        return (self.year, 0 if self.kind == "budget" else 1, self.disclosure_id)


@dataclass
class UnitEntry:
    """A publishing unit and its disclosures, oldest first."""

    unit_id: str
    unit_name: str
    disclosures: list[DisclosureEntry]

    @property
    def page(self) -> str:
        return identities.unit_page(self.unit_id)


@dataclass
class Portal:
    """Every disclosure and unit of the site, plus the portal-wide downloads."""

    disclosures: list[DisclosureEntry]
    site_url: str
    portal_downloads: list[Download] = field(default_factory=list)
    bundles: list[Download] = field(default_factory=list)  # portal and year zips, database
    checks: list[CheckInfo] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # file, line, message, hint

    @cached_property
    def units(self) -> list[UnitEntry]:
        grouped: dict[str, UnitEntry] = {}
        for entry in sorted(self.disclosures, key=lambda e: e.order):
            unit = grouped.setdefault(entry.unit_id, UnitEntry(entry.unit_id, entry.unit_name, []))
            unit.disclosures.append(entry)
        return sorted(grouped.values(), key=lambda u: u.unit_name)

    @cached_property
    def years(self) -> list[int]:
        return sorted({entry.year for entry in self.disclosures})

    def address(self, download: Download) -> str:
        """The absolute URL of a download: on the data host, or on the site."""
        return download.url or self.absolute(download.path)

    def absolute(self, docs_path: str) -> str:
        """The absolute URL of a file or page (:func:`builder.identities.absolute_url`)."""
        return identities.absolute_url(self.site_url, docs_path)
