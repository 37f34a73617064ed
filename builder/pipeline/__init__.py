"""The pipeline: the one place where the stages meet.

extract (a ``<id>.pdf`` source's text, once) → sources (``<id>.txt``, optionally
``<id>.meta.yaml``) → parse → validate (audit findings) → publish (data packages) → charts
and pages (Markdown) → MkDocs (the static site). ``build``
runs it all (``build_data`` is the data half, ``python -m builder build --no-site``), showing
its progress (``builder.progress``) and returning what the summary says; ``validate_packages``
checks what it wrote; ``add_disclosure`` checks a new text and places it among the sources
(``python -m builder add``). The CLI only parses arguments and calls these.

The build is parallel and incremental. The per-disclosure work (parse, audit, package; then
the disclosure's pages) runs in ``jobs`` worker processes (``builder.pipeline.steps``), each writing
only its own files, so the output is the same for any number of jobs. A disclosure whose
source key (``builder.cache``: its text, its record, the code) is unchanged since the last
build is not processed again: its package stays, and the portal-wide stages read its cached
digest. The portal package and each year's are written again only when one of their
disclosures changed, from the spool the build keeps (``builder.publish.spool``: it reads the
changed disclosures' contributions only); the portal-wide pages read the views the build
keeps (``builder.pipeline.views``).

This package orders the stages (``build``, ``process_disclosures``, ``load_disclosures``,
``validate_packages``). The build's worker processes are started once, and the stages that
run in this process overlap the workers' where their inputs allow: the portal package is
written, the portal pages' views read and the portal pages that do not show the disclosures'
published files written (the portal's bundles and database begun in a thread) while the
workers write the disclosures' pages, and the partitioned Parquet is handed to the workers
behind the pages.
Its modules own the rest: ``steps`` (the per-disclosure work run in
worker processes), ``site`` (pages, charts and the MkDocs run), ``install`` (moving packages
into place), ``add`` (the add command), ``commands`` (what the other CLI commands run) and
``defaults`` (the default folders).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from builder.cache import (
    DIGEST,
    HASHES,
    BuildCache,
    HashMemo,
    cache_dir_for,
    source_key,
    tree_hashes,
)
from builder.errors import DisclosureError
from builder.ownership import check_owned, exclusive, mark_owned, remove_leftovers
from builder.pipeline.add import AddResult, add_disclosure
from builder.pipeline.defaults import DEFAULT_OUTPUT, DEFAULT_SITE, DEFAULT_SOURCES
from builder.pipeline.install import as_installed, install, read_state, write_state
from builder.pipeline.site import (
    DataStage,
    build_site,
    docs_dir_for,
    plan_pages,
    render_pages_meanwhile,
)
from builder.pipeline.steps import (
    CONTRIBUTION,
    Brief,
    Digests,
    Outcome,
    Skipped,
    SourceTask,
    Workers,
    audit_rows,
    process_source,
    read_disclosure,
    run_all,
    worker_pool,
)
from builder.progress import Progress
from builder.publish import PackageCheck, format_report, verify
from builder.publish.identity import content_key
from builder.publish.inputs import Disclosure, SourceRecord
from builder.publish.portal import PORTAL, Contribution, year_package_name
from builder.publish.spool import KEPT, Kept, write_kept_portal_packages
from builder.regular_files import check_in_folder
from builder.sources.opening import source_files
from builder.validate.findings import SEVERITIES

SKIPPED_SHOWN = 20  # the summary names this many skipped files (or disclosures with parse
# warnings); the site lists them all


__all__ = [
    "DEFAULT_OUTPUT",
    "DEFAULT_SITE",
    "DEFAULT_SOURCES",
    "AddResult",
    "Skipped",
    "add_disclosure",
    "build",
    "build_data",
    "docs_dir_for",
    "load_disclosures",
    "read_disclosure",
    "validate_packages",
]


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote and found, for the summary."""

    output: Path
    disclosures: int
    packages: int
    files: int
    seconds: float
    site: Path | None = None
    stages: dict[str, float] = field(default_factory=dict)  # wall clock
    cpu: dict[str, float] = field(default_factory=dict)  # CPU per step, summed over workers
    reused: int = 0  # disclosures whose outputs were unchanged and kept
    jobs: int = 1
    findings: dict[str, int] = field(default_factory=dict)  # by severity
    parse_warnings: dict[str, int] = field(default_factory=dict)  # by disclosure id
    skipped: list[Skipped] = field(default_factory=list)
    site_pages: tuple[int, int] | None = None  # MkDocs: pages rendered, pages kept
    site_seconds: dict[str, list[float]] = field(default_factory=dict)  # MkDocs: wall, CPU

    def describe(self) -> str:
        lines = [
            f"wrote {self.packages} data packages ({self.disclosures} disclosures and the "
            f"portal-wide package, {self.files} files) to {self.output} in {self.seconds:.1f}s"
            f" with {self.jobs} job(s)",
            f"processed {self.disclosures - self.reused} disclosure(s); kept {self.reused} "
            "unchanged since the last build",
        ]
        if self.site is not None:
            lines.append(f"wrote the site to {self.site}")
        if self.site_pages is not None:
            rendered, kept = self.site_pages
            lines.append(
                f"rendered {rendered} page(s) with MkDocs; kept {kept} unchanged since the "
                "last build"
            )
        if self.site_seconds:
            lines.append(
                "MkDocs by phase (wall/CPU): "
                + ", ".join(f"{k} {w:.1f}/{c:.1f}s" for k, (w, c) in self.site_seconds.items())
            )
        counts = ", ".join(f"{self.findings.get(s, 0)} {s}" for s in SEVERITIES)
        lines.append(f"audit findings: {counts} (python -m builder audit FILE lists them)")
        warnings = sum(self.parse_warnings.values())
        listed = sorted(self.parse_warnings.items())
        where = "; ".join(f"{key}: {count}" for key, count in listed[:SKIPPED_SHOWN])
        if len(listed) > SKIPPED_SHOWN:
            where += f"; … and {len(listed) - SKIPPED_SHOWN} more disclosures"
        lines.append(
            f"parse warnings: {warnings}"
            + (f" ({where}; python -m builder parse FILE lists them)" if warnings else "")
        )
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)} source file(s) that could not be used:")
            lines.extend(f"  {item.describe()}" for item in self.skipped[:SKIPPED_SHOWN])
            if len(self.skipped) > SKIPPED_SHOWN:
                lines.append(
                    f"  … and {len(self.skipped) - SKIPPED_SHOWN} more "
                    "(all are listed on the site's data-quality page)"
                )
        if self.stages:
            lines.append(
                "time per stage: "
                + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.stages.items())
            )
        if self.cpu:
            lines.append(
                f"CPU per step ({self.jobs} job(s) together): "
                + ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.cpu.items())
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class ValidationResult:
    """The checks of every package, and the readable report."""

    checks: list[PackageCheck]
    seconds: float

    @property
    def valid(self) -> bool:
        return all(check.valid for check in self.checks)

    def report(self) -> str:
        return format_report(self.checks) + f"checked in {self.seconds:.1f}s\n"


