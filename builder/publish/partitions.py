"""The portal's rows as a hive-partitioned Parquet dataset, written one partition at a time.

Every combined resource whose rows carry the disclosure's year and publisher is written as
``<resource>/fiscal_year=<year>/publisher_id=<unit id>/part-0.parquet`` (the two partition
columns live in the paths), so DuckDB, Spark or pyarrow read one year, or one unit, of a
national collection without fetching the rest. Amounts stay decimal128, with the portal
package's widths, so every file of a resource has the same schema.

A partition (one publisher's year: its budget and its final accounts) is made from its
disclosures' parts of the portal package (:class:`~builder.publish.portal.Contribution`),
not from the portal package's files, and has a key of its own (:attr:`Partition.key`): a
build that changed one disclosure writes only that disclosure's partition again, and the
files are the same bytes as a clean build's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from builder.cache import code_key
from builder.publish.files import csv_header, parquet_bytes, read_csv_as
from builder.publish.portal import Contribution, combined_schema
from builder.publish.resources import Prebuilt
from builder.publish.schemas import arrow_schema_of_widths, widest

PARTITIONS = ("fiscal_year", "publisher_id")
PART_FILE = "part-0.parquet"
Widths = dict[str, dict[str, tuple[int, int]]]  # resource → number field → (digits, scale)


@dataclass(frozen=True)
class Partition:
    """One publisher's year: per partitioned resource, its disclosures' parts in id order,
    and the resource's decimal widths in the portal package."""

    year: int
    publisher: str
    pieces: dict[str, list[Prebuilt]]
    widths: Widths

    @property
    def name(self) -> str:
        return f"fiscal_year={self.year}/publisher_id={self.publisher}"

    @property
    def key(self) -> str:
        """Everything the partition's files depend on: its rows, the widths of its
        resources' amounts (shared with every other partition), the builder's code and
        writers."""
        digest = hashlib.sha256(code_key().encode())
        for name in sorted(self.pieces):
            digest.update(json.dumps([name, sorted(self.widths[name].items())]).encode())
            for piece in self.pieces[name]:
                digest.update(hashlib.sha256(piece.csv.encode("utf-8")).digest())
        return digest.hexdigest()


def partitioned(name: str) -> bool:
    """Whether the combined resource ``name`` carries the partition columns."""
    return set(PARTITIONS) <= {f["name"] for f in combined_schema(name)["fields"]}


def partitions(contributions: list[Contribution]) -> list[Partition]:
    """The partitions of the portal's disclosures, by year and publisher."""
    names = sorted({name for c in contributions for name in c.parts if partitioned(name)})
    widths = {
        name: widest([c.parts[name].decimals for c in contributions if name in c.parts])
        for name in names
    }
    out: dict[tuple[int, str], Partition] = {}
    for contribution in sorted(contributions, key=lambda c: c.record.id):
        record = contribution.record
        group = out.setdefault(
            (record.year, record.unit_id), Partition(record.year, record.unit_id, {}, {})
        )
        for name, piece in contribution.parts.items():
            if piece.rows and name in widths:
                group.pieces.setdefault(name, []).append(piece)
                group.widths[name] = widths[name]
    return [out[key] for key in sorted(out)]


def partition_files(partition: Partition) -> dict[str, bytes]:
    """The partition's Parquet files (one per resource), by path in the dataset."""
    files = {}
    for name, pieces in sorted(partition.pieces.items()):
        schema = combined_schema(name)
        names = [f["name"] for f in schema["fields"]]
        text = csv_header(names) + "".join(piece.csv for piece in pieces)
        arrow = arrow_schema_of_widths(schema, partition.widths[name])
        table = read_csv_as(text.encode("utf-8"), arrow).combine_chunks().cast(arrow)
        table = table.drop_columns(list(PARTITIONS)).replace_schema_metadata(None)
        files[f"{name}/{partition.name}/{PART_FILE}"] = parquet_bytes(table)
    return files
