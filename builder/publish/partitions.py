"""The portal's rows as a hive-partitioned Parquet dataset, written one partition at a time.

Every combined resource whose rows carry the disclosure's year is written as
``<resource>/fiscal_year=<year>/part-0.parquet`` (the partition column lives in the path),
so DuckDB, Spark or pyarrow read one year of a national collection without fetching the
rest, and a query of one unit filters ``publisher_id``, a column of every file. Amounts stay
decimal128, with the portal package's widths, so every file of a resource has the same
schema.

A partition is a year, not a publisher's year: a file holds all its disclosures' rows
(about 110 disclosures a year at 1,000, 1,100 at 10,000), not the one or two of a
publisher, whose file's footer and schema outweighed its rows. 1,000 disclosures made
13,800 files (124 MB; the stage 12–14 s of the build's wall clock on two cores); by year they
are 234 files (7.4 MB; 1 s), and a query engine opens one file per resource and year.

A partition is made from its disclosures' parts of the portal package
(:class:`~builder.publish.portal.Contribution`), not from the portal package's files, and
has a key of its own (:attr:`Partition.key`): a build that changed one disclosure writes
only that disclosure's year again (from the year's contributions), and the files are the
same bytes as a clean build's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from builder.cache import code_key
from builder.publish.files import csv_header, parquet_bytes, read_csv_as
from builder.publish.inputs import SourceRecord
from builder.publish.portal import Contribution, combined_schema
from builder.publish.resources import Prebuilt
from builder.publish.schemas import arrow_schema_of_widths, widest

PARTITIONS = ("fiscal_year",)
PART_FILE = "part-0.parquet"
Widths = dict[str, dict[str, tuple[int, int]]]  # resource → number field → (digits, scale)


@dataclass(frozen=True)
class Partition:
    """One year: its disclosures (in id order), per partitioned resource the sha256 of each
    of their parts that has rows, and the resource's decimal widths in the portal package.
    The parts themselves are read when its files are written (:func:`partition_pieces`), so
    that the partitions of a whole portal fit in memory."""

    year: int
    members: list[str]
    hashes: dict[str, list[bytes]]
    widths: Widths

    @property
    def name(self) -> str:
        return f"fiscal_year={self.year}"

    @property
    def key(self) -> str:
        """Everything the partition's files depend on: its rows, the widths of its
        resources' amounts (shared with every other partition), the builder's code and
        writers."""
        digest = hashlib.sha256(code_key().encode())
        for name in sorted(self.hashes):
            digest.update(json.dumps([name, sorted(self.widths[name].items())]).encode())
            for piece in self.hashes[name]:
                digest.update(piece)
        return digest.hexdigest()


def partitioned(name: str) -> bool:
    """Whether the combined resource ``name`` carries the partition columns."""
    return set(PARTITIONS) <= {f["name"] for f in combined_schema(name)["fields"]}


def piece_hash(piece: Prebuilt) -> bytes:
    return hashlib.sha256(piece.text.encode("utf-8")).digest()


@dataclass(frozen=True)
class Shape:
    """What the partitions are keyed from of one disclosure's contribution: its record and,
    per combined resource, its rows, amount widths and the sha256 of its lines (kept with
    the build's spool, ``builder.publish.spool``, so a rebuild keys the partitions without
    reading the contributions)."""

    record: SourceRecord
    parts: dict[str, tuple[int, dict[str, tuple[int, int]], bytes]]


def shape_of(contribution: Contribution) -> Shape:
    parts = {n: (p.rows, p.decimals, piece_hash(p)) for n, p in contribution.parts.items()}
    return Shape(contribution.record, parts)


def partitions(contributions: Iterable[Contribution | Shape]) -> list[Partition]:
    """The partitions of the portal's disclosures, by year, from one pass over the
    contributions or their shapes (each may be dropped once read)."""
    widths: Widths = {}
    found: dict[int, list[tuple[str, str, bytes]]] = {}  # (id, resource, hash)
    for item in contributions:
        shape = item if isinstance(item, Shape) else shape_of(item)
        record = shape.record
        hashes = found.setdefault(record.year, [])
        for name, (rows, decimals, sha256) in shape.parts.items():
            if partitioned(name):
                widths[name] = widest([widths.get(name, {}), decimals])
                if rows:
                    hashes.append((record.id, name, sha256))
    out = []
    for year, hashes in sorted(found.items()):
        by_name: dict[str, list[bytes]] = {}
        for _, name, sha256 in sorted(hashes):
            by_name.setdefault(name, []).append(sha256)
        members = sorted({disclosure_id for disclosure_id, _, _ in hashes})
        used = {name: widths[name] for name in by_name}
        out.append(Partition(year, members, by_name, used))
    return out


def partition_pieces(
    partition: Partition, contributions: Iterable[Contribution]
) -> dict[str, list[Prebuilt]]:
    """The partition's parts, per resource in disclosure-id order, from its members'
    contributions (checked against the hashes it was keyed by)."""
    pieces: dict[str, list[Prebuilt]] = {}
    for contribution in sorted(contributions, key=lambda c: c.record.id):
        for name, piece in contribution.parts.items():
            if piece.rows and name in partition.widths:
                pieces.setdefault(name, []).append(piece)
    hashes = {name: [piece_hash(p) for p in found] for name, found in pieces.items()}
    if hashes != partition.hashes:
        raise ValueError(f"{partition.name}: its disclosures' parts changed since it was keyed")
    return pieces


def partition_files(partition: Partition, pieces: dict[str, list[Prebuilt]]) -> dict[str, bytes]:
    """The partition's Parquet files (one per resource), by path in the dataset."""
    files = {}
    for name, found in sorted(pieces.items()):
        schema = combined_schema(name)
        names = [f["name"] for f in schema["fields"]]
        text = csv_header(names) + "".join(piece.text for piece in found)
        arrow = arrow_schema_of_widths(schema, partition.widths[name])
        table = read_csv_as(text.encode("utf-8"), arrow).combine_chunks().cast(arrow)
        table = table.drop_columns(list(PARTITIONS)).replace_schema_metadata(None)
        files[f"{name}/{partition.name}/{PART_FILE}"] = parquet_bytes(table)
    return files