def load_disclosures(
    sources: Path,
    progress: Progress | None = None,
    skipped: list[Skipped] | None = None,
) -> list[Disclosure]:
    """Every disclosure text under ``sources``, parsed and audited, in one process.

    For callers that want the disclosures themselves (``builder.publish.publish``); the build
    works per disclosure instead (:func:`build`). With a ``skipped`` list, a text that cannot
    be used is recorded there and the others go on; without one, the first problem raises.
    """
    progress = progress or Progress()
    paths = source_paths(sources)
    read: list[Disclosure] = []
    with progress.stage("parse", len(paths)) as stage:
        for path in paths:
            stage.step(path.stem)
            try:
                record, parsed = read_disclosure(path)
            except DisclosureError as error:
                if skipped is None:
                    raise
                skipped.append(Skipped.from_error(error))
                continue
            read.append(Disclosure(record, parsed, audit_rows(parsed, record.id)))
    kept = distinct([(d.record, content_key(d.parsed)) for d in read], sources, skipped)
    disclosures = [d for d in read if d.id in kept]
    if not disclosures:
        raise nothing_usable(sources, skipped)
    return disclosures


def source_paths(sources: Path) -> list[Path]:
    """Every ``*.txt`` and every ``*.pdf`` without a ``.txt`` of its stem
    (``builder.sources.opening``)."""
    if not sources.is_dir():
        raise DisclosureError(
            sources,
            None,
            ("not a folder" if sources.exists() else "no such folder")
            + ": --sources must be the folder of disclosure texts",
            f"give a folder, such as the default {DEFAULT_SOURCES}",
        )
    paths = source_files(sources)
    if not paths:
        raise DisclosureError(
            sources, None, "no disclosures (*.txt, or *.pdf to extract) in this folder"
        )
    return paths


