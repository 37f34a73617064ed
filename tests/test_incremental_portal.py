"""The portal package and the portal pages after one changed disclosure: the build reads from
its cache the parts of that disclosure only (the others' lines are in the kept spool, their
views and findings in the kept views), a portal page whose bytes did not change is not
written again, and every file is byte for byte what a clean build writes.

Which files were rewritten is read from the files (inode and modification time); which parts
were read, from the one function that unpickles a part (``Digest.part``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from benchmarks.corpus import revise
from builder import pipeline
from builder.cache import cache_dir_for
from builder.pipeline import build, steps
from builder.pipeline.views import VIEWS, load_views
from builder.publish.spool import KEPT, Kept
from tests.conftest import SEED_IDS, copy_seeds
from tests.test_incremental_bundles import inodes, tree

CHANGED = SEED_IDS[2]  # a 2023 disclosure; SEED_IDS[0] and [1] are of 2024


@pytest.fixture(autouse=True)
def site_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8765/")


def built(sources: Path, root: Path) -> None:
    build(sources, root / "packages", root / "site", jobs=1, mkdocs=False)


def counting(monkeypatch: pytest.MonkeyPatch) -> tuple[Counter[str], list[int]]:
    """The parts unpickled from digests, by name; the contributions the portal package
    loaded (one count per build)."""
    parts: Counter[str] = Counter()
    loaded: list[int] = []
    part = steps.Digest.part
    write = pipeline.write_kept_portal_packages

    def reading(self: steps.Digest, name: str) -> object:
        parts[name] += 1
        return part(self, name)

    def writing(*args: object, **kwargs: object) -> Kept:
        done = write(*args, **kwargs)  # type: ignore[arg-type]
        loaded.append(done.loaded)
        return done

    monkeypatch.setattr(steps.Digest, "part", reading)
    monkeypatch.setattr(pipeline, "write_kept_portal_packages", writing)
    return parts, loaded


def test_one_change_reads_its_parts_only_and_rewrites_only_changed_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = copy_seeds(tmp_path / "sources")
    root = tmp_path / "out"
    parts, loaded = counting(monkeypatch)
    built(sources, root)
    count = len(SEED_IDS)
    assert loaded == [count]
    assert parts[steps.VIEW] == parts[steps.FINDINGS] == count
    assert parts[steps.CONTRIBUTION] == 2 * count  # the portal package, the partitions
    cache = cache_dir_for(root / "packages")
    assert sorted(load_views(cache / VIEWS)) == sorted(SEED_IDS)
    assert (cache / KEPT).is_dir()

    docs = root / "site-docs"
    before_bytes, before_inodes = tree(docs), inodes(docs)
    kept_inodes = inodes(root / "packages")
    parts.clear()
    revise(sources / f"{CHANGED}.txt")  # a corrected publication: every amount doubled
    built(sources, root)
    assert loaded == [count, 1], "the portal package read the changed contribution only"
    assert parts[steps.VIEW] == parts[steps.FINDINGS] == 1, "and its view and findings only"
    # its contribution once for the portal package; its year's partition of the Parquet
    # dataset reads the year's two (002 and 003, of 2023); the other year's partition is
    # keyed from the kept spool
    assert parts[steps.CONTRIBUTION] == 1 + 2

    after_bytes, after_inodes = tree(docs), inodes(docs)
    pages = [p for p in after_bytes if p.endswith(".md") and "/" not in p]
    same = [p for p in pages if after_bytes[p] == before_bytes[p]]
    changed = [p for p in pages if after_bytes[p] != before_bytes[p]]
    assert "dictionary.md" in same, "a page of no disclosure's data"
    assert "index.md" in changed, "the home page shows the amounts"
    assert [p for p in same if after_inodes[p] != before_inodes[p]] == [], "not rewritten"
    assert [p for p in changed if after_inodes[p] == before_inodes[p]] == []

    packages = root / "packages"
    moved = inodes(packages)
    assert {p for p in moved if p.startswith("portal.2024/")}, "the other year has a package"
    assert all(moved[p] == kept_inodes[p] for p in moved if p.startswith("portal.2024/")), (
        "the other year's package is kept as it was"
    )
    assert all(moved[p] != kept_inodes[p] for p in moved if p.startswith("portal.2023/csv/"))
    assert all(moved[p] != kept_inodes[p] for p in moved if p.startswith("portal/csv/"))

    clean = tmp_path / "clean"
    built(sources, clean)
    for folder in ("packages", "site-docs"):
        fresh, after = tree(clean / folder), tree(root / folder)
        assert fresh.keys() == after.keys()
        assert sorted(p for p in fresh if fresh[p] != after[p]) == [], (
            "an incremental build writes what a clean build writes"
        )


def test_kept_views_that_cannot_be_read_are_read_again_from_the_digests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = copy_seeds(tmp_path / "sources")
    root = tmp_path / "out"
    built(sources, root)
    docs = tree(root / "site-docs")
    parts, _ = counting(monkeypatch)
    views = cache_dir_for(root / "packages") / VIEWS
    views.write_bytes(views.read_bytes()[:100])  # cut short, as a full disk leaves it
    built(sources, root)
    assert parts[steps.VIEW] == len(SEED_IDS)
    assert tree(root / "site-docs") == docs
    assert sorted(load_views(views)) == sorted(SEED_IDS)


def test_a_year_package_edited_since_the_last_build_is_written_again(tmp_path: Path) -> None:
    sources = copy_seeds(tmp_path / "sources")
    root = tmp_path / "out"
    built(sources, root)
    packages = tree(root / "packages")
    readme = root / "packages" / "portal.2024" / "README.md"
    readme.write_bytes(readme.read_bytes() + b"edited\n")
    built(sources, root)
    assert tree(root / "packages") == packages
