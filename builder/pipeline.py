"""The pipeline: the one place where the stages meet.

sources (``<id>.txt``, optionally ``<id>.meta.yaml``) → parse → validate (audit findings) →
publish (data packages) → charts and pages (Markdown) → MkDocs (the static site). ``build``
runs it all (``build_data`` is the data half, ``python -m builder build --no-site``), showing
its progress (``builder.progress``) and returning what the summary says; ``validate_packages``
checks what it wrote; ``add_disclosure`` checks a new text and places it among the sources
(``python -m builder add``). The CLI only parses arguments and calls these.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.errors import DisclosureError
from builder.pages import write_pages
from builder.parse import parse_file
from builder.progress import Progress
from builder.publish import PackageCheck, format_report, publish, verify
from builder.publish.inputs import (
    Disclosure,
    SourceRecord,
    check_parse,
    derive_record,
    source_record,
)
from builder.sources.adding import Placement, default_id, place_source
from builder.sources.provenance import OPTIONAL_KEYS, TEXT_SUFFIX, check_id
from builder.validate import audit_report, load_checks
from builder.validate.audit import audit
from builder.validate.findings import SEVERITIES

DEFAULT_SOURCES = Path("datasets/sources")
DEFAULT_OUTPUT = Path("datasets/packages")
DEFAULT_SITE = Path("site")
DOCS_SOURCE = Path("site_src")  # hand-written pages; generated ones are written beside them
MKDOCS_CONFIG = Path("mkdocs.yml")
DEFAULT_SITE_URL = "http://127.0.0.1:8765/"
SOURCE_PATTERN = "*.txt"
SKIPPED_SHOWN = 20  # the summary names this many skipped files; the site lists them all


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


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote and found, for the summary."""

    output: Path
    disclosures: int
    packages: int
    files: int
    seconds: float
    site: Path | None = None
    stages: dict[str, float] = field(default_factory=dict)
    findings: dict[str, int] = field(default_factory=dict)  # by severity
    parse_warnings: dict[str, int] = field(default_factory=dict)  # by disclosure id
    skipped: list[Skipped] = field(default_factory=list)

    def describe(self) -> str:
        lines = [
            f"wrote {self.packages} data packages ({self.disclosures} disclosures and the "
            f"portal-wide package, {self.files} files) to {self.output} in {self.seconds:.1f}s"
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


def read_disclosure(source: Path) -> tuple[SourceRecord, dict[str, Any]]:
    """The provenance record and the parse of one disclosure text, checked against each other."""
    check_id(source)
    parsed = parse_file(source)
    record = source_record(source, parsed)
    check_parse(record, parsed, source)
    return record, parsed


def audit_rows(parsed: dict[str, Any], disclosure_id: str) -> list[dict[str, Any]]:
    return [finding.to_row() for finding in audit(parsed, disclosure_id)]


def load_disclosures(
    sources: Path,
    progress: Progress | None = None,
    skipped: list[Skipped] | None = None,
) -> list[Disclosure]:
    """Every disclosure text under ``sources``: parsed, then audited (two timed stages).

    With a ``skipped`` list, a text that cannot be used is recorded there and the others go
    on; without one (``--strict``), the first problem stops the build.
    """
    progress = progress or Progress()
    paths = sorted(sources.glob(SOURCE_PATTERN))
    if not paths:
        raise DisclosureError(sources, None, "no disclosure texts (*.txt) in this folder")
    read: list[tuple[SourceRecord, dict[str, Any]]] = []
    with progress.stage("parse", len(paths)) as stage:
        for path in paths:
            stage.step(path.stem)
            try:
                read.append(read_disclosure(path))
            except DisclosureError as error:
                if skipped is None:
                    raise
                skipped.append(Skipped.from_error(error))
    read = check_distinct(read, sources, skipped)
    if not read:
        first = skipped[0] if skipped else None
        raise DisclosureError(
            sources / first.file if first else sources,
            first.line if first else None,
            f"none of the disclosure texts could be used; {first.message}"
            if first
            else "none of the disclosure texts could be used",
            first.hint if first else "",
        )
    disclosures = []
    with progress.stage("audit", len(read)) as stage:
        for record, parsed in read:
            stage.step(record.id)
            disclosures.append(Disclosure(record, parsed, audit_rows(parsed, record.id)))
    return disclosures


def check_distinct(
    read: list[tuple[SourceRecord, dict[str, Any]]],
    sources: Path,
    skipped: list[Skipped] | None = None,
) -> list[tuple[SourceRecord, dict[str, Any]]]:
    """The same text twice (under two ids) would count one disclosure twice: keep the first."""
    seen: dict[str, str] = {}
    kept = []
    for record, parsed in read:
        if record.sha256 in seen:
            error = DisclosureError(
                sources / record.source_file,
                None,
                f"the same text as {seen[record.sha256]}",
                "keep one of the two files",
            )
            if skipped is None:
                raise error
            skipped.append(Skipped.from_error(error))
            continue
        kept.append((record, parsed))
        seen[record.sha256] = record.source_file
    return kept


def build_data(
    sources: Path = DEFAULT_SOURCES, output: Path = DEFAULT_OUTPUT, *, strict: bool = False
) -> BuildResult:
    """Parse and audit every disclosure under ``sources``; write the packages to ``output``."""
    return build(sources, output, site=None, strict=strict)


def build(
    sources: Path = DEFAULT_SOURCES,
    output: Path = DEFAULT_OUTPUT,
    site: Path | None = DEFAULT_SITE,
    progress: Progress | None = None,
    *,
    strict: bool = False,
) -> BuildResult:
    """The whole build: packages to ``output`` and, unless ``site`` is None, the site there.

    ``progress`` shows the stages as they run (``Progress(sys.stderr)``); by default nothing
    is shown. The stages are timed either way. A source that cannot be used is skipped and
    listed (in the result and on the data-quality page) unless ``strict``, which makes the
    first problem fatal.
    """
    progress = progress or Progress()
    start = time.perf_counter()
    skipped: list[Skipped] | None = None if strict else []
    disclosures = load_disclosures(sources, progress, skipped)
    with progress.stage("packages", len(disclosures) + 1) as stage:
        plans = publish(disclosures, output, on_package=stage.step)
    files = sum(1 for path in output.rglob("*") if path.is_file())
    if site is not None:
        build_site(disclosures, (sources, output, site), progress, skipped or [])
    return BuildResult(
        output,
        len(disclosures),
        len(plans),
        files,
        time.perf_counter() - start,
        site,
        dict(progress.seconds),
        findings=dict(Counter(row["severity"] for d in disclosures for row in d.findings)),
        parse_warnings={
            d.id: count for d in disclosures if (count := len(parse_warnings(d.parsed)))
        },
        skipped=skipped or [],
    )


def parse_warnings(parsed: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The parse's issues that are not mere information (``python -m builder parse`` lists
    them under "not understood / to check")."""
    return [i for i in parsed["report"]["issues"] if i["severity"] != "info"]


def docs_dir_for(site: Path) -> Path:
    """Where the site's Markdown is generated: beside the hand-written pages in ``site_src``
    for the default site (so ``mkdocs serve`` previews it), else in ``site-docs`` beside it."""
    if site.resolve() == DEFAULT_SITE.resolve():
        return DOCS_SOURCE
    return site.parent / f"{site.name}-docs"


def build_site(
    disclosures: list[Disclosure],
    folders: tuple[Path, Path, Path],
    progress: Progress | None = None,
    skipped: list[Skipped] | None = None,
    *,
    mkdocs: bool = True,
) -> None:
    """Generate the pages and charts, then ``mkdocs build --strict`` into the site folder.

    ``folders`` are the sources, the data packages and the site to write. ``mkdocs=False``
    stops after the Markdown pages and charts (the benchmarks time MkDocs apart).

    The site is built into a temporary folder and swapped in at the end, so a failed build
    never leaves a half-written site.
    """
    sources, packages, site = folders
    progress = progress or Progress()
    docs = docs_dir_for(site)
    site_url = os.environ.get("SITE_URL", DEFAULT_SITE_URL)
    with progress.stage("pages+charts", len(disclosures)) as stage:
        if docs != DOCS_SOURCE:
            if docs.exists():
                shutil.rmtree(docs)
            shutil.copytree(DOCS_SOURCE, docs)
        write_pages(
            [(d.record.id, d.parsed) for d in disclosures],
            {d.record.id: d.findings for d in disclosures},
            packages,
            docs,
            sources_dir=sources,
            checks=load_checks(),
            site_url=site_url,
            provenance={
                d.id: {"licence": d.record.licence, "source_url": d.record.source_url}
                for d in disclosures
            },
            on_disclosure=stage.step,
            skipped=[item.to_row() for item in skipped or []],
        )
    if mkdocs:
        with progress.stage("mkdocs", doing="mkdocs build --strict"):
            run_mkdocs(docs, site, site_url)


def run_mkdocs(docs: Path, site: Path, site_url: str) -> None:
    """``mkdocs build --strict`` of ``docs`` with the repository's config, swapped into ``site``."""
    site.parent.mkdir(parents=True, exist_ok=True)
    staging = site.parent / f".{site.name}.building"
    config = site.parent / f".{site.name}.mkdocs.yml"
    config.write_text(
        f"INHERIT: {MKDOCS_CONFIG.resolve()}\n"
        f"docs_dir: {docs.resolve()}\nsite_dir: {staging.resolve()}\n",
        encoding="utf-8",
    )
    env = {**os.environ, "SITE_URL": site_url, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config)],
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
    """Check the disclosure text ``file``, then place it among ``sources`` with its record.

    ``disclosure_id``: default :func:`builder.sources.adding.default_id`. ``details``: the
    record's ``source_url``, ``published`` (ISO date) and ``licence``, where given. The text
    is parsed and its record derived before anything is copied, so a text the build could
    not use is refused with nothing written. The placed text is then read back exactly as
    the build reads it, and audited.
    """
    parsed = parse_file(file)
    document = parsed["document"]
    chosen = disclosure_id or default_id(
        file, document["year"], document["kind"], document["sha256"]
    )
    target = sources / f"{chosen}{TEXT_SUFFIX}"
    given = {key: value for key, value in (details or {}).items() if value is not None}
    if set(given) - set(OPTIONAL_KEYS):
        raise ValueError(f"provenance details are {OPTIONAL_KEYS}, not {sorted(given)}")
    fields: dict[str, Any] = {
        "sha256": document["sha256"],
        "source_url": given.get("source_url"),
        "published": given.get("published"),
    }
    if "licence" in given:
        fields["licence"] = given["licence"]
    try:
        record = derive_record(target, parsed, fields)
        check_parse(record, parsed, target)
    except DisclosureError as error:
        raise DisclosureError(file, error.line, error.message, error.hint) from error
    comments = [
        f"Provenance of {target.name}: {document['title']}",
        f"Written by `python -m builder add` from {file.name}.",
        "Unit, year, kind, scope and money unit are read from the text (datasets/README.md).",
    ]
    placement = place_source(file, target, fields, comments)
    record, placed = read_disclosure(placement.source)
    return AddResult(placement, record, placed, audit_report(placed, record.id))