def nothing_usable(sources: Path, skipped: list[Skipped] | None) -> DisclosureError:
    first = skipped[0] if skipped else None
    if first is None:
        return DisclosureError(sources, None, "none of the disclosure texts could be used")
    return DisclosureError(
        sources / first.file,
        first.line,
        f"none of the disclosure texts could be used; {first.message}",
        first.hint,
    )


def distinct(
    records: list[tuple[SourceRecord, str]],
    sources: Path,
    skipped: list[Skipped] | None = None,
) -> set[str]:
    """The ids to keep, from each record and its content key
    (``builder.publish.identity``): the same disclosure twice (under two ids, as the same
    text or as texts that differ only in bytes that change no table) would count it twice,
    so only the first id is kept and the other is skipped (an error if strict)."""
    seen: dict[str, str] = {}
    kept = set()
    for record, content in records:
        first = seen.get(record.sha256) or seen.get(content)
        if first is not None:
            same = "text" if seen.get(record.sha256) else "disclosure"
            error = DisclosureError(
                sources / record.source_file,
                None,
                f"the same {same} as {first}"
                + (
                    ""
                    if same == "text"
                    else " (same unit, year, kind, scope and tables; only the texts differ)"
                ),
                "keep one of the two files; this one is left out so that nothing is counted twice",
            )
            if skipped is None:
                raise error
            skipped.append(Skipped.from_error(error))
            continue
        kept.add(record.id)
        seen[record.sha256] = seen[content] = record.source_file
    return kept


def build_data(
    sources: Path = DEFAULT_SOURCES,
    output: Path = DEFAULT_OUTPUT,
    *,
    strict: bool = False,
    jobs: int | None = None,
) -> BuildResult:
    """Parse and audit every disclosure under ``sources``; write the packages to ``output``."""
    return build(sources, output, site=None, strict=strict, jobs=jobs)


def default_jobs() -> int:
    return os.cpu_count() or 1


def build(  # noqa: PLR0913 - folders, progress and four switches
    sources: Path = DEFAULT_SOURCES,
    output: Path = DEFAULT_OUTPUT,
    site: Path | None = DEFAULT_SITE,
    progress: Progress | None = None,
    *,
    strict: bool = False,
    jobs: int | None = None,
    clean: bool = False,
    mkdocs: bool = True,
    root: Path | None = None,
    executor: Executor | None = None,
) -> BuildResult:
    """The whole build: packages to ``output`` and, unless ``site`` is None, the site there.

    ``progress`` shows the stages as they run (``Progress(sys.stderr)``); by default nothing
    is shown. The stages are timed either way. The build holds the output's lock
    (``builder.ownership``): a second build on the same output stops at once. A source that
    cannot be used is skipped and listed (in the result and on the data-quality page) unless
    ``strict``, which makes the first problem fatal and writes nothing. ``jobs``: worker
    processes (default: one per CPU). ``clean``: ignore what earlier builds left (the cache)
    and process everything. ``mkdocs=False`` stops after the Markdown pages (the benchmarks
    time MkDocs apart). ``root``: the folder holding ``output`` and ``site`` that the build
    owns as a whole (``--output DIR``); it is refused, with nothing changed, unless it is new,
    empty or marked as a build's own by an earlier build (``builder.ownership``).
    ``executor``: run the per-disclosure work on this :class:`concurrent.futures.Executor`
    instead of the build's own worker processes (a Dask cluster's ``client.get_executor()``);
    the outputs are the same bytes either way.
    """
    progress = progress or Progress()
    jobs = jobs or default_jobs()
    start = time.perf_counter()
    if root is not None:
        check_owned(root)
    with exclusive(output):
        if root is not None:
            mark_owned(root)
        remove_leftovers(output, site)
        site_run = None
        with (
            worker_pool(jobs if executor is None else executor) as workers,
            process_disclosures(
                sources, output, progress, strict=strict, jobs=workers, clean=clean
            ) as processed,
        ):
            if site is None:
                data = processed.finish(progress)
            else:
                # the portal package and the portal pages are written here while the
                # workers write the disclosures' pages
                folders = (sources, output, site)
                pages = plan_pages(processed.digests, processed.hashes, folders)
                with pages.unfinished:  # the portal pages, if the build stops before their end
                    data = render_pages_meanwhile(pages, workers, progress, processed.finish)
                    site_run = build_site(data, pages, progress, jobs=workers, mkdocs=mkdocs)
        with progress.stage("hash memo", doing="saving the files' hashes"):
            data.hashes.save()
    digests = data.digests
    return BuildResult(
        output,
        len(digests),
        len(digests) + 1,
        data.files,
        time.perf_counter() - start,
        site,
        dict(progress.seconds),
        dict(progress.cpu),
        data.reused,
        jobs,
        findings=severities(digests),
        parse_warnings={d.id: d.parse_warnings for d in digests if d.parse_warnings},
        skipped=data.skipped,
        site_pages=None if site_run is None else (site_run.rendered, site_run.kept),
        site_seconds={} if site_run is None else site_run.seconds,
    )


