"""The per-disclosure work of a build, as functions a worker process can run.

:func:`process_source` takes one source (a text, or a PDF, extracted once) to its data
package (written to a staging folder), its part of the portal package and the digest the
portal-wide stages read; it caches the digest and the full parse under the source's key.
:func:`render_pages` writes one disclosure's pages from the cached parse. :func:`run_all`
runs either over many items with the build's worker processes (:func:`worker_pool`: started
once for the build, they die with it: ``builder.children``), or with any
:class:`concurrent.futures.Executor` given to it (a Dask or Ray cluster's executor runs the
same functions unchanged); results come back in the items' order, so the output does not
depend on which worker finished first.
"""

from __future__ import annotations

import gc
import os
import pickle
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from builder.cache import DIGEST, EXTRACTIONS, FULL, PICKLE_PROTOCOL, BuildCache
from builder.children import die_with_parent
from builder.errors import DisclosureError
from builder.extract.stored import stored_text
from builder.pages import DisclosureInput, PageFolders, portal_view, produce_disclosure
from builder.pages.outputs import Produced
from builder.parse import parse_file
from builder.publish import contribution
from builder.publish.disclosure import disclosure_package
from builder.publish.identity import content_key
from builder.publish.inputs import Disclosure, SourceRecord, check_parse, source_record
from builder.publish.packages import write_package
from builder.publish.partitions import Partition, partition_files, partition_pieces
from builder.regular_files import check_in_folder
from builder.sources.opening import is_pdf
from builder.sources.provenance import check_id
from builder.validate.audit import audit

Item = TypeVar("Item")
Result = TypeVar("Result")
TASKS_PER_WORKER = 32  # chunks per worker: small enough that no worker waits long for the
# other's last one at a stage's end (at 4, 125 disclosures a chunk at 1,000), large enough to batch
# A worker's collector: a young collection every 10,000 net allocations instead of 700 (the
# per-disclosure work allocates millions of short-lived, acyclic objects; BENCHMARKS.md,
# "clean-cpu2").
WORKER_GC_THRESHOLD = (10_000, 10, 10)


@dataclass(frozen=True)
class Skipped:
    """A source file the build could not use, and why (it is listed, the build goes on)."""

    file: str
    line: int | None
    message: str
    hint: str

    @classmethod
    def from_error(cls, error: DisclosureError) -> Skipped:
        return cls(error.path.name, error.line, error.message, error.hint)

    def describe(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}" + (f" ({self.hint})" if self.hint else "")

    def to_row(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message, "hint": self.hint}


VIEW = "view"  # builder.pages.portal_view of the parse
FINDINGS = "findings"  # the audit rows
CONTRIBUTION = "contribution"  # its part of the portal package (builder.publish.portal)


@dataclass(frozen=True)
class Brief:
    """What the build holds of each disclosure through the portal-wide stages: a few hundred
    bytes (the large parts stay in its cached :class:`Digest`, read when a stage needs them)."""

    key: str
    record: SourceRecord
    document: dict[str, Any]  # the parse's document: title, unit, year, kind, lines
    parse_warnings: int
    severities: dict[str, int]  # its audit findings by severity
    content: str  # builder.publish.identity.content_key: the same disclosure under two ids

    @property
    def id(self) -> str:
        return self.record.id


@dataclass(frozen=True)
class Digest:
    """What the portal-wide stages keep of one disclosure between builds: its brief, and its
    large parts (``VIEW``, ``FINDINGS``, ``CONTRIBUTION``) each pickled apart, so that a
    stage unpickles only the part it reads."""

    brief: Brief
    parts: dict[str, bytes]

    @classmethod
    def of(cls, brief: Brief, parts: dict[str, Any]) -> Digest:
        return cls(brief, {name: pickle.dumps(v, PICKLE_PROTOCOL) for name, v in parts.items()})

    def part(self, name: str) -> Any:
        return pickle.loads(self.parts[name])  # our own cache, written by this builder


@dataclass(frozen=True)
class Digests:
    """The kept disclosures' briefs (in source order) and the cache their digests are read
    from: a portal-wide stage goes through the disclosures one at a time (:meth:`parts`), so
    the build never holds every disclosure's large parts at once."""

    briefs: list[Brief]
    cache: BuildCache

    def __iter__(self) -> Iterator[Brief]:
        return iter(self.briefs)

    def __len__(self) -> int:
        return len(self.briefs)

    def parts(self, *names: str, briefs: Iterable[Brief] | None = None) -> Iterator[list[Any]]:
        """Each disclosure's parts ``names`` (of ``briefs``, by default all), read from its
        cached digest when the caller gets to it."""
        for brief in self.briefs if briefs is None else briefs:
            digest: Digest = self.cache.load(brief.id, brief.key, DIGEST)
            yield [digest.part(name) for name in names]


