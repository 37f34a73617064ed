"""Pages: the generated Markdown of the site, written into the MkDocs docs dir.

Stage 6 of ``sources → parse → validate → publish → charts → pages``. One call,
:func:`write_pages`, writes everything generated under ``docs_dir``:

- ``index.md`` (home), ``units/index.md`` and ``units/<unit id>.md``,
  ``disclosures/index.md`` and ``disclosures/<disclosure id>.md``, ``data.md``,
  ``dictionary.md``, ``quality.md``, ``glossary.md`` (each opens with a "generated" banner),
  ``compare/<year>.md`` and the further pages of long listings (``builder.pages.paging``:
  ``units/pages/``, ``disclosures/pages/``, ``data/pages/``, ``glossary/sources…``);
- ``assets/charts/<chart id>.values.json.gz`` and ``.csv`` (each chart's slot values and the data
  behind it) and ``assets/charts/templates/`` (the template of each shape of chart);
- ``sources/<disclosure id>.txt`` (the source texts) and ``downloads/<disclosure id>/…``,
  ``downloads/portal/…`` (copies of the data packages that exist), and the bundles and the
  database (``builder.pages.downloads``): ``downloads/<id>.zip``, ``downloads/portal.zip``,
  ``downloads/portal.<year>.zip``, ``downloads/portal.sqlite``, ``downloads/portal.parquet/``;
- ``query.md`` (查询数据) and ``releases.md`` (版本说明);
- ``downloads/quality/`` (the data behind ``quality.md``: ``builder.pages.quality_data``);
- ``data.json`` (DCAT-US / Project Open Data catalogue).

Hand-written pages (``methodology.md``) and assets (``assets/javascripts``,
``assets/stylesheets``) are never touched. Each generated file belongs to one owner (a
disclosure, a unit, the portal; ``builder.pages.outputs``), so a rebuild writes only the
owners whose inputs changed and a disclosure that is dropped leaves no stale file behind.

The pages of one disclosure need its full parse; every other page reads
:func:`portal_view` of each parse (the document, its table statuses, summary and 三公 rows,
glossary and coverage), which is what the build keeps of every disclosure between builds.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from builder import identities
from builder.pages.catalog import (
    CheckInfo,
    DisclosureEntry,
    Download,
    Portal,
    publish_file,
    publish_folder,
)
from builder.pages.compare import compare_pages
from builder.pages.data import data_page, dictionary_page, write_data_json
from builder.pages.disclosure import disclosure_page
from builder.pages.downloads import (
    DATABASE,
    QUERY,
    RELEASES,
    partitioned_archive,
    portal_bundles,
    publish_bundle,
    query_page,
    releases_page,
)
from builder.pages.glossary import glossary_pages
from builder.pages.home import disclosures_index, home_page
from builder.pages.hosting import BESIDE_SITE, Hosting
from builder.pages.outputs import Outputs, Produced, key_of, staged
from builder.pages.quality import quality_page
from builder.pages.quality_data import assess, write_quality_data
from builder.pages.unit import unit_page, units_index
from builder.sources.provenance import TEXT_SUFFIX, read_record
from builder.written import write_noted

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCES = REPO_ROOT / "datasets" / "sources"
# The parts of the home and comparison pages (builder.pages.parts) are folders of their own;
# those of disclosure and unit pages are inside disclosures/ and units/.
GENERATED_DIRS = (
    "units",
    "disclosures",
    "sources",
    "downloads",
    "assets/charts",
    identities.HOSTED_FOLDER,
    "parts",
    "compare",
    "glossary",
    "data",
)
GENERATED_FILES = (
    "index.md",
    "compare.md",
    "data.md",
    "dictionary.md",
    "quality.md",
    "glossary.md",
    "query.md",
    "releases.md",
    "data.json",
)
PORTAL_PACKAGE = "portal"
PORTAL_OWNER = "portal"
# Tables whose rows the portal-wide pages read (totals and 三公 costs); of the others they
# read the status, number and title only.
VIEW_ROWS = frozenset(
    {
        "income_expenditure_summary",
        "budget_summary",
        "three_public_costs",
        "budget_three_public_costs",
        "budget_three_public_and_office_costs",
        # the comparison page: 人员经费 / 公用经费 and 机关运行经费
        "basic_expenditure_by_economic",
        "budget_basic_expenditure_by_economic",
        "supplementary_statistics",
    }
)

__all__ = [
    "GENERATED_DIRS",
    "CheckInfo",
    "DisclosureInput",
    "Outputs",
    "PageFolders",
    "page_key",
    "portal_findings",
    "portal_pages",
    "portal_view",
    "produce_disclosure",
    "with_published",
    "write_pages",
    "write_portal_pages",
]


# What the portal-wide pages never read of a table whose rows they do not read (its columns:
# most of what such a table holds once its rows are gone).
VIEW_UNREAD = frozenset({"rows", "fields", "columns_printed", "columns_mapped_by"})


def portal_view(parsed: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a parse that pages other than the disclosure's own read (109 MB in memory
    for 1,000 disclosures with their findings whole and their tables' columns, 69 MB so)."""
    return {
        "document": parsed["document"],
        "tables": [
            table
            if table["kind"] in VIEW_ROWS
            else {**{k: v for k, v in table.items() if k not in VIEW_UNREAD}, "rows": []}
            for table in parsed["tables"]
        ],
        "narrative": {"glossary": parsed["narrative"].get("glossary")},
        "report": {"coverage": parsed["report"]["coverage"]},
    }


