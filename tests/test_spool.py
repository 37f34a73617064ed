"""The portal package written from a stream of contributions (``builder.publish.spool``) is
the same bytes as the one joined in memory; the spooled CSV reads back as its ranges; the
partitions keyed from one pass get their parts back (or refuse changed ones)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest

from builder.pipeline import load_disclosures
from builder.publish import contribution
from builder.publish.disclosure import disclosure_package
from builder.publish.packages import write_package
from builder.publish.partitions import partition_pieces, partitions
from builder.publish.portal import Contribution, portal_packages
from builder.publish.resources import Prebuilt, Spooled
from builder.publish.spool import SPOOL, write_portal_packages
from tests.conftest import SEED_IDS, copy_seeds


@cache
def seed_contributions(folder: Path) -> tuple[Contribution, ...]:
    disclosures = load_disclosures(copy_seeds(folder / "sources"))
    return tuple(contribution(d, disclosure_package(d)) for d in disclosures)


@pytest.fixture
def contributions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Contribution, ...]:
    return seed_contributions(tmp_path_factory.getbasetemp() / "spool-seeds")


def files_of(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_spooled_portal_packages_are_the_bytes_of_the_joined_ones(
    contributions: tuple[Contribution, ...], tmp_path: Path
) -> None:
    joined = tmp_path / "joined"
    for plan in portal_packages(list(contributions)):
        write_package(plan, joined / plan.name)
    read: list[str] = []

    def once() -> Iterator[Contribution]:  # a stream, read once, in reverse id order
        for item in sorted(contributions, key=lambda c: c.record.id, reverse=True):
            read.append(item.record.id)
            yield item

    names = write_portal_packages(once(), tmp_path / "spooled")
    assert sorted(read) == sorted(SEED_IDS)
    assert names[0] == "portal"
    assert len(names) == 1 + len({c.record.year for c in contributions}) >= 2
    assert not (tmp_path / "spooled" / SPOOL).exists()
    expected = files_of(joined)
    assert len(expected) > 40
    assert files_of(tmp_path / "spooled") == expected


def test_a_spooled_text_is_its_header_then_its_ranges_in_order(tmp_path: Path) -> None:
    spool = tmp_path / "spool.csv"
    spool.write_bytes("a,1\nb,2\n预算,3\n".encode())  # bytes 0-3, 4-7, 8-16
    spooled = Spooled("name,n\n", spool, [(8, 9), (4, 0), (0, 4), (4, 4)])
    with spooled.open() as stream:
        assert stream.read().decode() == "name,n\n预算,3\na,1\nb,2\n"
    with spooled.open() as stream:  # in small reads, across the ranges' ends
        pieces = iter(lambda: stream.read(3), b"")
        assert b"".join(pieces) == "name,n\n预算,3\na,1\nb,2\n".encode()
    with pytest.raises(OSError, match="shorter than its spooled ranges"):
        Spooled("", spool, [(10, 40)]).open().read()


def test_partitions_from_one_pass_get_their_parts_back(
    contributions: tuple[Contribution, ...],
) -> None:
    first = min(contributions, key=lambda c: c.record.id)
    twin = replace(first, record=replace(first.record, id=f"{first.record.id}_twin"))
    found = partitions(iter([*contributions, twin]))  # the twin shares first's year and unit
    assert len(found) == len({(c.record.year, c.record.unit_id) for c in contributions}) >= 4
    (shared,) = [p for p in found if len(p.members) > 1]
    assert shared.members == [first.record.id, twin.record.id]
    members = [twin, first]
    pieces = partition_pieces(shared, members)
    assert set(pieces) == set(shared.hashes)
    assert all(len(pieces[name]) == len(shared.hashes[name]) == 2 for name in pieces)
    assert all(pieces[name][0] is first.parts[name] for name in pieces)  # in id order

    changed = replace(members[0], parts={})
    with pytest.raises(ValueError, match="parts changed since it was keyed"):
        partition_pieces(shared, [changed, *members[1:]])


def test_a_disclosures_part_is_text_in_memory(tmp_path: Path) -> None:
    assert Prebuilt("a,1\n", 1, {}).text == "a,1\n"
    with pytest.raises(TypeError, match="spooled, not in memory"):
        _ = Prebuilt(Spooled("", tmp_path / "x.csv", []), 0, {}).text