class Sharing:
    """Values read from many disclosures' digests, with their equal strings, numbers and
    amounts made one object (all immutable), so the portal pages, which hold every
    disclosure's view and findings at once, hold each repeated key, label and amount once
    (a third less memory, measured on 1,000 disclosures)."""

    def __init__(self) -> None:
        self.seen: dict[object, object] = {}

    def __call__(self, value: Any) -> Any:
        # One closure a value, strings first and a string key without a call: 0.83 → 0.56 s
        # of CPU for the 1,000 disclosures' views (3.7 million calls before).
        one = self.seen.setdefault

        def share(value: Any) -> Any:
            kind = type(value)
            if kind is str or kind is int:
                return one(value, value)
            if kind is dict:
                return {
                    (one(key, key) if type(key) is str else share(key)): share(item)
                    for key, item in value.items()
                }
            if kind is list:
                return [share(item) for item in value]
            if kind is Decimal:  # by digits and exponent: 1.0 and 1.00 stay two
                return one((Decimal, value.as_tuple()), value)
            return value

        return share(value)


@dataclass(frozen=True)
class Outcome:
    """A processed source: its brief (its digest is in the cache), or why it was skipped;
    CPU seconds per step."""

    source: Path
    brief: Brief | None = None
    skipped: Skipped | None = None
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceTask:
    source: Path
    key: str
    staging: Path  # the package is written to staging/<id>
    cache: BuildCache


def read_disclosure(
    source: Path, extractions: Path | None = None
) -> tuple[SourceRecord, dict[str, Any]]:
    """The provenance record and the parse of one disclosure (a text, or a PDF whose
    extraction is kept in ``extractions``), checked against each other. The source must be
    a regular file inside its folder (``builder.sources.opening.check_in_folder``)."""
    check_id(source)
    check_in_folder(source)
    parsed = parse_file(source, extractions)
    record = source_record(source, parsed)
    check_parse(record, parsed, source)
    return record, parsed


def audit_rows(parsed: dict[str, Any], disclosure_id: str) -> list[dict[str, Any]]:
    return [finding.to_row() for finding in audit(parsed, disclosure_id)]


def parse_warnings(parsed: dict[str, Any]) -> list[dict[str, Any]]:
    """The parse's issues that are not mere information (``python -m builder parse`` lists
    them under "not understood / to check")."""
    return [i for i in parsed["report"]["issues"] if i["severity"] != "info"]


def process_source(task: SourceTask) -> Outcome:
    """Parse, audit and package one source; cache its digest and parse under its key."""
    seconds: dict[str, float] = {}
    clock = time.process_time()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.process_time()
        seconds[step] = seconds.get(step, 0.0) + now - clock
        clock = now

    extractions = task.cache.folder / EXTRACTIONS
    try:
        check_in_folder(task.source)  # before a PDF is opened to extract it
        if is_pdf(task.source):  # timed apart: a PDF's first extraction is most of its work
            stored_text(task.source, extractions)
            lap("extract")
        record, parsed = read_disclosure(task.source, extractions)
    except DisclosureError as error:
        return Outcome(task.source, skipped=Skipped.from_error(error))
    lap("parse")
    disclosure = Disclosure(record, parsed, audit_rows(parsed, record.id))
    lap("audit")
    plan = disclosure_package(disclosure)
    target = task.staging / plan.name
    shutil.rmtree(target, ignore_errors=True)
    write_package(plan, target)
    brief = Brief(
        task.key,
        record,
        parsed["document"],
        len(parse_warnings(parsed)),
        dict(Counter(str(row["severity"]) for row in disclosure.findings)),
        content_key(parsed),
    )
    parts = {
        VIEW: portal_view(parsed),
        FINDINGS: disclosure.findings,
        CONTRIBUTION: contribution(disclosure, plan),
    }
    lap("packages")
    task.cache.store(record.id, task.key, FULL, disclosure)
    task.cache.store(record.id, task.key, DIGEST, Digest.of(brief, parts))
    lap("cache")
    return Outcome(task.source, brief=brief, seconds=seconds)


@dataclass(frozen=True)
class PageTask:
    disclosure_id: str
    key: str  # the source key (to find the cached parse)
    siblings: tuple[tuple[str, dict[str, Any]], ...]
    folders: PageFolders
    cache: BuildCache


