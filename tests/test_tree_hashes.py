"""What a kept output is checked against (``builder.cache.tree_hashes``, one ``scandir`` a
folder and one ``lstat`` a file), and the memo's paths (``builder.cache.under``): the same
files and hashes as reading every file with hashlib, links never followed, and a memo of
the last build changing nothing but what is read."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from builder.cache import HASHES, NOT_A_FILE, HashMemo, tree_hashes, under


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def package(root: Path) -> dict[str, bytes]:
    files = {
        "datapackage.json": b'{"name": "x"}',
        "csv/budget.csv": "金额\n5256.96\n".encode(),
        "csv/deep/er/table.csv": b"a\n1\n",
        ".hidden": b"dot files count",
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


def test_every_file_below_is_hashed_by_its_posix_path(tmp_path: Path) -> None:
    files = package(tmp_path / "pkg")
    expected = {name: sha(data) for name, data in files.items()}
    assert tree_hashes(tmp_path / "pkg") == expected
    memo = HashMemo.load(tmp_path / HASHES)
    assert tree_hashes(tmp_path / "pkg", memo) == expected
    memo.save()
    again = HashMemo.load(tmp_path / HASHES)
    assert tree_hashes(tmp_path / "pkg", again) == expected
    assert again.reads == 0, "a file unchanged since the last build is not read"


def test_links_are_listed_unfollowed_and_fifos_not_at_all(tmp_path: Path) -> None:
    files = package(tmp_path / "pkg")
    outside = tmp_path / "outside"
    package(outside)
    (tmp_path / "pkg" / "csv" / "budget.csv").unlink()
    (tmp_path / "pkg" / "csv" / "budget.csv").symlink_to(outside / "csv" / "budget.csv")
    (tmp_path / "pkg" / "linked").symlink_to(outside)  # a link to a folder: not walked
    os.mkfifo(tmp_path / "pkg" / "fifo")
    expected = {name: sha(data) for name, data in files.items()}
    expected |= {"csv/budget.csv": NOT_A_FILE, "linked": NOT_A_FILE}
    assert tree_hashes(tmp_path / "pkg") == expected
    assert tree_hashes(tmp_path / "pkg", HashMemo()) == expected


def test_a_package_folder_replaced_by_a_link_to_a_copy_is_not_as_written(
    tmp_path: Path,
) -> None:
    files = package(tmp_path / "copy")
    written = tree_hashes(tmp_path / "copy")
    assert written == {name: sha(data) for name, data in files.items()}
    (tmp_path / "pkg").symlink_to(tmp_path / "copy")
    assert tree_hashes(tmp_path / "pkg") != written
    assert tree_hashes(tmp_path / "missing") == {}


@pytest.mark.parametrize(
    "relative",
    [
        "a/b.json",
        ".data/x.zip",
        "a/.hidden/b",
        "..a/b",
        "a/./b",
        "a//b",
        "a/../b",
        "./a",
        "a/",
        "../outside",
        "/absolute/path",
        "",
    ],
)
def test_a_path_under_a_root_is_what_abspath_makes_of_it(relative: str) -> None:
    root = os.path.abspath("/tmp/docs")
    assert under(root, relative) == os.path.abspath(os.path.join(root, relative))