def severities(digests: Digests) -> dict[str, int]:
    """The audit findings of every kept disclosure, counted by severity."""
    counts: Counter[str] = Counter()
    for digest in digests:
        counts.update(digest.severities)
    return dict(counts)


@dataclass(frozen=True)
class Processed:
    """The disclosures of a build processed and their packages installed; the portal
    package and each year's are still to write (:meth:`finish`)."""

    output: Path
    staging: Path  # where the portal packages are written before they are installed
    digests: Digests
    skipped: list[Skipped]
    kept: set[str]  # the disclosures kept unchanged since the last build
    state: tuple[dict[str, str], dict[str, dict[str, str]]]  # as read when the build began
    hashes: HashMemo

    def finish(self, progress: Progress) -> DataStage:
        """Write the portal package and each year's (in this process), install them and
        record what was installed."""
        digests, output, state, hashes = self.digests, self.output, self.state, self.hashes
        cache = digests.cache
        with progress.stage("portal package", 1) as stage:
            stage.step(PORTAL)
            portal, kept_names, package_keys = write_portal(
                digests, self.staging, output, state, hashes
            )
            names = portal.names
        install(self.staging, output, {d.id for d in digests} | set(names))
        reused = self.kept | kept_names
        installed = {
            name: state[1][name] if name in reused else tree_hashes(output / name, hashes)
            for name in [d.id for d in digests] + names
        }
        write_state(cache, {d.id: d.key for d in digests} | package_keys, installed)
        cache.prune({d.id: d.key for d in digests})
        return DataStage(
            digests,
            self.skipped,
            len(self.kept),
            cache,
            hashes,
            portal.shapes,
            sum(len(listed) for listed in installed.values()),  # as recorded: not walked
        )


