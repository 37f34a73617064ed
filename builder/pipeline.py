"""The pipeline: the one place where the stages meet.

extract (a ``<id>.pdf`` source's text, once) → sources (``<id>.txt``, optionally
``<id>.meta.yaml``) → parse → validate (audit findings) → publish (data packages) → charts
and pages (Markdown) → MkDocs (the static site). ``build``
runs it all (``build_data`` is the data half, ``python -m builder build --no-site``), showing
its progress (``builder.progress``) and returning what the summary says; ``validate_packages``
checks what it wrote; ``add_disclosure`` checks a new text and places it among the sources
(``python -m builder add``). The CLI only parses arguments and calls these.

The build is parallel and incremental. The per-disclosure work (parse, audit, package; then
the disclosure's pages) runs in ``jobs`` worker processes (``builder.steps``), each writing
only its own files, so the output is the same for any number of jobs. A disclosure whose
source key (``builder.cache``: its text, its record, the code) is unchanged since the last
build is not processed again: its package stays, and the portal-wide stages read its cached
digest. The portal package and the portal-wide pages are rebuilt every time, from digests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.cache import (
    DIGEST,
    BuildCache,
    cache_dir_for,
    source_key,
    tree_hashes,
    write_atomic,
)
from builder.errors import DisclosureError
from builder.extract import EXTRACTOR
from builder.extract.opening import pdf_sha256
from builder.extract.stored import stored_text
from builder.ownership import check_owned, exclusive, mark_owned, remove_leftovers
from builder.pages import (
    GENERATED_DIRS,
    GENERATED_FILES,
    PageFolders,
    PortalPages,
    clear_generated,
    listed_entry,
    owner_of_disclosure,
    page_key,
    write_portal_pages,
)
from builder.pages.outputs import Outputs
from builder.parse import parse_file
from builder.parse.document import read_cover
from builder.progress import Progress
from builder.publish import PackageCheck, format_report, portal_packages, verify
from builder.publish.identity import content_key
from builder.publish.inputs import Disclosure, SourceRecord, check_parse, derive_record
from builder.publish.packages import DESCRIPTOR, write_package
from builder.publish.portal import PORTAL
from builder.regular_files import check_in_folder
from builder.release import current_release
from builder.sources.adding import Placement, default_id, place_source
from builder.sources.opening import is_pdf, source_files
from builder.sources.provenance import OPTIONAL_KEYS, TEXT_SUFFIX
from builder.sources.reading import read_source
from builder.steps import (
    Digest,
    Outcome,
    PageTask,
    Skipped,
    SourceTask,
    audit_rows,
    process_source,
    read_disclosure,
    render_pages,
    run_all,
)
from builder.validate import audit_report, load_checks
from builder.validate.findings import SEVERITIES

DEFAULT_SOURCES = Path("datasets/sources")
DEFAULT_OUTPUT = Path("datasets/packages")
DEFAULT_SITE = Path("site")
DOCS_SOURCE = Path("site_src")  # hand-written pages; generated ones are written beside them
MKDOCS_CONFIG = Path("mkdocs.yml")
DEFAULT_SITE_URL = "http://127.0.0.1:8765/"
SKIPPED_SHOWN = 20  # the summary names this many skipped files; the site lists them all
STATE = "state.json"  # in the cache: the key each installed package was built from
PAGES_STATE = "pages.json"  # in the cache: the owners of the generated docs files

__all__ = ["Skipped", "load_disclosures", "read_disclosure"]


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
        counts = ", ".join(f"{self.findings.get(s, 0)} {s}" for s in SEVERITIES)
        lines.append(f"audit findings: {counts} (python -m builder audit FILE lists them)")
        warnings = sum(self.parse_warnings.values())
        where = "; ".join(f"{key}: {count}" for key, count in sorted(self.parse_warnings.items()))
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


@dataclass(frozen=True)
class DataStage:
    """What the data half of a build leaves for the site: the digests and the skipped."""

    digests: list[Digest]
    skipped: list[Skipped]
    reused: int
    cache: BuildCache


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
        data = build_packages(sources, output, progress, strict=strict, jobs=jobs, clean=clean)
        files = sum(len(names) for _, _, names in os.walk(output))
        if site is not None:
            build_site(data, (sources, output, site), progress, jobs=jobs, mkdocs=mkdocs)
    digests = data.digests
    return BuildResult(
        output,
        len(digests),
        len(digests) + 1,
        files,
        time.perf_counter() - start,
        site,
        dict(progress.seconds),
        dict(progress.cpu),
        data.reused,
        jobs,
        findings=dict(Counter(row["severity"] for d in digests for row in d.findings)),
        parse_warnings={d.id: d.parse_warnings for d in digests if d.parse_warnings},
        skipped=data.skipped,
    )


def build_packages(  # noqa: PLR0913 - folders, progress and three switches
    sources: Path,
    output: Path,
    progress: Progress,
    *,
    strict: bool,
    jobs: int,
    clean: bool,
) -> DataStage:
    """Process the changed disclosures (in workers), then write the portal package."""
    cache = BuildCache(cache_dir_for(output))
    if clean:
        shutil.rmtree(cache.folder, ignore_errors=True)
    installed, installed_files = read_state(cache)
    paths = source_paths(sources)
    with progress.stage("fingerprint", len(paths)) as stage:
        keys = {}
        for path in paths:
            stage.step(path.stem)
            keys[path] = source_key_or_none(path)
    fresh = {
        path: key
        for path, key in keys.items()
        if key is not None
        and installed.get(path.stem) == key
        and cache.has(path.stem, key)
        and (output / path.stem / DESCRIPTOR).is_file()
        and tree_hashes(output / path.stem) == installed_files.get(path.stem)
    }
    reused = {path.stem for path in fresh}
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
            digests: list[Digest] = []
            for path in paths:
                if path in fresh:
                    stage.step(f"{path.stem} (unchanged)")
                    digests.append(cache.load(path.stem, fresh[path], DIGEST))
                    continue
                outcome = outcomes[path]
                if outcome.skipped is not None:
                    if strict:
                        item = outcome.skipped
                        raise DisclosureError(path, item.line, item.message, item.hint)
                    skipped.append(outcome.skipped)
                elif outcome.digest is not None:
                    digests.append(outcome.digest)
        kept = distinct(
            [(d.record, d.content) for d in digests], sources, None if strict else skipped
        )
        digests = [d for d in digests if d.id in kept]
        if not digests:
            raise nothing_usable(sources, skipped)
        with progress.stage("portal package", 1) as stage:
            stage.step(PORTAL)
            plans = portal_packages([d.contribution for d in digests])
            for plan in plans:
                write_package(plan, staging / plan.name)
        install(staging, output, {d.id for d in digests} | {plan.name for plan in plans})
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_state(
        cache,
        {d.id: d.key for d in digests},
        {
            d.id: installed_files[d.id] if d.id in reused else tree_hashes(output / d.id)
            for d in digests
        },
    )
    cache.prune({d.id: d.key for d in digests})
    return DataStage(digests, skipped, len(fresh), cache)


def source_key_or_none(path: Path) -> str | None:
    """The source key, or None when the file cannot be read or is not a regular file inside
    the sources folder (processing will say why). Such a file is never read here."""
    try:
        check_in_folder(path)
        return source_key(path)
    except (OSError, DisclosureError):
        return None


def install(staging: Path, output: Path, names: set[str]) -> None:
    """Move each package built in ``staging`` into ``output``, replacing its old version;
    remove the packages of disclosures that are gone."""
    output.mkdir(parents=True, exist_ok=True)
    for built in sorted(staging.iterdir()) if staging.is_dir() else []:
        if built.name not in names:
            continue
        target = output / built.name
        old = output / f".{built.name}.old-{os.getpid()}"
        if target.exists():
            target.rename(old)
        built.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    for folder in output.iterdir():
        if folder.name not in names:
            if folder.is_dir():
                shutil.rmtree(folder)
            else:
                folder.unlink()


def read_state(cache: BuildCache) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The key each installed package was built from, and the sha256 of each of its files
    as installed (by disclosure id)."""
    try:
        data = json.loads((cache.folder / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    packages, files = data.get("packages"), data.get("files")
    if not isinstance(packages, dict) or not isinstance(files, dict):
        return {}, {}
    return {str(k): str(v) for k, v in packages.items()}, files


def write_state(
    cache: BuildCache, packages: dict[str, str], files: dict[str, dict[str, str]]
) -> None:
    """Record what was installed: a later build keeps a package only if every file is still
    exactly what was written (a file edited by hand, or by another build, is rebuilt)."""
    data = json.dumps({"packages": packages, "files": files}, sort_keys=True).encode("utf-8")
    write_atomic(cache.folder / STATE, data)


def docs_dir_for(site: Path) -> Path:
    """Where the site's Markdown is generated: beside the hand-written pages in ``site_src``
    for the default site (so ``mkdocs serve`` previews it), else in ``site-docs`` beside it."""
    if site.resolve() == DEFAULT_SITE.resolve():
        return DOCS_SOURCE
    return site.parent / f"{site.name}-docs"


def build_site(
    data: DataStage,
    folders: tuple[Path, Path, Path],
    progress: Progress | None = None,
    *,
    jobs: int = 1,
    mkdocs: bool = True,
) -> None:
    """Generate the pages and charts, then ``mkdocs build --strict`` into the site folder.

    ``folders`` are the sources, the data packages and the site to write. Disclosure pages
    are written in ``jobs`` worker processes, and only where something they show changed
    (``builder.pages.outputs``). A file in the docs dir that neither the build nor the
    hand-written pages put there (in ``site_src``: in the generated folders) is deleted, so
    it is never published. ``mkdocs=False`` stops after the Markdown pages and charts (the
    benchmarks time MkDocs apart).

    The site is built into a temporary folder and swapped in at the end, so a failed build
    never leaves a half-written site.
    """
    sources, packages, site = folders
    progress = progress or Progress()
    docs = docs_dir_for(site)
    site_url = os.environ.get("SITE_URL", DEFAULT_SITE_URL)
    hand_written = copy_hand_written(docs) if docs != DOCS_SOURCE else set()
    outputs = Outputs.load(data.cache.folder / PAGES_STATE, docs)
    if not outputs.owners:
        clear_generated(docs)
    page_folders = PageFolders(packages, sources, docs, site_url)
    by_unit: dict[str, list[Digest]] = {}
    for digest in data.digests:
        by_unit.setdefault(digest.record.unit_id, []).append(digest)
    tasks: list[tuple[str, PageTask]] = []
    extras: dict[str, dict[str, Any]] = {}
    for digest in data.digests:
        siblings = tuple(
            (d.id, d.view["document"]) for d in by_unit[digest.record.unit_id] if d is not digest
        )
        key = page_key(digest.key, site_url, siblings)
        record = outputs.current(owner_of_disclosure(digest.id), key)
        if record is not None:
            extras[digest.id] = record["extra"]
        else:
            tasks.append((key, PageTask(digest.id, digest.key, siblings, page_folders, data.cache)))
    with progress.stage("pages+charts", len(tasks)) as stage:
        done = run_all(render_pages, [task for _, task in tasks], jobs)
        for (key, task), (produced, seconds) in zip(tasks, done, strict=True):
            stage.step(task.disclosure_id)
            progress.add_cpu({"pages+charts": seconds})
            outputs.record(owner_of_disclosure(task.disclosure_id), key, produced)
            extras[task.disclosure_id] = produced.extra
    with progress.stage("portal pages", 1) as stage:
        stage.step("home, units, data, quality, glossary")
        entries = [
            listed_entry(
                d.id,
                d.view,
                d.findings,
                {"licence": d.record.licence, "source_url": d.record.source_url},
                extras[d.id],
            )
            for d in data.digests
        ]
        write_portal_pages(
            entries,
            page_folders,
            outputs,
            PortalPages(
                load_checks(),
                [item.to_row() for item in data.skipped],
                {d.id: d.key for d in data.digests},
            ),
        )
        outputs.finish()
        scope = GENERATED_DIRS if docs == DOCS_SOURCE else None  # site_src: hand-written too
        outputs.remove_strays(hand_written, scope)
        outputs.save(data.cache.folder / PAGES_STATE)
    if mkdocs:
        with progress.stage("mkdocs", doing="mkdocs build --strict"):
            run_mkdocs(docs, site, site_url)


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


def run_mkdocs(docs: Path, site: Path, site_url: str) -> None:
    """``mkdocs build --strict`` of ``docs`` with the repository's config, swapped into ``site``."""
    site.parent.mkdir(parents=True, exist_ok=True)
    staging = site.parent / f".{site.name}.building"
    config = site.parent / f".{site.name}.mkdocs.yml"
    footer = json.dumps(f"{current_release().label} · 开放预算门户", ensure_ascii=False)
    config.write_text(
        f"INHERIT: {MKDOCS_CONFIG.resolve()}\n"
        f"docs_dir: {docs.resolve()}\nsite_dir: {staging.resolve()}\n"
        f"copyright: {footer}\n",  # the data version on every page
        encoding="utf-8",
    )
    env = {**os.environ, "SITE_URL": site_url, "NO_MKDOCS_2_WARNING": "1"}
    command = ["mkdocs", "build", "--strict", "--quiet", "-f", str(config)]
    result = subprocess.run(  # through builder.children: MkDocs dies if the build is killed
        [sys.executable, "-m", "builder.children", str(os.getpid()), *command],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    config.unlink()
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise DisclosureError(
            docs,
            None,
            "the site did not build (mkdocs build --strict failed):\n" + result.stderr[-3000:],
            "the previous site was left as it was",
        )
    previous = site.parent / f".{site.name}.previous"
    if site.exists():
        site.rename(previous)
    staging.rename(site)
    shutil.rmtree(previous, ignore_errors=True)


def validate_packages(output: Path = DEFAULT_OUTPUT) -> ValidationResult:
    """Check every package under ``output`` with frictionless and the file checks."""
    start = time.perf_counter()
    if not any(output.glob("*/datapackage.json")):
        raise DisclosureError(
            output, None, "no data packages here", "run `python -m builder build --no-site` first"
        )
    checks = verify(output)
    return ValidationResult(checks, time.perf_counter() - start)


@dataclass(frozen=True)
class AddResult:
    """What ``add_disclosure`` did, and the disclosure as the build will read it."""

    placement: Placement
    record: SourceRecord
    parsed: dict[str, Any]
    audit: dict[str, Any]  # the report of ``python -m builder audit``


def add_disclosure(
    file: Path,
    sources: Path = DEFAULT_SOURCES,
    disclosure_id: str | None = None,
    details: Mapping[str, str | None] | None = None,
) -> AddResult:
    """Check the disclosure ``file``, then place its text among ``sources`` with its record.

    ``file`` is a text, or a PDF whose extracted text is placed (its record then names the
    PDF, its sha256 and the extractor). ``disclosure_id``: default
    :func:`builder.sources.adding.default_id`. ``details``: the record's ``source_url``,
    ``published`` (ISO date) and ``licence``, where given. The text is parsed and its record
    derived before anything is copied, so a text the build could not use is refused with
    nothing written. The placed text is then read back exactly as the build reads it, and
    audited, before it is moved into place (:func:`builder.sources.adding.place_source`):
    if anything fails, nothing is left in ``sources``. A ``sources`` that is not a folder is
    refused.
    """
    if sources.exists() and not sources.is_dir():
        raise DisclosureError(
            sources,
            None,
            "not a folder: --sources must be the folder of disclosure texts",
            f"give a folder, such as the default {DEFAULT_SOURCES}",
        )
    given = {key: value for key, value in (details or {}).items() if value is not None}
    if set(given) - set(OPTIONAL_KEYS):
        raise ValueError(f"provenance details are {OPTIONAL_KEYS}, not {sorted(given)}")
    with tempfile.TemporaryDirectory(prefix="extract-") as folder:
        parsed = parse_file(file, Path(folder))
        document = parsed["document"]
        fields: dict[str, Any] = {"sha256": document["sha256"]}
        text, content_sha256 = file, document["sha256"]
        if is_pdf(file):  # parse_file extracted it into the folder: this reads it back
            text, content_sha256 = stored_text(file, Path(folder)), pdf_sha256(file)
            fields |= {"pdf_file": file.name, "pdf_sha256": content_sha256}
            fields["extractor"] = EXTRACTOR
        chosen = disclosure_id or default_id(
            file, document["year"], document["kind"], content_sha256
        )
        target = sources / f"{chosen}{TEXT_SUFFIX}"
        fields |= {"source_url": given.get("source_url"), "published": given.get("published")}
        if "licence" in given:
            fields["licence"] = given["licence"]
        try:
            record = derive_record(target, parsed, fields)
            check_parse(record, parsed, target)
        except DisclosureError as error:
            raise DisclosureError(file, error.line, error.message, error.hint) from error
        check_not_present(file, parsed, sources, target)
        comments = [
            f"Provenance of {target.name}: {document['title']}",
            f"Written by `python -m builder add` from {file.name}"
            + (f" (text extracted by {EXTRACTOR})." if is_pdf(file) else "."),
            "Unit, year, kind, scope and money unit are read from the text (datasets/README.md).",
        ]
        try:
            placement, (record, placed, audit) = place_source(
                text, target, fields, comments, read_back
            )
        except DisclosureError as error:
            if error.path != text:
                raise
            raise DisclosureError(file, error.line, error.message, error.hint) from error
    return AddResult(placement, record, placed, audit)


def read_back(placed: Path) -> tuple[SourceRecord, dict[str, Any], dict[str, Any]]:
    """The placed text read exactly as the build reads it, and its audit report (``add``
    places the text and its record only when this succeeds)."""
    record, parsed = read_disclosure(placed)
    return record, parsed, audit_report(parsed, record.id)


def check_not_present(file: Path, parsed: Mapping[str, Any], sources: Path, target: Path) -> None:
    """Refuse ``file`` if another text in ``sources`` is the same disclosure (the same
    content key, ``builder.publish.identity``) though not the same text (that case, and
    adding the same text again, are ``place_source``'s). Only texts whose cover names the
    same year, kind and scope (and unit, when it names one) are parsed."""
    document = parsed["document"]
    wanted, sha256 = content_key(parsed), document["sha256"]
    facts = (document["year"], document["kind"], document["scope"])
    for other in sorted(sources.glob(f"*{TEXT_SUFFIX}")) if sources.is_dir() else []:
        if other.name == target.name or other.resolve() == file.resolve():
            continue
        try:
            text = read_source(other)
            cover = read_cover(text)
            if text.sha256 == sha256 or (cover["year"], cover["kind"], cover["scope"]) != facts:
                continue
            if cover["unit_name"] not in (None, document["unit_name"]):
                continue
            if content_key(parse_file(other)) != wanted:
                continue
        except DisclosureError:
            continue  # a text the build cannot use either; the build will say so
        raise DisclosureError(
            file,
            None,
            f"the same disclosure is already in the sources as {other.stem} ({other}): same "
            "unit, year, kind, scope and tables, only the texts differ",
            "nothing was copied; one disclosure under two ids would be counted twice",
        )