def render_pages(task: PageTask) -> tuple[Produced, float]:
    """One disclosure's pages from its cached parse; the files written and CPU seconds."""
    start = time.process_time()
    disclosure: Disclosure = task.cache.load(task.disclosure_id, task.key, FULL)
    item = DisclosureInput(
        task.disclosure_id,
        disclosure.parsed,
        disclosure.findings,
        disclosure.record.licence,
        disclosure.record.source_url,
        task.siblings,
    )
    produced = produce_disclosure(item, task.folders)
    return produced, time.process_time() - start


@dataclass(frozen=True)
class PartitionTask:
    partition: Partition
    keys: tuple[str, ...]  # the source key of each of its members (to find their digests)
    cache: BuildCache


def partition_parquet(task: PartitionTask) -> dict[str, bytes]:
    """One partition's Parquet files, from its members' cached contributions."""
    partition = task.partition
    contributions = [
        task.cache.load(disclosure_id, key, DIGEST).part(CONTRIBUTION)
        for disclosure_id, key in zip(partition.members, task.keys, strict=True)
    ]
    return partition_files(partition, partition_pieces(partition, contributions))


Workers = int | Executor
"""How the per-disclosure work runs: a number of worker processes, or an executor."""


@contextmanager
def worker_pool(workers: Workers) -> Iterator[Workers]:
    """The workers of a whole build: ``workers`` worker processes started once (each stage
    hands them its tasks: no pool to start again, no module imported again), or 1 (the
    build's own process), or the executor given (not shut down here)."""
    if isinstance(workers, Executor) or workers <= 1:
        yield workers
        return
    with Pool(workers) as pool:
        yield pool


class Pool(ProcessPoolExecutor):
    """``jobs`` worker processes (:func:`start_worker`), started at the first task."""

    def __init__(self, jobs: int) -> None:
        super().__init__(max_workers=jobs, initializer=start_worker, initargs=(os.getpid(),))
        self.jobs = jobs

    def __exit__(self, kind: object, *_: object) -> bool | None:
        # on an error, the tasks not yet started are dropped (a stage may have left some)
        self.shutdown(wait=True, cancel_futures=kind is not None)
        return None


def done_with(workers: Workers) -> None:
    """The build's own worker processes are no longer needed: they end (their memory is
    the later stages'); the work left runs in the build's process or in MkDocs'."""
    if isinstance(workers, Pool):
        workers.shutdown()


def job_count(workers: Workers) -> int:
    """How many processes ``workers`` are on this machine (an executor elsewhere: as many as
    this machine has CPUs, for the work the build does here)."""
    if isinstance(workers, Pool):
        return workers.jobs
    if isinstance(workers, Executor):
        return os.cpu_count() or 1
    return workers


def run_all(
    function: Callable[[Item], Result],
    items: list[Item],
    workers: Workers,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """``function`` over ``items``: in ``workers`` worker processes when that is a number
    and there is work for more than one, or on ``workers`` when it is an executor (which is
    not shut down here); results in the items' order."""
    results = []
    for result in run_each(function, items, workers):
        if on_result is not None:
            on_result(result)
        results.append(result)
    return results


def run_each(
    function: Callable[[Item], Result], items: list[Item], workers: Workers
) -> Iterable[Result]:
    """As :func:`run_all`, but each result is handed on as it comes, none kept (for results
    as large as the files they are written to). On an executor the work is under way when
    this returns (the caller may do something else meanwhile); with a number of workers, a
    pool is started for it and the work starts when the results are first asked for."""
    if isinstance(workers, Pool):
        chunk = max(1, len(items) // (workers.jobs * TASKS_PER_WORKER))
        return workers.map(function, items, chunksize=chunk)
    if isinstance(workers, Executor):
        return workers.map(function, items)
    if workers <= 1 or len(items) <= 1:
        return map(function, items)
    return _pooled(function, items, workers)


def _pooled(
    function: Callable[[Item], Result], items: list[Item], workers: int
) -> Iterator[Result]:
    with worker_pool(min(workers, len(items))) as pool:
        yield from run_each(function, items, pool)


def start_worker(parent: int) -> None:
    """A worker process's start: it dies with the build (``builder.children``); the objects
    it inherited from the build are left out of its garbage collections (``gc.freeze``: the
    worker never frees them, and a collection that walked them would copy their memory
    pages from the parent), and it collects less often (``WORKER_GC_THRESHOLD``). 100
    disclosures with ``--jobs 2``: the workers' collections 0.97 → 0.19 s of CPU."""
    die_with_parent(parent)
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLD)
