"""The site half of a build: the pages and charts (in worker processes, only where something
they show changed, while the build's own process does other work: ``render_pages_meanwhile``),
the hand-written pages copied beside them, and the MkDocs run, swapped into the site folder
only when it succeeds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.cache import (
    BuildCache,
    HashMemo,
)
from builder.charts.kept import FOLDER as TEMPLATES
from builder.charts.kept import keep_templates_in
from builder.errors import DisclosureError
from builder.ownership import remove_in_background
from builder.pages import (
    GENERATED_DIRS,
    GENERATED_FILES,
    PageFolders,
    PortalDraft,
    PortalPages,
    clear_generated,
    listed_entry,
    owner_of_disclosure,
    page_key,
    portal_pages,
    with_published,
)
from builder.pages.downloads import install_partition, stale_partitions
from builder.pages.hosting import Hosting, hosting_setting
from builder.pages.outputs import Outputs
from builder.pipeline.datahost import data_folder_for, place_data_folder
from builder.pipeline.defaults import DEFAULT_SITE, DEFAULT_SITE_URL, DOCS_SOURCE, MKDOCS_CONFIG
from builder.pipeline.steps import (
    CONTRIBUTION,
    Brief,
    Digests,
    PageTask,
    PartitionTask,
    Skipped,
    Workers,
    done_with,
    job_count,
    partition_parquet,
    render_pages,
    run_each,
)
from builder.pipeline.views import VIEWS, Findings, portal_views
from builder.progress import Progress
from builder.publish.partitions import Partition, Shape
from builder.release import current_release
from builder.validate import load_checks

PAGES_STATE = "pages.json"  # in the cache: the owners of the generated docs files
SITE_STATE = "site"  # in the cache: the pages of the last MkDocs run (builder.siterun.mkdocs_run)


@dataclass(frozen=True)
class SiteRun:
    """What the MkDocs run did: pages rendered, pages kept from the previous site, and its
    seconds (wall clock, CPU) by phase."""

    rendered: int
    kept: int
    seconds: dict[str, list[float]]


@dataclass(frozen=True)
class DataStage:
    """What the data half of a build leaves for the site: the digests and the skipped, and
    the files' hashes by stat signature (saved when the build ends), and each disclosure's
    shape for the partitioned Parquet (``builder.publish.partitions``; if none, the
    contributions are read from the digests)."""

    digests: Digests
    skipped: list[Skipped]
    reused: int
    cache: BuildCache
    hashes: HashMemo = field(default_factory=HashMemo)
    shapes: list[Shape] = field(default_factory=list)  # the partitions are keyed from them
    files: int = 0  # in the installed packages, as recorded (the summary's count)


def docs_dir_for(site: Path) -> Path:
    """Where the site's Markdown is generated: beside the hand-written pages in ``site_src``
    for the default site (so ``mkdocs serve`` previews it), else in ``site-docs`` beside it."""
    if site.resolve() == DEFAULT_SITE.resolve():
        return DOCS_SOURCE
    return site.parent / f"{site.name}-docs"


@dataclass
class SitePages:
    """The site's generated pages as planned (:func:`plan_pages`): where they go, the record
    of their owners, and each disclosure's pages to write (the others are current)."""

    folders: tuple[Path, Path, Path]  # the sources, the data packages, the site
    docs: Path
    hand_written: set[str]
    outputs: Outputs
    page_folders: PageFolders
    digests: Digests
    tasks: list[tuple[str, PageTask]]  # with the key each is recorded under
    extras: dict[str, dict[str, Any]]  # what each disclosure's pages published
    views: list[tuple[dict[str, Any], Findings]] = field(default_factory=list)  # as digests
    # The partitions of the Parquet dataset to write again, and their files as the workers
    # hand them over (begun behind the pages: render_pages_meanwhile).
    partitions: tuple[list[Partition], Iterable[dict[str, bytes]]] = ([], [])
    # The portal pages under way (builder.pages.portal_pages), ended by build_site; the
    # build leaves this ``with`` when it ends, so a build that stops ends them too.
    unfinished: ExitStack = field(default_factory=ExitStack)
    portal: PortalDraft | None = None

    @property
    def hosting(self) -> Hosting:
        return self.page_folders.hosting

    @property
    def site_url(self) -> str:
        return self.page_folders.site_url