def portal_findings(findings: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]] | None:
    """What pages other than the disclosure's own read of its findings: each one's check and
    severity (the quality page and data, the audit summaries). Equal pairs are one object
    (read only), so a portal of many findings holds each pair once."""
    if findings is None:
        return None
    return [_finding_of(f.get("check_id"), f.get("severity")) for f in findings]


@cache
def _finding_of(check_id: Any, severity: Any) -> dict[str, Any]:
    return {"check_id": check_id, "severity": severity}


@dataclass(frozen=True)
class PageFolders:
    """Where pages read packages and sources from, the docs dir they are written to, and
    where the site and its bulk downloads are published."""

    packages: Path
    sources: Path
    docs: Path
    site_url: str
    hosting: Hosting = BESIDE_SITE


@dataclass(frozen=True)
class DisclosureInput:
    """Everything one disclosure's page needs (picklable, for worker processes)."""

    disclosure_id: str
    parsed: dict[str, Any]  # the full parse
    findings: list[dict[str, Any]] | None
    licence: str | None
    source_url: str | None
    siblings: tuple[tuple[str, dict[str, Any]], ...]  # the unit's other disclosures: id, document


def page_key(
    source_key: str,
    site_url: str,
    siblings: Sequence[tuple[str, Mapping[str, Any]]],
    hosting_key: Sequence[str] = (),
) -> str:
    """What a disclosure's page depends on: the disclosure (by its source key), the site's
    address, the unit's other disclosures it links to and where its downloads are
    (``Hosting.key``)."""
    others = [(i, d["year"], d["kind_zh"]) for i, d in siblings]
    return key_of(source_key, site_url, others, *hosting_key)


def owner_of_disclosure(disclosure_id: str) -> str:
    return f"disclosure:{disclosure_id}"


def _write(docs_dir: Path, path: str, content: str) -> None:
    target = docs_dir / path
    target.parent.mkdir(parents=True, exist_ok=True)
    write_noted(target, (content if content.endswith("\n") else content + "\n").encode("utf-8"))


def _write_all(docs_dir: Path, pages: Mapping[str, str]) -> None:
    for path, content in pages.items():
        _write(docs_dir, path, content)


def _publish_entry(entry: DisclosureEntry, folders: PageFolders, docs: Path) -> None:
    """Copy the disclosure's source text and package files into ``docs``; list them."""
    name = str(entry.document.get("source_file") or f"{entry.disclosure_id}.txt")
    if (folders.sources / name).is_file():
        entry.source = publish_file(
            folders.sources / name,
            docs,
            identities.source_copy(entry.disclosure_id),
            folders.hosting,
        )
    package = folders.packages / entry.disclosure_id
    entry.downloads = publish_folder(
        package, docs, identities.downloads_folder(entry.disclosure_id), folders.hosting
    )
    if package.is_dir():
        entry.downloads.insert(0, publish_bundle(package, docs, folders.hosting))


def produce_disclosure(item: DisclosureInput, folders: PageFolders) -> Produced:
    """Write one disclosure's page, charts, source text and downloads into the docs dir."""
    with staged(folders.docs, owner_of_disclosure(item.disclosure_id)) as (docs, files):
        entry = DisclosureEntry(
            item.disclosure_id,
            item.parsed,
            item.findings,
            licence=item.licence,
            source_url=item.source_url,
        )
        _publish_entry(entry, folders, docs)
        siblings = [DisclosureEntry(i, {"document": d}, None) for i, d in item.siblings]
        portal = Portal(
            disclosures=[entry, *siblings], site_url=identities.site_root(folders.site_url)
        )
        _write(docs, entry.page, disclosure_page(entry, portal, docs, folders.docs))
        extra = {
            "downloads": [asdict(d) for d in entry.downloads],
            "source": asdict(entry.source) if entry.source is not None else None,
        }
    return Produced(files, extra)