@contextmanager
def process_disclosures(  # noqa: PLR0913 - folders, progress and three switches
    sources: Path,
    output: Path,
    progress: Progress,
    *,
    strict: bool,
    jobs: Workers,
    clean: bool,
) -> Iterator[Processed]:
    """Process the changed disclosures (in workers) and install their packages; the portal
    packages are written by :meth:`Processed.finish` (their staging folder is removed when
    the ``with`` ends)."""
    cache = BuildCache(cache_dir_for(output))
    if clean:
        shutil.rmtree(cache.folder, ignore_errors=True)
    state = read_state(cache)  # the installed keys, and the files of each
    hashes = HashMemo.load(cache.folder / HASHES)
    paths = source_paths(sources)
    keys = fingerprint(paths, progress, hashes)
    with progress.stage("kept packages", doing="checking the unchanged packages' files"):
        fresh = {
            path: key
            for path, key in keys.items()
            if key is not None
            and cache.has(path.stem, key)
            and as_installed(output, path.stem, key, state, hashes)
        }
    staging = output.resolve().parent / f".{output.name}.staging-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        tasks = [
            SourceTask(path, key or "", staging, cache)
            for path, key in keys.items()
            if path not in fresh
        ]
        with progress.stage("disclosures", len(paths)) as stage:

            def done(outcome: Outcome) -> None:
                stage.step(outcome.source.stem)
                progress.add_cpu(outcome.seconds)

            outcomes = {o.source: o for o in run_all(process_source, tasks, jobs, done)}
            skipped: list[Skipped] = []
            briefs: list[Brief] = []
            for path in paths:
                if path in fresh:
                    stage.step(f"{path.stem} (unchanged)")
                    briefs.append(cache.load(path.stem, fresh[path], DIGEST).brief)
                    continue
                outcome = outcomes[path]
                if outcome.skipped is not None:
                    if strict:
                        item = outcome.skipped
                        raise DisclosureError(path, item.line, item.message, item.hint)
                    skipped.append(outcome.skipped)
                elif outcome.brief is not None:
                    briefs.append(outcome.brief)
        kept = distinct(
            [(b.record, b.content) for b in briefs], sources, None if strict else skipped
        )
        digests = Digests([b for b in briefs if b.id in kept], cache)
        if not digests:
            raise nothing_usable(sources, skipped)
        # the disclosures' packages now (the pages publish them); the portal's old ones stay
        install(staging, output, {d.id for d in digests} | set(portal_keys(digests)))
        reused = {path.stem for path in fresh}
        yield Processed(output, staging, digests, skipped, reused, state, hashes)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_portal(
    digests: Digests,
    staging: Path,
    output: Path,
    state: tuple[dict[str, str], dict[str, dict[str, str]]],
    hashes: HashMemo,
) -> tuple[Kept, set[str], dict[str, str]]:
    """The portal package and each year's, written into ``staging`` from the kept spool
    (``builder.publish.spool``), but those installed in ``output`` as the last build wrote
    them from the same disclosures (``state``: the installed keys and files); what was
    written, the names kept, and the key of each package."""
    cache = digests.cache
    package_keys = portal_keys(digests)

    def current(name: str) -> bool:  # as the last build installed it: kept
        return as_installed(output, name, package_keys[name], state, hashes)

    def load(disclosure_id: str, key: str) -> Contribution:
        part: Contribution = cache.load(disclosure_id, key, DIGEST).part(CONTRIBUTION)
        return part

    members = sorted((d.id, d.key) for d in digests)
    done = write_kept_portal_packages(members, load, staging, cache.folder / KEPT, current)
    return done, {name for name in done.names if not (staging / name).exists()}, package_keys


def portal_keys(digests: Digests) -> dict[str, str]:
    """The key of the portal package and of each year's package: a hash of its disclosures'
    ids and source keys (which hold the code and the data release), so a package whose
    disclosures are all unchanged is kept as installed."""
    members: dict[str, list[tuple[str, str]]] = {PORTAL: []}
    for digest in sorted(digests, key=lambda d: d.id):
        for name in (PORTAL, year_package_name(digest.record.year)):
            members.setdefault(name, []).append((digest.id, digest.key))
    return {
        name: hashlib.sha256(json.dumps(chosen).encode("utf-8")).hexdigest()
        for name, chosen in members.items()
    }


def fingerprint(paths: list[Path], progress: Progress, hashes: HashMemo) -> dict[Path, str | None]:
    """Each source's key (``source_key_or_none``), its file hashed only when its stat
    signature changed since the last build (``hashes``)."""
    with progress.stage("fingerprint", len(paths)) as stage:
        keys = {}
        for path in paths:
            stage.step(path.stem)
            keys[path] = source_key_or_none(path, hashes)
    return keys


def source_key_or_none(path: Path, hashes: HashMemo | None = None) -> str | None:
    """The source key, or None when the file cannot be read or is not a regular file inside
    the sources folder (processing will say why). Such a file is never read here."""
    try:
        check_in_folder(path)
        return source_key(path, hashes)
    except (OSError, DisclosureError):
        return None


def validate_packages(output: Path = DEFAULT_OUTPUT) -> ValidationResult:
    """Check every package under ``output`` with frictionless and the file checks."""
    start = time.perf_counter()
    if not any(output.glob("*/datapackage.json")):
        raise DisclosureError(
            output, None, "no data packages here", "run `python -m builder build --no-site` first"
        )
    checks = verify(output)
    return ValidationResult(checks, time.perf_counter() - start)