def plan_pages(digests: Digests, hashes: HashMemo, folders: tuple[Path, Path, Path]) -> SitePages:
    """The docs dir made ready (the hand-written pages copied, generated files cleared when
    there is no record of their owners) and the disclosure pages to write: those whose
    inputs changed (``builder.pages.outputs``). ``folders``: the sources, the data packages
    and the site to write."""
    sources, packages, site = folders
    docs = docs_dir_for(site)
    site_url = os.environ.get("SITE_URL", DEFAULT_SITE_URL)
    hosting = hosting_setting()  # DATA_URL, DATA_HOST_SCOPE: the downloads on a data host
    hand_written = copy_hand_written(docs) if docs != DOCS_SOURCE else set()
    outputs = Outputs.load(digests.cache.folder / PAGES_STATE, docs, hashes)
    keep_templates_in(digests.cache.folder / TEMPLATES)  # builder.charts.kept
    if not outputs.owners:
        clear_generated(docs)
    page_folders = PageFolders(packages, sources, docs, site_url, hosting)
    by_unit: dict[str, list[Brief]] = {}
    for digest in digests:
        by_unit.setdefault(digest.record.unit_id, []).append(digest)
    tasks: list[tuple[str, PageTask]] = []
    extras: dict[str, dict[str, Any]] = {}
    for digest in digests:
        siblings = tuple(
            (d.id, d.document) for d in by_unit[digest.record.unit_id] if d is not digest
        )
        key = page_key(digest.key, site_url, siblings, hosting.key)
        record = outputs.current(owner_of_disclosure(digest.id), key)
        if record is not None:
            extras[digest.id] = record["extra"]
        else:
            task = PageTask(digest.id, digest.key, siblings, page_folders, digests.cache)
            tasks.append((key, task))
    return SitePages(folders, docs, hand_written, outputs, page_folders, digests, tasks, extras)


def render_pages_meanwhile(
    pages: SitePages,
    jobs: Workers,
    progress: Progress,
    meanwhile: Callable[[Progress], DataStage],
) -> DataStage:
    """Write the disclosures' pages and charts (:func:`plan_pages`) with ``jobs`` (worker
    processes, or an executor) and, while they work, run ``meanwhile`` in this process (the
    portal package: the data the rest reads), hand the workers the partitioned Parquet
    (behind the pages), read the views the portal pages show and write the portal pages
    that do not show the disclosures' published files (:func:`start_portal_pages`; with one
    job, all this before the pages); what ``meanwhile`` returned. The stage
    ``pages+charts`` is timed from the first page to the last, the stages in this process
    inside it."""
    with progress.stage("pages+charts", len(pages.tasks)) as stage:
        done = run_each(render_pages, [task for _, task in pages.tasks], jobs)
        data = meanwhile(progress)
        pages.partitions = begin_partitions(data, pages, jobs)
        digests = pages.digests
        pages.views = portal_views(digests, digests.cache.folder / VIEWS)[0]
        start_portal_pages(data, pages, progress)
        for (key, task), (produced, seconds) in zip(pages.tasks, done, strict=True):
            stage.step(task.disclosure_id)
            progress.add_cpu({"pages+charts": seconds})
            pages.outputs.record(owner_of_disclosure(task.disclosure_id), key, produced)
            pages.extras[task.disclosure_id] = produced.extra
    return data