def listed_entry(
    disclosure_id: str,
    view: dict[str, Any],
    findings: list[dict[str, Any]] | None,
    provenance: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> DisclosureEntry:
    """A disclosure as the portal-wide pages see it: its view, findings and (``extra``, what
    its pages published: :func:`with_published`) its published files."""
    entry = DisclosureEntry(
        disclosure_id,
        view,
        findings,
        licence=provenance.get("licence"),
        source_url=provenance.get("source_url"),
    )
    return entry if extra is None else with_published(entry, extra)


def with_published(entry: DisclosureEntry, extra: Mapping[str, Any]) -> DisclosureEntry:
    """``entry`` with the files its pages published (``Produced.extra`` of
    :func:`produce_disclosure`): its downloads and source text."""
    source = extra.get("source")
    entry.downloads = [Download(**d) for d in extra.get("downloads", [])]
    entry.source = Download(**source) if source else None
    return entry


@dataclass
class PortalPages:
    """The inputs of the portal-wide pages besides the disclosures."""

    checks: Sequence[CheckInfo] = ()
    skipped: Sequence[Mapping[str, Any]] = ()
    unit_keys: Mapping[str, str] = field(default_factory=dict)  # disclosure id → source key


# What the libraries of ``portal_bundles`` import on first use (``pyarrow.parquet`` reads
# through ``pyarrow.dataset``, which imports pandas). A package with circular imports, such as
# pandas, imported by two threads at once can be seen half-initialised ("partially initialized
# module 'pandas' has no attribute 'Timestamp'", a CI failure), so they load before the thread.
LAZY_IMPORTS = ("pyarrow.dataset", "pandas")


def import_before_threads() -> None:
    """Import ``LAZY_IMPORTS`` in the calling thread (a no-op once imported)."""
    for name in LAZY_IMPORTS:
        importlib.import_module(name)


def write_portal_pages(
    entries: list[DisclosureEntry],
    folders: PageFolders,
    outputs: Outputs,
    extras: PortalPages,
) -> None:
    """The unit pages (those whose disclosures changed) and the portal-wide pages, of
    ``entries`` with their published files (:func:`portal_pages`)."""
    with portal_pages(entries, folders, outputs, extras):
        pass


@dataclass
class PortalDraft:
    """The portal-wide pages under way (:func:`portal_pages`): the portal they show, and
    the owners written but not yet recorded (they are recorded when the pages are done, after
    the disclosures', as when they were written last)."""

    portal: Portal
    unrecorded: list[tuple[str, str, Produced]] = field(default_factory=list)


@contextmanager
def portal_pages(
    entries: list[DisclosureEntry],
    folders: PageFolders,
    outputs: Outputs,
    extras: PortalPages,
) -> Iterator[PortalDraft]:
    """The unit pages (those whose disclosures changed) and the portal-wide pages, in two
    halves, so that the build writes the first while its workers write the disclosures'
    pages (``builder.pipeline.site``).

    On entering: every page that does not show the disclosures' published files (the unit
    pages, home, the indexes, comparisons, dictionary, quality, glossary and release pages),
    so ``entries`` need not have them yet; the portal's bundles and database (``portal_bundles``:
    zlib, SQLite and hashing, which release the GIL) are begun in a thread. Before leaving
    the ``with``, the caller gives each entry its published files
    (:func:`with_published`) and puts the partitioned Parquet in place; on leaving, the
    pages that show them (the download page, ``data.json``) and the bundles (the query
    page), with the archive of the partitioned Parquet (``partitioned_archive``), are
    written, and the owners recorded (dict and set updates, and staging folders taken under
    a lock, as the bundles' thread records its own: ``builder.pages.outputs``)."""
    portal = Portal(
        disclosures=entries,
        site_url=identities.site_root(folders.site_url),
        checks=list(extras.checks),
        skipped=[dict(item) for item in extras.skipped],
    )
    draft = PortalDraft(portal)
    import_before_threads()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="portal-downloads") as pool:
        downloads = pool.submit(
            portal_bundles, folders.packages, outputs, folders.hosting, extras.unit_keys
        )
        draft.unrecorded += write_unit_pages(portal, folders, outputs, extras.unit_keys)
        with staged(folders.docs, PORTAL_OWNER, outputs.hashes) as (docs, files):
            portal.portal_downloads = publish_folder(
                folders.packages / PORTAL_PACKAGE,
                docs,
                identities.downloads_folder(PORTAL_PACKAGE),
                folders.hosting,
            )
            _write_all(docs, units_index(portal))
            _write_all(docs, disclosures_index(portal))
            _write(docs, "index.md", home_page(portal, docs))
            _write_all(docs, compare_pages(portal, docs))
            _write(docs, "dictionary.md", dictionary_page())
            assessed = assess(portal)  # once, for the page and its data
            quality_files = write_quality_data(portal, docs, folders.hosting, assessed)
            _write(docs, "quality.md", quality_page(portal, quality_files, assessed))
            _write_all(docs, glossary_pages(portal))
            _write(docs, RELEASES, releases_page())
            yield draft  # the entries' published files, and the partitioned Parquet
            # the pages below show them
            portal.bundles = downloads.result() + partitioned_archive(outputs, folders.hosting)
            catalogue = write_data_json(portal, docs, folders.hosting)
            _write_all(docs, data_page(portal, catalogue))
            database = folders.docs / folders.hosting.written(DATABASE)
            _write(docs, QUERY, query_page(portal, database))
    for owner, key, produced in draft.unrecorded:
        outputs.record(owner, key, produced)
    outputs.record(PORTAL_OWNER, "", Produced(files))


