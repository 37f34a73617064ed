"""Publish: disclosures (provenance, parse, audit findings) to open data packages.

One package per disclosure and one portal-wide package, each a folder with
``datapackage.json``, ``README.md``, CSV and Parquet files per resource (and, per disclosure,
an Excel workbook). :func:`publish` writes them; :func:`verify` checks them.

Modules, in data-flow order: ``inputs`` (what comes in), ``schemas`` (declarations to published
and Arrow schemas), ``disclosure`` / ``other_tables`` / ``annexes`` / ``portal`` (resources as
data), ``readme`` (with ``readme_markup``: record and document texts as Markdown text),
``files`` / ``workbook`` / ``packages`` (writing), ``verify`` (checking).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from builder.publish.disclosure import disclosure_package
from builder.publish.inputs import Disclosure
from builder.publish.other_tables import implied_schema
from builder.publish.packages import DESCRIPTOR, write_packages
from builder.publish.portal import (
    PORTAL,
    Contribution,
    contribution,
    expected_schemas,
    is_portal_name,
    portal_package,
    portal_packages,
)
from builder.publish.resources import PackagePlan
from builder.publish.verify import PackageCheck, check_package, format_report

PACKAGES_PER_JOB = 20  # below this many packages per worker, starting workers costs more

__all__ = [
    "Contribution",
    "PackageCheck",
    "contribution",
    "format_report",
    "plan_packages",
    "portal_package",
    "portal_packages",
    "publish",
    "verify",
]


def plan_packages(disclosures: list[Disclosure]) -> list[PackagePlan]:
    """The package of each disclosure (by id), then the portal-wide package."""
    if any(d.id == PORTAL for d in disclosures):
        raise ValueError(f"a disclosure may not be called {PORTAL!r}: that is the portal package")
    pairs = [(d, disclosure_package(d)) for d in sorted(disclosures, key=lambda d: d.id)]
    parts = [contribution(d, plan) for d, plan in pairs]
    return [plan for _, plan in pairs] + portal_packages(parts)


def publish(
    disclosures: list[Disclosure],
    output: Path,
    on_package: Callable[[str], None] | None = None,
) -> list[PackagePlan]:
    """Write every package under ``output`` (replacing it whole); return the plans.

    ``on_package`` is called with each package's name before it is written (for progress).
    """
    plans = plan_packages(disclosures)
    write_packages(plans, output, on_package)
    return plans


def check_folder(folder: Path) -> PackageCheck:
    """Check one package folder against the schemas its declarations imply."""
    portal = is_portal_name(folder.name)
    return check_package(
        folder, expected_schemas(portal=portal), None if portal else implied_schema
    )


def default_jobs(packages: int) -> int:
    """Worker processes for checking: one per PACKAGES_PER_JOB packages, at most one per CPU."""
    return max(1, min(os.cpu_count() or 1, packages // PACKAGES_PER_JOB))


def verify(output: Path, jobs: int | None = None) -> list[PackageCheck]:
    """Check every package folder under ``output`` (those with a datapackage.json).

    Packages are independent, so with many of them the checks run in worker processes; the
    report keeps the folders' order either way.
    """
    folders = sorted(p.parent for p in output.glob(f"*/{DESCRIPTOR}"))
    jobs = default_jobs(len(folders)) if jobs is None else jobs
    if jobs <= 1:
        return [check_folder(folder) for folder in folders]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(check_folder, folders))