def begin_partitions(
    data: DataStage, pages: SitePages, jobs: Workers
) -> tuple[list[Partition], Iterable[dict[str, bytes]]]:
    """The partitions of the Parquet dataset whose files are not current, and their files:
    made by ``jobs`` (worker processes, or an executor: handed over now, behind the tasks
    already given them; with one job, when the files are asked for)."""
    hosting = pages.hosting
    shapes = data.shapes or (part for (part,) in data.digests.parts(CONTRIBUTION))
    stale = stale_partitions(shapes, pages.outputs, hosting)
    keys = {d.id: d.key for d in data.digests}
    tasks = [PartitionTask(p, tuple(keys[m] for m in p.members), data.cache) for p in stale]
    return stale, run_each(partition_parquet, tasks, jobs)


def start_portal_pages(data: DataStage, pages: SitePages, progress: Progress) -> None:
    """The portal pages that do not show the disclosures' published files (the unit pages,
    home, indexes, comparisons, quality, glossary: ``builder.pages.portal_pages``), and the
    portal's bundles and database begun in a thread; :func:`build_site` ends them."""
    with progress.stage("portal pages", 1) as stage:
        stage.step("home, units, quality, glossary; bundles and database begun")
        entries = [
            listed_entry(
                d.id,
                view,
                findings,
                {"licence": d.record.licence, "source_url": d.record.source_url},
            )
            for d, (view, findings) in zip(data.digests, pages.views, strict=True)
        ]
        pages.portal = pages.unfinished.enter_context(
            portal_pages(
                entries,
                pages.page_folders,
                pages.outputs,
                PortalPages(
                    load_checks(),
                    [item.to_row() for item in data.skipped],
                    {d.id: d.key for d in data.digests},
                ),
            )
        )


def build_site(
    data: DataStage,
    pages: SitePages,
    progress: Progress | None = None,
    *,
    jobs: Workers = 1,
    mkdocs: bool = True,
) -> SiteRun | None:
    """After the disclosures' pages (:func:`render_pages_meanwhile`): the partitioned
    Parquet, the rest of the portal-wide pages (those that show the disclosures' published
    files, and the portal's downloads), then ``mkdocs build --strict`` into the site folder.

    A file in the docs dir that neither the build nor the hand-written pages put there (in
    ``site_src``: in the generated folders) is deleted, so it is never published.
    ``mkdocs=False`` stops after the Markdown pages and charts (the benchmarks time MkDocs
    apart).

    The site is built into a temporary folder and swapped in at the end, so a failed build
    never leaves a half-written site.
    """
    progress = progress or Progress()
    site = pages.folders[2]
    docs, site_url, hosting, outputs = pages.docs, pages.site_url, pages.hosting, pages.outputs
    stale, written = pages.partitions
    with progress.stage("partitioned Parquet", len(stale)) as stage:
        for partition, files in zip(stale, written, strict=True):
            stage.step(partition.name)
            install_partition(partition, files, outputs, hosting)
    done_with(jobs)  # the last stage of the build's workers
    with progress.stage("portal downloads", 1) as stage:
        stage.step("bundles, database, data.json, download and query pages")
        if pages.portal is not None:
            for entry in pages.portal.portal.disclosures:
                with_published(entry, pages.extras[entry.disclosure_id])
        pages.unfinished.close()  # the pages that show them (builder.pages.portal_pages)
        outputs.finish()
        scope = GENERATED_DIRS if docs == DOCS_SOURCE else None  # site_src: hand-written too
        outputs.remove_strays(pages.hand_written, scope)
        outputs.save(data.cache.folder / PAGES_STATE)

    def data_folder() -> None:
        with progress.stage("data folder", doing="placing the files for the data host"):
            place_data_folder(
                docs, data_folder_for(site), hosted=bool(hosting.data_url), hashes=data.hashes
            )

    if not mkdocs:
        data_folder()
        return None
    with progress.stage("mkdocs", doing="MkDocs (strict), pages that changed"):
        state = data.cache.folder / SITE_STATE
        # the data folder (links of docs/.data, which MkDocs leaves out) while it starts
        return run_mkdocs(docs, site, site_url, state, job_count(jobs), meanwhile=data_folder)


