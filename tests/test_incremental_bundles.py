"""The portal-wide downloads after one changed disclosure: the bundles of the other years are
not written again, the bundles that are rewritten reuse the unchanged entries of the earlier
zip, and every file is byte for byte what a clean build writes.

Built from the bundled disclosures (``datasets/sources``) with the data on a data host
(``DATA_URL``, ``DATA_HOST_SCOPE=all``), as a national portal deploys, so the partitioned
Parquet is published as one archive too. Which files changed is read from the files (their
bytes and inodes), never from the code under test.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from benchmarks.corpus import revise
from builder.pipeline import build
from builder.publish.bundles import (
    FILE_MODE,
    ZIP_TIME,
    Earlier,
    bundle_bytes,
    folder_members,
    write_members,
)
from tests.conftest import SEED_IDS, SOURCES, copy_seeds

CHANGED = SEED_IDS[2]  # a 2023 disclosure
OTHER_YEAR = "2024"  # SEED_IDS[0] and [1] are of 2024, [2] and [3] of 2023
DATA = ".data"  # where the docs dir keeps what goes to the data host


@pytest.fixture(autouse=True)
def data_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8765/")
    monkeypatch.setenv("DATA_URL", "https://data.example.org/portal/")
    monkeypatch.setenv("DATA_HOST_SCOPE", "all")


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder``: its path and sha256."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def inodes(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``: its inode and modification time (a rewritten file, moved
    into place from the staging folder, has another inode)."""
    out = {}
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            out[path.relative_to(folder).as_posix()] = (stat.st_ino, stat.st_mtime_ns)
    return out


def built(sources: Path, root: Path) -> Path:
    build(sources, root / "packages", root / "site", jobs=1, mkdocs=False)
    return root / "site-docs"


def test_one_changed_disclosure_rewrites_its_year_and_the_portal_and_equals_a_clean_build(
    tmp_path: Path,
) -> None:
    sources = copy_seeds(tmp_path / "sources", [SOURCES / f"{s}.txt" for s in SEED_IDS[:4]])
    docs = built(sources, tmp_path / "out")
    before, stamps = tree(docs), inodes(docs)
    year_zip = f"{DATA}/portal.2023.zip"
    assert {f"{DATA}/portal.zip", year_zip, f"{DATA}/portal.{OTHER_YEAR}.zip"} <= set(before)

    revise(sources / f"{CHANGED}.txt")
    built(sources, tmp_path / "out")
    after, restamped = tree(docs), inodes(docs)

    kept = f"{DATA}/portal.{OTHER_YEAR}.zip"
    assert restamped[kept] == stamps[kept], "the other year's bundle is not written again"
    assert after[kept] == before[kept]
    for rewritten in (f"{DATA}/portal.zip", year_zip, f"{DATA}/portal.sqlite"):
        assert after[rewritten] != before[rewritten], rewritten
    archive = f"{DATA}/portal.parquet.zip"
    assert after[archive] != before[archive], "the changed disclosure's partitions"

    clean = built(sources, tmp_path / "clean")
    assert tree(clean) == after, "incremental = clean, byte for byte (zips and database too)"


def test_a_bundle_reuses_the_unchanged_entries_of_the_earlier_zip(tmp_path: Path) -> None:
    """The year package of a changed disclosure, zipped again with the earlier zip at hand:
    the entries of the files whose bytes did not change are copied, the others written; the
    zip is the one written from scratch."""
    sources = copy_seeds(tmp_path / "sources", [SOURCES / f"{s}.txt" for s in SEED_IDS[:4]])
    packages = tmp_path / "out" / "packages"
    build(sources, packages, None, jobs=1)
    year = packages / "portal.2023"
    earlier = tmp_path / "earlier.zip"
    buffer = io.BytesIO()
    first = write_members(buffer, folder_members(year, year.name))
    earlier.write_bytes(buffer.getvalue())
    old = {p.relative_to(year).as_posix(): p.read_bytes() for p in year.rglob("*") if p.is_file()}

    revise(sources / f"{CHANGED}.txt")
    build(sources, packages, None, jobs=1)
    new = {p.relative_to(year).as_posix(): p.read_bytes() for p in year.rglob("*") if p.is_file()}
    unchanged = sorted(f"portal.2023/{name}" for name in new if old.get(name) == new[name])
    assert unchanged, "some files of the year (units, empty tables) are unchanged"
    assert len(unchanged) < len(new), "and the changed disclosure's tables are not"

    buffer = io.BytesIO()
    again = write_members(buffer, folder_members(year, year.name), Earlier(earlier, first.members))
    assert again.reused == unchanged
    assert buffer.getvalue() == bundle_bytes(year, year.name)
    with zipfile.ZipFile(buffer) as archive:
        assert archive.testzip() is None
        assert archive.read(unchanged[0]) == new[unchanged[0].split("/", 1)[1]]


def test_an_earlier_zip_not_written_here_or_lacking_a_file_is_not_copied(tmp_path: Path) -> None:
    """Only an entry that this module wrote, of a file whose sha256 is unchanged, is copied;
    the zip is the same whatever the earlier one was."""
    folder = tmp_path / "portal.2024"
    (folder / "csv").mkdir(parents=True)
    (folder / "csv" / "a.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (folder / "README.md").write_text("说明\n", encoding="utf-8")
    expected = bundle_bytes(folder, folder.name)
    sha256s = {
        f"portal.2024/{p.relative_to(folder).as_posix()}": hashlib.sha256(
            p.read_bytes()
        ).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    foreign = tmp_path / "foreign.zip"  # another tool's zip of the same files: other dates
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("portal.2024/README.md", "说明\n")
        archive.writestr("portal.2024/csv/a.csv", "a,b\n1,2\n")
    readme_only = tmp_path / "readme"
    readme_only.mkdir()
    (readme_only / "README.md").write_text("说明\n", encoding="utf-8")
    partial = tmp_path / "partial.zip"
    partial.write_bytes(bundle_bytes(readme_only, folder.name))
    stored = tmp_path / "stored.zip"  # this module's dates and attributes, not deflated
    with zipfile.ZipFile(stored, "w") as archive:
        for name, data in [("README.md", "说明\n"), ("csv/a.csv", "a,b\n1,2\n")]:
            info = zipfile.ZipInfo(f"portal.2024/{name}", date_time=ZIP_TIME)
            info.create_system, info.external_attr = 0, FILE_MODE
            archive.writestr(info, data, compress_type=zipfile.ZIP_STORED)
    for earlier, reused in [
        (broken, []),
        (foreign, []),
        (stored, []),
        (partial, ["portal.2024/README.md"]),
        (tmp_path / "missing.zip", []),
    ]:
        buffer = io.BytesIO()
        done = write_members(buffer, folder_members(folder, folder.name), Earlier(earlier, sha256s))
        assert buffer.getvalue() == expected, earlier.name
        assert done.reused == reused, earlier.name
