"""A sources folder is not trusted: only regular files inside it are read, never past the limit.

A ``*.txt`` linked to ``/dev/zero`` (size 0, no end), a FIFO (opening it waits for a writer)
and a link to a file outside the folder are each a skipped source named in the summary, while
the other disclosures build. The builds run in a subprocess with a timeout, so a regression
fails the test instead of hanging it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.errors import DisclosureError
from builder.regular_files import check_in_folder, read_at_most
from builder.sources.reading import read_source
from tests.conftest import SOURCES, run_builder

GOOD = "000_127416229ccdc025"
OTHER = "001_417cec5d1b5bc998"
BUILD_SECONDS = 180  # a build of one seed takes a few seconds; a hang never ends


def link_to_dev_zero(path: Path, outside: Path) -> None:
    del outside
    path.symlink_to("/dev/zero")


def fifo(path: Path, outside: Path) -> None:
    del outside
    os.mkfifo(path)


def link_outside(path: Path, outside: Path) -> None:
    shutil.copy(SOURCES / f"{OTHER}.txt", outside)
    path.symlink_to(outside)


BAD_SOURCES: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "dev-zero": (link_to_dev_zero, "zero.txt: a symbolic link to /dev/zero, outside the sources"),
    "fifo": (fifo, "zero.txt: not a regular file: it is a FIFO (named pipe)"),
    "outside": (link_outside, "zero.txt: a symbolic link to {outside}, outside the sources"),
}


def run_with_timeout(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_builder(*args, timeout=BUILD_SECONDS)


@pytest.mark.parametrize("kind", sorted(BAD_SOURCES))
def test_a_source_that_is_not_a_regular_file_inside_the_folder_is_skipped(
    tmp_path: Path, kind: str
) -> None:
    make, expected = BAD_SOURCES[kind]
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SOURCES / f"{GOOD}.txt", sources)
    outside = tmp_path / "elsewhere.txt"
    make(sources / "zero.txt", outside)
    output = tmp_path / "out"
    result = run_with_timeout("build", "--no-site", "--sources", sources, "--output", output)
    assert result.returncode == 3, result.stderr
    assert "skipped 1 source file(s)" in result.stdout
    assert expected.format(outside=outside) in result.stdout
    assert (output / "packages" / GOOD / "datapackage.json").is_file()
    assert not (output / "packages" / "zero").exists()


def test_a_link_to_another_file_of_the_folder_is_read(tmp_path: Path) -> None:
    shutil.copy(SOURCES / f"{GOOD}.txt", tmp_path)
    (tmp_path / "linked.txt").symlink_to(tmp_path / f"{GOOD}.txt")
    check_in_folder(tmp_path / "linked.txt")
    assert (
        read_source(tmp_path / "linked.txt").sha256 == read_source(tmp_path / f"{GOOD}.txt").sha256
    )


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(DisclosureError, match=r"not a regular file: it is a FIFO \(named pipe\)"):
        read_source(tmp_path / "pipe.txt")


def test_a_device_is_refused_when_read_directly(tmp_path: Path) -> None:
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    with pytest.raises(DisclosureError, match="not a regular file: it is a character device"):
        read_source(tmp_path / "zero.txt")


def test_reading_stops_one_byte_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_bytes(b"0123456789" * 10)
    assert read_at_most(path, 4) == b"01234"
    assert read_at_most(path, 1000) == b"0123456789" * 10
