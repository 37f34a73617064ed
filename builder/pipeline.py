"""The pipeline: the one place where the stages meet.

sources (``<id>.txt`` + ``<id>.meta.yaml``) → parse → validate (audit findings) → publish (data
packages). ``build_data`` is the data half of ``python -m builder build``; ``validate_packages``
checks what it wrote. The CLI only parses arguments and calls these.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from builder.errors import DisclosureError
from builder.parse import parse_file
from builder.publish import PackageCheck, format_report, publish, verify
from builder.publish.inputs import Disclosure, check_parse, read_source_record
from builder.validate.audit import audit

DEFAULT_SOURCES = Path("datasets/sources")
DEFAULT_OUTPUT = Path("datasets/packages")
SOURCE_PATTERN = "*.txt"


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote, for the summary line."""

    output: Path
    disclosures: int
    packages: int
    files: int
    seconds: float

    def describe(self) -> str:
        return (
            f"wrote {self.packages} data packages ({self.disclosures} disclosures and the "
            f"portal-wide package, {self.files} files) to {self.output} in {self.seconds:.1f}s"
        )


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
    start = time.perf_counter()
    disclosures = load_disclosures(sources)
    plans = publish(disclosures, output)
    files = sum(1 for path in output.rglob("*") if path.is_file())
    return BuildResult(output, len(disclosures), len(plans), files, time.perf_counter() - start)


def validate_packages(output: Path = DEFAULT_OUTPUT) -> ValidationResult:
    """Check every package under ``output`` with frictionless and the file checks."""
    start = time.perf_counter()
    if not any(output.glob("*/datapackage.json")):
        raise DisclosureError(
            output, None, "no data packages here", "run `python -m builder build --no-site` first"
        )
    checks = verify(output)
    return ValidationResult(checks, time.perf_counter() - start)
