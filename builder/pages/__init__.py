"""Pages: the generated Markdown of the site, written into the MkDocs docs dir.

Stage 6 of ``sources → parse → validate → publish → charts → pages``. One call,
:func:`write_pages`, writes everything generated under ``docs_dir``:

- ``index.md`` (home), ``units/index.md`` and ``units/<unit id>.md``,
  ``disclosures/index.md`` and ``disclosures/<disclosure id>.md``, ``data.md``,
  ``dictionary.md``, ``quality.md``, ``glossary.md`` (each opens with a "generated" banner);
- ``assets/charts/<chart id>.vl.json`` and ``.csv`` (the charts and the data behind them);
- ``sources/<disclosure id>.txt`` (the source texts) and ``downloads/<disclosure id>/…``,
  ``downloads/portal/…`` (copies of the data packages that exist);
- ``data.json`` (DCAT-US / Project Open Data catalogue).

Hand-written pages (``methodology.md``) and assets (``assets/javascripts``,
``assets/stylesheets``) are never touched. The generated folders are replaced as a whole,
so a disclosure that is dropped leaves no stale page behind.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.pages.catalog import (
    CheckInfo,
    DisclosureEntry,
    Portal,
    publish_file,
    publish_folder,
)
from builder.pages.data import data_page, dictionary_page, write_data_json
from builder.pages.disclosure import disclosure_page
from builder.pages.glossary import glossary_page
from builder.pages.home import disclosures_index, home_page
from builder.pages.quality import quality_page
from builder.pages.unit import unit_page, units_index
from builder.sources.provenance import TEXT_SUFFIX, read_record

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCES = REPO_ROOT / "datasets" / "sources"
DEFAULT_SITE_URL = "http://127.0.0.1:8765/"  # the mkdocs.yml default; SITE_URL overrides both
GENERATED_DIRS = ("units", "disclosures", "sources", "downloads", "assets/charts")
PORTAL_PACKAGE = "portal"

__all__ = ["GENERATED_DIRS", "CheckInfo", "write_pages"]


@dataclass(frozen=True)
class _Folders:
    packages: Path
    sources: Path
    docs: Path
    provenance: Mapping[str, Mapping[str, Any]] | None = None

    def provenance_of(self, disclosure_id: str) -> Mapping[str, Any]:
        """Licence and source URL: as given, else from the ``.meta.yaml`` in the sources."""
        if self.provenance is not None:
            return self.provenance.get(disclosure_id, {})
        return read_record(self.sources / f"{disclosure_id}{TEXT_SUFFIX}")


def _entry(
    disclosure_id: str,
    parsed: dict[str, Any],
    findings: list[dict[str, Any]] | None,
    folders: _Folders,
) -> DisclosureEntry:
    """The disclosure with its source text and package files published into the docs."""
    entry = DisclosureEntry(disclosure_id, parsed, findings)
    name = str(parsed["document"].get("source_file") or f"{disclosure_id}.txt")
    if (folders.sources / name).is_file():
        entry.source = publish_file(
            folders.sources / name, folders.docs, f"sources/{disclosure_id}.txt"
        )
    entry.downloads = publish_folder(
        folders.packages / disclosure_id, folders.docs, f"downloads/{disclosure_id}"
    )
    provenance = folders.provenance_of(disclosure_id)
    entry.licence = provenance.get("licence")
    entry.source_url = provenance.get("source_url")
    return entry


def _write(docs_dir: Path, path: str, content: str) -> None:
    target = docs_dir / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content if content.endswith("\n") else content + "\n", encoding="utf-8")


def write_pages(  # noqa: PLR0913 - the four inputs of the brief plus optional overrides
    parsed: list[tuple[str, dict[str, Any]]],
    findings: dict[str, list[dict[str, Any]]],
    packages_dir: Path,
    docs_dir: Path,
    *,
    sources_dir: Path | None = None,
    site_url: str | None = None,
    checks: Sequence[CheckInfo] = (),
    provenance: Mapping[str, Mapping[str, Any]] | None = None,
    on_disclosure: Callable[[str], None] | None = None,
    skipped: Sequence[Mapping[str, Any]] = (),
) -> None:
    """Write every generated page, chart and download of the site into ``docs_dir``.

    ``parsed``: ``(disclosure id, builder.parse.parse_file(path))`` per disclosure, the id
    being the source file stem. ``findings``: audit rows (``Finding.to_row()``) by
    disclosure id; a disclosure missing from the mapping is shown as "not audited", one
    mapped to an empty list as "all checks passed". ``packages_dir``: the publish stage's
    output (``<id>/…`` and ``portal/…``); whatever files exist are copied and listed.
    ``sources_dir``: where the source texts and their ``.meta.yaml`` are (default
    ``datasets/sources``). ``site_url``: for absolute URLs in ``data.json`` and JSON-LD
    (default: the ``SITE_URL`` environment variable, as in ``mkdocs.yml``). ``checks``: the
    declared audit checks (``builder.validate.load_checks()``), so the quality page can show
    every check, passed ones included, with its Chinese title. ``provenance``: ``licence``
    and ``source_url`` by disclosure id (default: read from each ``.meta.yaml``).
    ``on_disclosure``: called with each disclosure id before its page and charts are written.
    ``skipped``: source files the build could not use (``file``, ``line``, ``message``,
    ``hint``), listed on the data-quality page.
    """
    sources = sources_dir if sources_dir is not None else DEFAULT_SOURCES
    url = site_url or os.environ.get("SITE_URL") or DEFAULT_SITE_URL
    for folder in GENERATED_DIRS:
        shutil.rmtree(docs_dir / folder, ignore_errors=True)
    docs_dir.mkdir(parents=True, exist_ok=True)
    folders = _Folders(packages_dir, sources, docs_dir, provenance)
    entries = [
        _entry(disclosure_id, document, findings.get(disclosure_id), folders)
        for disclosure_id, document in parsed
    ]
    portal = Portal(
        disclosures=entries,
        site_url=url if url.endswith("/") else url + "/",
        portal_downloads=publish_folder(
            packages_dir / PORTAL_PACKAGE, docs_dir, f"downloads/{PORTAL_PACKAGE}"
        ),
        checks=list(checks),
        skipped=[dict(item) for item in skipped],
    )
    for entry in entries:
        if on_disclosure is not None:
            on_disclosure(entry.disclosure_id)
        _write(docs_dir, entry.page, disclosure_page(entry, portal, docs_dir))
    for unit in portal.units:
        _write(docs_dir, unit.page, unit_page(unit, portal, docs_dir))
    _write(docs_dir, "units/index.md", units_index(portal))
    _write(docs_dir, "disclosures/index.md", disclosures_index(portal))
    _write(docs_dir, "index.md", home_page(portal, docs_dir))
    _write(docs_dir, "data.md", data_page(portal))
    _write(docs_dir, "dictionary.md", dictionary_page())
    _write(docs_dir, "quality.md", quality_page(portal))
    _write(docs_dir, "glossary.md", glossary_page(portal))
    write_data_json(portal, docs_dir)
