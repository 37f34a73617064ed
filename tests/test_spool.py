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
from builder.publish import contribution, spool
from builder.publish.disclosure import disclosure_package
from builder.publish.packages import write_package
from builder.publish.partitions import partition_pieces, partitions
from builder.publish.portal import Contribution, combined_names, part, portal_packages
from builder.publish.resources import Prebuilt, Spooled
from builder.publish.spool import (
    KEPT_INDEX,
    SPOOL,
    write_kept_portal_packages,
    write_portal_packages,
)
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
    found = partitions(iter([*contributions, twin]))  # the twin shares first's year
    assert [p.year for p in found] == [2023, 2024]  # a partition a year: the seeds' years
    (shared,) = [p for p in found if p.year == first.record.year]
    year = [c for c in contributions if c.record.year == first.record.year]
    assert len(year) == 3
    assert shared.members == sorted([twin.record.id, *(c.record.id for c in year)])
    members = [twin, *reversed(year)]
    pieces = partition_pieces(shared, members)
    assert set(pieces) == set(shared.hashes)
    assert all(len(pieces[name]) == len(shared.hashes[name]) for name in pieces)
    own = [name for name, part in first.parts.items() if part.rows and name in pieces]
    assert own, "the first disclosure has rows in the dataset"
    assert all(pieces[name][:2] == [first.parts[name], twin.parts[name]] for name in own)

    changed = replace(members[0], parts={})
    with pytest.raises(ValueError, match="parts changed since it was keyed"):
        partition_pieces(shared, [changed, *members[1:]])


def test_a_disclosures_part_is_text_in_memory(tmp_path: Path) -> None:
    assert Prebuilt("a,1\n", 1, {}).text == "a,1\n"
    with pytest.raises(TypeError, match="spooled, not in memory"):
        _ = Prebuilt(Spooled("", tmp_path / "x.csv", []), 0, {}).text


def kept_build(
    contributions: list[Contribution], keys: dict[str, str], kept: Path, target: Path
) -> tuple[dict[str, str], list[str]]:
    """The kept-spool packages of ``contributions`` (source key of each in ``keys``): their
    files, and the ids whose contributions were loaded."""
    by_id = {c.record.id: c for c in contributions}
    loaded: list[str] = []

    def load(disclosure_id: str, key: str) -> Contribution:
        assert keys[disclosure_id] == key
        loaded.append(disclosure_id)
        return by_id[disclosure_id]

    members = sorted(keys.items())
    done = write_kept_portal_packages(members, load, target, kept)
    assert done.loaded == len(loaded)
    assert done.names[0] == "portal"
    assert [s.record.id for s in done.shapes] == [i for i, _ in members]
    assert partitions(done.shapes) == partitions(contributions), "keyed as from the lines"
    return files_of(target), loaded


def test_a_kept_spool_reads_only_the_changed_contributions(
    contributions: tuple[Contribution, ...], tmp_path: Path
) -> None:
    kept = tmp_path / "kept"
    keys = {c.record.id: "key-1" for c in contributions}
    first, loaded = kept_build(list(contributions), keys, kept, tmp_path / "first")
    assert sorted(loaded) == sorted(SEED_IDS)
    write_portal_packages(iter(contributions), tmp_path / "streamed")
    assert first == files_of(tmp_path / "streamed")

    again, loaded = kept_build(list(contributions), keys, kept, tmp_path / "again")
    assert loaded == []
    assert again == first

    # one disclosure changed (its lines: the seed's first row dropped from each part)
    changed_id = SEED_IDS[1]
    changed = [c if c.record.id != changed_id else drop_first_rows(c) for c in contributions]
    clean = tmp_path / "clean"
    write_portal_packages(iter(changed), clean)
    keys[changed_id] = "key-2"
    after, loaded = kept_build(changed, keys, kept, tmp_path / "after")
    assert loaded == [changed_id]
    assert after == files_of(clean) != first

    # one disclosure gone: nothing read, the packages are a clean build's of the others
    gone = SEED_IDS[3]
    del keys[gone]
    others = [c for c in changed if c.record.id != gone]
    write_portal_packages(iter(others), tmp_path / "clean-others")
    fewer, loaded = kept_build(others, keys, kept, tmp_path / "fewer")
    assert loaded == []
    assert fewer == files_of(tmp_path / "clean-others")


def drop_first_rows(item: Contribution) -> Contribution:
    parts = {}
    for name, piece in item.parts.items():
        lines = piece.text.splitlines(keepends=True)
        if piece.rows > 1 and len(lines) == piece.rows:  # one line a row: drop the first
            parts[name] = Prebuilt("".join(lines[1:]), piece.rows - 1, piece.decimals)
        else:
            parts[name] = piece
    assert parts != item.parts
    return replace(item, parts=parts)


def test_a_kept_spool_not_as_it_was_left_is_written_anew(
    contributions: tuple[Contribution, ...], tmp_path: Path
) -> None:
    kept = tmp_path / "kept"
    keys = {c.record.id: "key-1" for c in contributions}
    first, _ = kept_build(list(contributions), keys, kept, tmp_path / "first")
    (folder,) = [p for p in kept.iterdir() if p.is_dir()]
    spool = folder / "findings.csv"
    with spool.open("ab") as handle:  # as a build killed while appending leaves it
        handle.write(b"half a line")
    again, loaded = kept_build(list(contributions), keys, kept, tmp_path / "again")
    assert sorted(loaded) == sorted(SEED_IDS)
    assert again == first
    assert not folder.exists()  # the other folder is removed once the new one is indexed

    (kept / KEPT_INDEX).write_bytes(b"not a pickle")
    again, loaded = kept_build(list(contributions), keys, kept, tmp_path / "third")
    assert sorted(loaded) == sorted(SEED_IDS)
    assert again == first


def test_a_kept_spool_of_mostly_dead_lines_is_compacted(
    contributions: tuple[Contribution, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spool, "SLACK", 0)
    kept = tmp_path / "kept"
    expected = None
    for round_ in range(1, 5):  # every disclosure changed each time: three quarters dead
        keys = {c.record.id: f"key-{round_}" for c in contributions}
        files, loaded = kept_build(list(contributions), keys, kept, tmp_path / f"r{round_}")
        assert sorted(loaded) == sorted(SEED_IDS)
        expected = expected or files
        assert files == expected
    sizes = sum(p.stat().st_size for p in kept.rglob("*.csv"))
    live = sum(len(p.text.encode()) for c in contributions for p in c.parts.values())
    assert live <= sizes <= 2 * live  # four rounds appended without compaction: 4 × live


def test_a_part_from_its_resources_lines_is_the_part_made_afresh(tmp_path: Path) -> None:
    disclosures = load_disclosures(copy_seeds(tmp_path / "sources"))
    reused = 0
    for disclosure in disclosures:
        plan = disclosure_package(disclosure)
        write_package(plan, tmp_path / "out" / plan.name)  # its resources' lines made first
        for resource in plan.resources:
            if resource.name not in combined_names():
                continue
            afresh = part(resource.name, disclosure.record, resource.rows)
            assert part(resource.name, disclosure.record, resource.rows, resource) == afresh
            reused += "csv_lines" in resource.memo
    assert reused > 0