def write_unit_pages(
    portal: Portal, folders: PageFolders, outputs: Outputs, unit_keys: Mapping[str, str]
) -> list[tuple[str, str, Produced]]:
    """The pages of the units whose disclosures changed (or whose files did), into the docs
    dir; the owners written, with their keys, to record."""
    written = []
    for unit in portal.units:
        owner = f"unit:{unit.unit_id}"
        members = [(e.disclosure_id, unit_keys.get(e.disclosure_id)) for e in unit.disclosures]
        key = key_of(folders.site_url, members)
        if all(k is not None for _, k in members) and outputs.current(owner, key):
            continue
        with staged(folders.docs, owner, outputs.hashes) as (docs, files):
            _write(docs, unit.page, unit_page(unit, portal, docs))
        written.append((owner, key, Produced(files)))
    return written


def clear_generated(docs_dir: Path) -> None:
    """Remove every generated file (for a docs dir without a record of its owners)."""
    for folder in GENERATED_DIRS:
        shutil.rmtree(docs_dir / folder, ignore_errors=True)
    for name in GENERATED_FILES:
        (docs_dir / name).unlink(missing_ok=True)


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

    The whole site in one call, without a build cache (the build itself produces the same
    pages owner by owner, in parallel and incrementally: ``builder.pipeline``).

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
    url = site_url or os.environ.get("SITE_URL") or identities.DEFAULT_SITE_URL
    folders = PageFolders(packages_dir, sources, docs_dir, url)
    clear_generated(docs_dir)
    docs_dir.mkdir(parents=True, exist_ok=True)
    outputs = Outputs(docs_dir)

    def provenance_of(disclosure_id: str) -> Mapping[str, Any]:
        if provenance is not None:
            return provenance.get(disclosure_id, {})
        return read_record(sources / f"{disclosure_id}{TEXT_SUFFIX}")

    documents = {disclosure_id: document["document"] for disclosure_id, document in parsed}
    units = {i: DisclosureEntry(i, {"document": d}, None).unit_id for i, d in documents.items()}
    entries = []
    for disclosure_id, document in parsed:
        if on_disclosure is not None:
            on_disclosure(disclosure_id)
        known = provenance_of(disclosure_id)
        item = DisclosureInput(
            disclosure_id,
            document,
            findings.get(disclosure_id),
            known.get("licence"),
            known.get("source_url"),
            tuple(
                (i, d)
                for i, d in documents.items()
                if i != disclosure_id and units[i] == units[disclosure_id]
            ),
        )
        produced = produce_disclosure(item, folders)
        outputs.record(owner_of_disclosure(disclosure_id), "", produced)
        entries.append(
            listed_entry(
                disclosure_id,
                portal_view(document),
                portal_findings(findings.get(disclosure_id)),
                known,
                produced.extra,
            )
        )
    write_portal_pages(entries, folders, outputs, PortalPages(checks, skipped))
    outputs.finish()
