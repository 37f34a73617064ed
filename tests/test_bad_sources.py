"""Bad sources beside good ones: the build skips and lists them, --strict stops at them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builder.pipeline import build
from tests.conftest import SOURCES, run_builder

GOOD = "000_127416229ccdc025"
BAD = {
    "empty.txt": b"",
    "garbage.txt": bytes(range(256)) * 8,
    "notes.txt": "会议纪要\n今天讨论了三件事。\n".encode(),
}


def sources_with_bad_files(folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(SOURCES / f"{GOOD}.txt", folder)
    shutil.copy(SOURCES / f"{GOOD}.meta.yaml", folder)
    for name, data in BAD.items():
        (folder / name).write_bytes(data)
    return folder


run = run_builder


def test_build_goes_on_and_lists_what_it_skipped(tmp_path: Path) -> None:
    sources = sources_with_bad_files(tmp_path / "sources")
    result = build(sources, tmp_path / "packages", tmp_path / "site")
    assert result.disclosures == 1
    assert sorted(item.file for item in result.skipped) == sorted(BAD)
    for item in result.skipped:
        assert item.message
        assert "Traceback" not in item.describe()
    assert (tmp_path / "packages" / GOOD / "datapackage.json").is_file()
    quality = (tmp_path / "site" / "quality" / "index.html").read_text(encoding="utf-8")
    assert "未能发布的文件" in quality
    for name in BAD:
        assert name in quality


def test_cli_exit_codes_for_a_partial_and_a_strict_build(tmp_path: Path) -> None:
    sources = sources_with_bad_files(tmp_path / "sources")
    partial = run("build", "--no-site", "--sources", str(sources), "--output", str(tmp_path / "a"))
    assert partial.returncode == 3, partial.stderr
    assert "skipped 3 source file(s)" in partial.stdout
    assert "notes.txt:1: not a disclosure" in partial.stdout
    assert "Traceback" not in partial.stdout + partial.stderr
    strict = run(
        "build", "--no-site", "--strict", "--sources", str(sources), "--output", str(tmp_path / "b")
    )
    assert strict.returncode == 1
    assert strict.stderr.startswith("error: ")
    assert not (tmp_path / "b" / "packages").exists(), "a failed build must not leave output"


def test_nothing_usable_is_an_error(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "notes.txt").write_text("会议纪要\n", encoding="utf-8")
    with pytest.raises(Exception, match="none of the disclosure texts could be used"):
        build(sources, tmp_path / "packages", None)


def test_the_same_text_twice_keeps_one(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SOURCES / f"{GOOD}.txt", sources)
    shutil.copy(SOURCES / f"{GOOD}.txt", sources / "copy_of_000.txt")
    result = build(sources, tmp_path / "packages", None)
    assert result.disclosures == 1
    assert [item.file for item in result.skipped] == ["copy_of_000.txt"]
    assert "the same text as" in result.skipped[0].message


def test_a_folder_of_thousands_of_files(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SOURCES / f"{GOOD}.txt", sources)
    for index in range(3000):
        (sources / f"note_{index:04d}.txt").write_text(f"第{index}号会议纪要\n", encoding="utf-8")
    result = build(sources, tmp_path / "packages", None)
    assert result.disclosures == 1
    assert len(result.skipped) == 3000
    summary = result.describe()
    assert "skipped 3000 source file(s)" in summary
    assert "… and 2980 more" in summary
    assert len(summary.splitlines()) < 40
