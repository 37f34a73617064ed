"""The portal packages written from a stream of contributions, never all in memory at once.

:func:`builder.publish.portal.portal_packages` joins every disclosure's CSV lines in memory:
at 10,000 disclosures that is gigabytes. The build instead reads the contributions one at a
time (from its cache) and appends each one's lines of every combined resource to a spool
file, keeping only where they went, how many rows they were and the widths of their amounts.
Each package's CSV is then copied from the spool, and its Parquet file read from the same
stream (``builder.publish.resources.Spooled``): the same bytes as the plans of
``portal_packages``.

The build keeps its spool between builds (:func:`write_kept_portal_packages`, in the build
cache): each disclosure's lines stay there under its source key, so a rebuild reads from the
cache only the contributions of the disclosures that changed and appends their lines; the
others' lines are where the last build put them. A spool whose files are not the size its
index says (a build killed while appending) is not believed and is written anew; one that
holds more dead lines than live ones is compacted.
"""

from __future__ import annotations

import hashlib
import pickle
import shutil
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from builder.cache import PICKLE_PROTOCOL, write_atomic
from builder.publish.packages import write_package
from builder.publish.partitions import Shape
from builder.publish.portal import (
    PORTAL,
    Combine,
    Contribution,
    by_year,
    combined_header,
    combined_names,
    combined_resource,
    portal_package,
    year_package_name,
)
from builder.publish.resources import Prebuilt, Resource, Spooled
from builder.publish.schemas import widest

SPOOL = ".portal-spool"  # in the folder the packages are written to; removed after
KEPT = "portal-spool"  # in the build cache: the spool kept between builds
KEPT_INDEX = "index.pickle"  # in a kept spool's folder: what its files hold
KEPT_FORMAT = 2
SLACK = 1 << 20  # dead bytes a kept spool may hold beyond its live ones, then compacted
Placed = dict[str, tuple[int, int] | None]  # combined resource → (offset, length) in its spool


@dataclass(frozen=True)
class Entry:
    """One disclosure in the spools: its contribution without its lines (``light``), the
    source key it was made from, and where its lines of each combined resource are, with
    their count and amount widths."""

    key: str
    light: Contribution
    placed: Placed
    pieces: dict[str, Prebuilt]  # no text: rows and decimals only
    hashes: dict[str, bytes]  # the sha256 of its lines, per combined resource

    @property
    def shape(self) -> Shape:
        """What the partitioned Parquet is keyed from (``builder.publish.partitions``)."""
        parts = {n: (p.rows, p.decimals, self.hashes[n]) for n, p in self.pieces.items()}
        return Shape(self.light.record, parts)


@dataclass
class Spools:
    """Every combined resource's spool file, and each disclosure's entry in them."""

    folder: Path
    entries: dict[str, Entry] = field(default_factory=dict)  # by disclosure id
    sizes: dict[str, int] = field(default_factory=dict)  # each file's size, as written

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.csv"

    def append(self, contributions: Iterable[Contribution], keys: dict[str, str]) -> int:
        """Append each contribution's lines (``keys``: the source key of each, by id); the
        number appended."""
        count = 0
        with ExitStack() as stack:
            files = {
                name: stack.enter_context(self.path(name).open("ab")) for name in combined_names()
            }
            for contribution in contributions:
                placed: Placed = dict.fromkeys(files)
                hashes = {}
                for name, piece in contribution.parts.items():
                    data = piece.text.encode("utf-8")
                    placed[name] = (files[name].tell(), len(data))
                    files[name].write(data)
                    hashes[name] = hashlib.sha256(data).digest()
                pieces = {
                    n: Prebuilt("", p.rows, p.decimals) for n, p in contribution.parts.items()
                }
                disclosure_id = contribution.record.id
                light = replace(contribution, parts={})
                self.entries[disclosure_id] = Entry(
                    keys.get(disclosure_id, ""), light, placed, pieces, hashes
                )
                count += 1
            self.sizes = {name: handle.tell() for name, handle in files.items()}
        return count

    def live_bytes(self) -> int:
        return sum(where[1] for e in self.entries.values() for where in e.placed.values() if where)

    def combine(self, year: int | None) -> Combine:
        del year  # the chosen contributions are that year's

        def combine(name: str, chosen: list[Contribution]) -> Resource:
            entries = [self.entries[c.record.id] for c in chosen]
            ranges = [where for e in entries if (where := e.placed[name]) is not None]
            pieces = [e.pieces[name] for e in entries if name in e.pieces]
            total = Prebuilt("", sum(p.rows for p in pieces), widest([p.decimals for p in pieces]))
            text = Spooled(combined_header(name), self.path(name), ranges)
            return combined_resource(name, [total] if ranges else [], text)

        return combine


@dataclass(frozen=True)
class Kept:
    """What :func:`write_kept_portal_packages` did: the packages' names (each written, or
    kept as installed), how many contributions it loaded, and each disclosure's shape (in
    the members' order) for the partitioned Parquet."""

    names: list[str]
    loaded: int
    shapes: list[Shape]


