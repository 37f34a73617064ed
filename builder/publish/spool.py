"""The portal packages written from a stream of contributions, never all in memory at once.

:func:`builder.publish.portal.portal_packages` joins every disclosure's CSV lines in memory:
at 10,000 disclosures that is gigabytes. The build instead reads the contributions one at a
time (from its cache) and appends each one's lines of every combined resource to a spool
file, keeping only where they went, how many rows they were and the widths of their amounts
(per year, and for the whole portal). Each package's CSV is then copied from the spool, and
its Parquet file read from the same stream (``builder.publish.resources.Spooled``): the same
bytes as the plans of ``portal_packages``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa

from builder.publish.packages import write_package
from builder.publish.portal import (
    Combine,
    Contribution,
    by_year,
    combined_header,
    combined_names,
    combined_resource,
    portal_package,
)
from builder.publish.resources import Prebuilt, Resource, Spooled
from builder.publish.schemas import widest

SPOOL = ".portal-spool"  # in the folder the packages are written to; removed after
Placed = dict[str, tuple[int, int] | None]  # combined resource → (offset, length) in its spool


@dataclass
class Totals:
    """Rows and amount widths of one combined resource, over the disclosures added so far."""

    rows: int = 0
    decimals: dict[str, tuple[int, int]] = field(default_factory=dict)

    def add(self, piece: Prebuilt) -> None:
        self.rows += piece.rows
        self.decimals = widest([self.decimals, piece.decimals])

    def pieces(self, added: bool) -> list[Prebuilt]:
        """As the one piece that sums the pieces (none if none was added)."""
        return [Prebuilt("", self.rows, self.decimals)] if added else []


@dataclass
class Spools:
    """Every combined resource's spool file, and where each disclosure's lines are in it."""

    folder: Path
    ranges: dict[str, Placed] = field(default_factory=dict)  # by disclosure id
    totals: dict[tuple[int | None, str], Totals] = field(default_factory=dict)  # (year, name)

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.csv"

    def combine(self, year: int | None) -> Combine:
        def combine(name: str, chosen: list[Contribution]) -> Resource:
            placed = [self.ranges[c.record.id][name] for c in chosen]
            ranges = [where for where in placed if where is not None]
            totals = self.totals.get((year, name), Totals())
            text = Spooled(combined_header(name), self.path(name), ranges)
            return combined_resource(name, totals.pieces(bool(ranges)), text)

        return combine


def write_portal_packages(contributions: Iterable[Contribution], folder: Path) -> list[str]:
    """Write the portal package and one package per year into ``folder/<name>``, reading
    each contribution once; the packages' names. The files are the same bytes as those of
    :func:`builder.publish.portal.portal_packages`' plans."""
    spools = Spools(folder / SPOOL)
    spools.folder.mkdir(parents=True)
    try:
        light = spool(contributions, spools)
        written = []
        for year, chosen in [(None, light), *by_year(light)]:
            plan = portal_package(chosen, year, spools.combine(year))
            write_package(plan, folder / plan.name)
            written.append(plan.name)
            pa.default_memory_pool().release_unused()  # Arrow keeps freed tables' pages
        return written
    finally:
        shutil.rmtree(spools.folder, ignore_errors=True)


def spool(contributions: Iterable[Contribution], spools: Spools) -> list[Contribution]:
    """Append each contribution's lines to the spools; the contributions without them."""
    light = []
    with ExitStack() as stack:
        files = {
            name: stack.enter_context(spools.path(name).open("wb")) for name in combined_names()
        }
        for contribution in contributions:
            year = contribution.record.year
            placed: Placed = dict.fromkeys(files)
            for name, piece in contribution.parts.items():
                data = piece.text.encode("utf-8")
                placed[name] = (files[name].tell(), len(data))
                files[name].write(data)
                for key in ((None, name), (year, name)):
                    spools.totals.setdefault(key, Totals()).add(piece)
            spools.ranges[contribution.record.id] = placed
            light.append(replace(contribution, parts={}))
    return light