def copy_hand_written(docs: Path) -> set[str]:
    """Copy the hand-written pages and assets of ``site_src`` (not pages a default build
    generated there) into a separate docs dir; the paths copied, relative to it."""
    copied: set[str] = set()

    def copy(source: str, target: str) -> object:
        copied.add(Path(target).relative_to(docs).as_posix())
        return shutil.copy2(source, target)

    top_level = set(GENERATED_FILES) | {name.split("/")[0] for name in GENERATED_DIRS}

    def generated(folder: str, names: list[str]) -> set[str]:
        if Path(folder).resolve() == DOCS_SOURCE.resolve():
            return {name for name in names if name in top_level - {"assets"}}
        if Path(folder).resolve() == (DOCS_SOURCE / "assets").resolve():
            return {name for name in names if name == "charts"}
        return set()

    shutil.copytree(DOCS_SOURCE, docs, ignore=generated, copy_function=copy, dirs_exist_ok=True)
    return copied


def mkdocs_config(docs: Path, site: Path) -> str:
    """The MkDocs config of a build: the repository's, for ``docs`` into ``site``."""
    footer = json.dumps(f"{current_release().label} · 开放预算门户", ensure_ascii=False)
    return (
        f"INHERIT: {MKDOCS_CONFIG.resolve()}\n"
        f"docs_dir: {docs.resolve()}\nsite_dir: {site.resolve()}\n"
        f"copyright: {footer}\n"  # the data version on every page
    )


def run_mkdocs(  # noqa: PLR0913 - the folders, the address, and how to run
    docs: Path,
    site: Path,
    site_url: str,
    state: Path,
    jobs: int = 1,
    *,
    meanwhile: Callable[[], object] = lambda: None,
) -> SiteRun:
    """MkDocs (strict) of ``docs`` with the repository's config, swapped into ``site``;
    ``meanwhile`` is run in this process while MkDocs works (it must not change ``docs``).

    The run is incremental (``builder.siterun.mkdocs_run``): pages whose inputs are
    unchanged since the run recorded in ``state`` are hard-linked from the current site
    instead of rendered; the others are rendered by ``jobs`` processes. It writes a new
    site beside the current one, which is replaced only when the run succeeds; a failed run
    leaves the current site as it was.
    """
    site.parent.mkdir(parents=True, exist_ok=True)
    staging = site.parent / f".{site.name}.building"
    config = site.parent / f".{site.name}.mkdocs.yml"
    config.write_text(mkdocs_config(docs, staging), encoding="utf-8")
    env = {**os.environ, "SITE_URL": site_url, "NO_MKDOCS_2_WARNING": "1"}
    command = ["builder.siterun.mkdocs_run", str(config), "--state", str(state)]
    command += ["--jobs", str(jobs)]
    if site.is_dir():
        command += ["--previous", str(site.resolve())]
    process = subprocess.Popen(  # through builder.children: MkDocs dies if the build is killed
        [sys.executable, "-m", "builder.children", str(os.getpid()), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        meanwhile()
    except BaseException:
        process.kill()
        process.communicate()
        config.unlink()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    stdout, stderr = process.communicate()
    config.unlink()
    if process.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise DisclosureError(
            docs,
            None,
            "the site did not build (MkDocs, strict, failed):\n" + stderr[-3000:],
            "the previous site was left as it was",
        )
    # A name of its own: the site it replaced may still be being deleted.
    previous = site.parent / f".{site.name}.previous-{os.getpid()}-{time.time_ns()}"
    if site.exists():
        site.rename(previous)
    staging.rename(site)
    if previous.exists():
        remove_in_background(previous)  # the new site is in place: no one waits for this
    done = json.loads(stdout.strip().splitlines()[-1])
    return SiteRun(int(done["rendered"]), int(done["kept"]), done["seconds"])
