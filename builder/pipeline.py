"""The pipeline: the one place where the stages meet.

sources (``<id>.txt`` + ``<id>.meta.yaml``) → parse → validate (audit findings) → publish (data
packages) → charts and pages (Markdown) → MkDocs (the static site). ``build`` runs it all;
``build_data`` is the data half (``python -m builder build --no-site``); ``validate_packages``
checks what it wrote. The CLI only parses arguments and calls these.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from builder.errors import DisclosureError
from builder.pages import write_pages
from builder.parse import parse_file
from builder.publish import PackageCheck, format_report, publish, verify
from builder.publish.inputs import Disclosure, check_parse, read_source_record
from builder.validate import load_checks
from builder.validate.audit import audit

DEFAULT_SOURCES = Path("datasets/sources")
DEFAULT_OUTPUT = Path("datasets/packages")
DEFAULT_SITE = Path("site")
DOCS_SOURCE = Path("site_src")  # hand-written pages; generated ones are written beside them
MKDOCS_CONFIG = Path("mkdocs.yml")
DEFAULT_SITE_URL = "http://127.0.0.1:8765/"
SOURCE_PATTERN = "*.txt"


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, for the summary line."""

    output: Path
    disclosures: int
    packages: int
    files: int
    seconds: float
    site: Path | None = None
    stages: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        text = (
            f"wrote {self.packages} data packages ({self.disclosures} disclosures and the "
            f"portal-wide package, {self.files} files) to {self.output} in {self.seconds:.1f}s"
        )
        if self.site is not None:
            text += f"\nwrote the site to {self.site}"
        if self.stages:
            text += "\ntime per stage: " + ", ".join(
                f"{name} {seconds:.1f}s" for name, seconds in self.stages.items()
            )
        return text


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


def load_disclosure(source: Path) -> Disclosure:
    """Provenance record, parse and audit findings of one disclosure text."""
    record = read_source_record(source)
    parsed = parse_file(source)
    check_parse(record, parsed, source)
    findings = [finding.to_row() for finding in audit(parsed, record.id)]
    return Disclosure(record, parsed, findings)


def load_disclosures(sources: Path) -> list[Disclosure]:
    paths = sorted(sources.glob(SOURCE_PATTERN))
    if not paths:
        raise DisclosureError(sources, None, "no disclosure texts (*.txt) in this folder")
    return [load_disclosure(path) for path in paths]


def build_data(sources: Path = DEFAULT_SOURCES, output: Path = DEFAULT_OUTPUT) -> BuildResult:
    """Parse and audit every disclosure under ``sources``; write the packages to ``output``."""
    return build(sources, output, site=None)


def build(
    sources: Path = DEFAULT_SOURCES, output: Path = DEFAULT_OUTPUT, site: Path | None = DEFAULT_SITE
) -> BuildResult:
    """The whole build: packages to ``output`` and, unless ``site`` is None, the site there."""
    start = time.perf_counter()
    stages: dict[str, float] = {}
    clock = time.perf_counter()
    disclosures = load_disclosures(sources)
    stages["parse+audit"] = time.perf_counter() - clock
    clock = time.perf_counter()
    plans = publish(disclosures, output)
    stages["packages"] = time.perf_counter() - clock
    files = sum(1 for path in output.rglob("*") if path.is_file())
    if site is not None:
        stages.update(build_site(disclosures, sources, output, site))
    return BuildResult(
        output, len(disclosures), len(plans), files, time.perf_counter() - start, site, stages
    )


def docs_dir_for(site: Path) -> Path:
    """Where the site's Markdown is generated: beside the hand-written pages in ``site_src``
    for the default site (so ``mkdocs serve`` previews it), else in ``site-docs`` beside it."""
    if site.resolve() == DEFAULT_SITE.resolve():
        return DOCS_SOURCE
    return site.parent / f"{site.name}-docs"


def build_site(
    disclosures: list[Disclosure], sources: Path, packages: Path, site: Path
) -> dict[str, float]:
    """Generate the pages and charts, then ``mkdocs build --strict`` into ``site``.

    The site is built into a temporary folder and swapped in at the end, so a failed build
    never leaves a half-written site.
    """
    stages: dict[str, float] = {}
    clock = time.perf_counter()
    docs = docs_dir_for(site)
    if docs != DOCS_SOURCE:
        if docs.exists():
            shutil.rmtree(docs)
        shutil.copytree(DOCS_SOURCE, docs)
    site_url = os.environ.get("SITE_URL", DEFAULT_SITE_URL)
    write_pages(
        [(d.record.id, d.parsed) for d in disclosures],
        {d.record.id: d.findings for d in disclosures},
        packages,
        docs,
        sources_dir=sources,
        checks=load_checks(),
        site_url=site_url,
    )
    stages["pages+charts"] = time.perf_counter() - clock
    clock = time.perf_counter()
    run_mkdocs(docs, site, site_url)
    stages["mkdocs"] = time.perf_counter() - clock
    return stages


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