def write_portal_packages(contributions: Iterable[Contribution], folder: Path) -> list[str]:
    """Write the portal package and one package per year into ``folder/<name>``, reading
    each contribution once; the packages' names. The files are the same bytes as those of
    :func:`builder.publish.portal.portal_packages`' plans."""
    spools = Spools(folder / SPOOL)
    spools.folder.mkdir(parents=True)
    try:
        spools.append(contributions, {})
        return write_spooled(spools, sorted(spools.entries), folder)
    finally:
        shutil.rmtree(spools.folder, ignore_errors=True)


def write_kept_portal_packages(
    members: Sequence[tuple[str, str]],
    load: Callable[[str, str], Contribution],
    folder: Path,
    kept: Path,
    current: Callable[[str], bool] = lambda _: False,
) -> Kept:
    """As :func:`write_portal_packages` for the disclosures ``members`` (id and source key
    each), with the spool kept in ``kept`` between builds: ``load`` (id, key → its
    contribution) is called only for a member whose lines are not in the kept spool under
    that key. A package whose name is ``current`` (installed as it would be written) is not
    written, but named."""
    keys = dict(members)
    spools = load_kept(kept)
    spools.entries = {i: e for i, e in spools.entries.items() if keys.get(i) == e.key}
    missing = [(i, k) for i, k in members if i not in spools.entries]
    loaded = spools.append((load(i, k) for i, k in missing), keys)
    size = sum(spools.sizes.values())
    if size > 2 * spools.live_bytes() + SLACK:
        spools = compacted(spools, kept)
    save_kept(spools, kept)
    ids = [i for i, _ in members]
    names = write_spooled(spools, ids, folder, current)
    return Kept(names, loaded, [spools.entries[i].shape for i in ids])


def write_spooled(
    spools: Spools,
    ids: list[str],
    folder: Path,
    current: Callable[[str], bool] = lambda _: False,
) -> list[str]:
    """The portal package and each year's, of the disclosures ``ids``, from the spools (but
    those whose name is ``current``); their names."""
    light = [spools.entries[i].light for i in ids]
    written = []
    for year, chosen in [(None, light), *by_year(light)]:
        name = PORTAL if year is None else year_package_name(year)
        written.append(name)
        if current(name):
            continue
        plan = portal_package(chosen, year, spools.combine(year))
        write_package(plan, folder / plan.name)
        pa.default_memory_pool().release_unused()  # Arrow keeps freed tables' pages
    return written


def load_kept(kept: Path) -> Spools:
    """The spool kept in ``kept``, if its index is readable and its files are the sizes it
    says; else a new, empty one (in a new folder of ``kept``)."""
    try:
        with (kept / KEPT_INDEX).open("rb") as handle:
            index: dict[str, Any] = pickle.load(handle)  # our own cache
        if index.get("format") != KEPT_FORMAT:
            raise ValueError("another format")
        spools = Spools(kept / index["folder"], index["entries"], index["sizes"])
        if set(spools.sizes) != set(combined_names()) or any(
            spools.path(name).stat().st_size != size for name, size in spools.sizes.items()
        ):
            raise ValueError("not the sizes it was left at")
    except (OSError, ValueError, KeyError, pickle.UnpicklingError, AttributeError, EOFError):
        return new_spools(kept)
    return spools


def new_spools(kept: Path) -> Spools:
    spools = Spools(kept / uuid.uuid4().hex)
    spools.folder.mkdir(parents=True)
    return spools


def compacted(spools: Spools, kept: Path) -> Spools:
    """The live lines of ``spools`` copied into a new folder of ``kept``, in id order."""
    fresh = new_spools(kept)
    with ExitStack() as stack:
        names = combined_names()
        sources = {n: stack.enter_context(spools.path(n).open("rb")) for n in names}
        targets = {n: stack.enter_context(fresh.path(n).open("wb")) for n in names}
        for disclosure_id in sorted(spools.entries):
            entry = spools.entries[disclosure_id]
            placed: Placed = dict.fromkeys(names)
            for name, where in entry.placed.items():
                if where is None:
                    continue
                sources[name].seek(where[0])
                placed[name] = (targets[name].tell(), where[1])
                targets[name].write(sources[name].read(where[1]))
            fresh.entries[disclosure_id] = replace(entry, placed=placed)
        fresh.sizes = {name: handle.tell() for name, handle in targets.items()}
    return fresh


def save_kept(spools: Spools, kept: Path) -> None:
    """Write the index of ``spools`` and remove the other folders of ``kept``."""
    index = {
        "format": KEPT_FORMAT,
        "folder": spools.folder.name,
        "entries": spools.entries,
        "sizes": spools.sizes,
    }
    write_atomic(kept / KEPT_INDEX, pickle.dumps(index, PICKLE_PROTOCOL))
    for other in kept.iterdir():
        if other.is_dir() and other != spools.folder:
            shutil.rmtree(other, ignore_errors=True)
