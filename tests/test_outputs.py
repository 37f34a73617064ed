"""Moving an owner's staged files into the docs dir (``builder.pages.outputs.staged``)."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from builder.pages import outputs
from builder.pages.outputs import STAGING, Outputs, Produced, staged


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_staged_files_join_existing_folders_and_new_folders_move_whole(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "units").mkdir(parents=True)
    (docs / "units" / "other.md").write_text("another owner's page", encoding="utf-8")
    with staged(docs, "disclosure:a") as (folder, moved):
        (folder / "units").mkdir()
        (folder / "units" / "a.md").write_bytes(b"unit")
        (folder / "disclosures" / "a" / "charts").mkdir(parents=True)
        (folder / "disclosures" / "a" / "index.md").write_bytes(b"page")
        (folder / "disclosures" / "a" / "charts" / "1.json").write_bytes(b"{}")
        (folder / "empty" / "inner").mkdir(parents=True)
        (folder / "top.txt").write_bytes(b"top")
    assert moved == {
        "disclosures/a/charts/1.json": sha(b"{}"),
        "disclosures/a/index.md": sha(b"page"),
        "top.txt": sha(b"top"),
        "units/a.md": sha(b"unit"),
    }
    assert (docs / "units" / "other.md").read_text(encoding="utf-8") == "another owner's page"
    assert (docs / "disclosures" / "a" / "charts" / "1.json").read_bytes() == b"{}"
    assert (docs / "units" / "a.md").read_bytes() == b"unit"
    assert not (docs / "empty" / "inner").exists()  # only files leave the staging
    assert [path for path in (docs / STAGING).rglob("*") if not path.is_dir()] == []


def test_the_next_owner_reuses_the_staging_folders_left_empty(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "partitioned" / "budget" / "fiscal_year=2025").mkdir(parents=True)
    first, second = "fiscal_year=2025/publisher_id=a", "fiscal_year=2025/publisher_id=b"
    with staged(docs, "partition:a") as (folder, moved):
        (folder / "partitioned" / "budget" / first).mkdir(parents=True)
        (folder / "partitioned" / "budget" / first / "part-0.parquet").write_bytes(b"a")
    kept = sorted(path.relative_to(folder) for path in folder.rglob("*"))
    assert kept == [
        Path("partitioned"),
        Path("partitioned/budget"),
        Path("partitioned/budget/fiscal_year=2025"),
    ]
    with staged(docs, "partition:b") as (again, moved):
        assert again == folder
        (again / "partitioned" / "budget" / second).mkdir(parents=True, exist_ok=True)
        (again / "partitioned" / "budget" / second / "part-0.parquet").write_bytes(b"b")
    assert moved == {f"partitioned/budget/{second}/part-0.parquet": sha(b"b")}
    assert (docs / "partitioned" / "budget" / first / "part-0.parquet").read_bytes() == b"a"
    assert (docs / "partitioned" / "budget" / second / "part-0.parquet").read_bytes() == b"b"
    Outputs(docs).finish()
    assert not (docs / STAGING).exists()


def test_a_hard_link_to_the_file_already_there_leaves_the_staging(tmp_path: Path) -> None:
    """A source text published as a hard link, produced again with the same file: rename()
    of two links to one file does nothing, so the staged link must go by itself, or the
    next owner to reuse the staging folder would find it and claim it."""
    docs = tmp_path / "docs"
    source = tmp_path / "a.txt"
    source.write_bytes(b"text")
    (docs / "sources").mkdir(parents=True)
    os.link(source, docs / "sources" / "a.txt")
    with staged(docs, "disclosure:a") as (folder, moved):
        (folder / "sources").mkdir(exist_ok=True)
        os.link(source, folder / "sources" / "a.txt")
    assert moved == {"sources/a.txt": sha(b"text")}
    assert not (folder / "sources" / "a.txt").exists()
    with staged(docs, "partition:b") as (again, moved):
        assert again == folder
        (again / "b.parquet").write_bytes(b"b")
    assert moved == {"b.parquet": sha(b"b")}


def test_a_staging_left_holding_anything_but_folders_is_not_reused(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    with staged(docs, "disclosure:a") as (folder, moved):
        (folder / "dangling").symlink_to(tmp_path / "nowhere")
        (folder / "a.md").write_bytes(b"a")
    assert moved == {"a.md": sha(b"a")}
    assert not folder.exists()
    with staged(docs, "disclosure:b") as (again, _):
        assert again != folder
        assert list(again.iterdir()) == []


def test_a_failed_owner_leaves_no_staging_folder_for_the_next(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    left: list[Path] = []

    def half_written() -> None:
        with staged(docs, "disclosure:a") as (folder, _):
            left.append(folder)
            (folder / "disclosures").mkdir()
            (folder / "disclosures" / "half.md").write_bytes(b"half")
            raise ValueError("bad table")

    with pytest.raises(ValueError, match="bad table"):
        half_written()
    folder = left[0]
    assert not folder.exists()
    with staged(docs, "disclosure:b") as (again, moved):
        assert again != folder
        (again / "b.md").write_bytes(b"b")
    assert moved == {"b.md": sha(b"b")}
    assert not (docs / "disclosures").exists()


def test_a_folder_another_worker_makes_meanwhile_is_merged_into(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    found = outputs.files_below

    def made_meanwhile(folder: Path) -> list[Path] | None:
        (docs / "downloads").mkdir(exist_ok=True)
        (docs / "downloads" / "b.zip").write_bytes(b"other worker")
        return found(folder)

    monkeypatch.setattr(outputs, "files_below", made_meanwhile)
    with staged(docs, "disclosure:a") as (folder, moved):
        (folder / "downloads").mkdir()
        (folder / "downloads" / "a.zip").write_bytes(b"a")
    assert moved == {"downloads/a.zip": sha(b"a")}
    assert sorted(p.name for p in (docs / "downloads").iterdir()) == ["a.zip", "b.zip"]


def test_a_damaged_template_is_replaced_not_kept(tmp_path: Path) -> None:
    """A chart template is named by its content; one already there is kept only if it holds
    those bytes (a half-written or edited one is written again)."""
    docs = tmp_path / "docs"
    template = docs / "assets" / "charts" / "templates" / "abc.json"
    template.parent.mkdir(parents=True)
    template.write_bytes(b'{"half')
    with staged(docs, "disclosure:a") as (folder, _):
        (folder / "assets" / "charts" / "templates").mkdir(parents=True)
        (folder / "assets" / "charts" / "templates" / "abc.json").write_bytes(b'{"whole": 1}')
    assert template.read_bytes() == b'{"whole": 1}'
    kept = template.stat().st_ino
    with staged(docs, "disclosure:b") as (folder, _):  # the empty folders of the last owner
        (folder / "assets" / "charts" / "templates").mkdir(parents=True, exist_ok=True)
        (folder / "assets" / "charts" / "templates" / "abc.json").write_bytes(b'{"whole": 1}')
    assert template.stat().st_ino == kept  # the same bytes: left as it is


def test_what_no_owner_wrote_is_removed_and_folders_left_empty_go(tmp_path: Path) -> None:
    """Strays are files and symbolic links (one to a folder too, never followed); a FIFO is
    neither; hand-written files stay; folders left empty go, deepest first."""
    docs = tmp_path / "docs"
    (docs / "a").mkdir(parents=True)
    (docs / "a" / "kept.md").write_text("kept", encoding="utf-8")
    (docs / "a" / "stray.md").write_text("stray", encoding="utf-8")
    (docs / "b" / "c" / "d").mkdir(parents=True)
    (docs / "b" / "c" / "old.md").write_text("stray", encoding="utf-8")
    (docs / "e").symlink_to(docs / "a", target_is_directory=True)
    os.mkfifo(docs / "f")
    (docs / "g").mkdir()
    (docs / "g" / "hand.md").write_text("hand-written", encoding="utf-8")
    owned = outputs.Outputs(docs)
    owned.record("disclosure:a", "1", outputs.Produced({"a/kept.md": sha(b"kept")}))
    assert owned.remove_strays({"g/hand.md"}, None) == ["a/stray.md", "b/c/old.md", "e"]
    assert sorted(p.name for p in docs.iterdir()) == ["a", "f", "g"]
    assert [p.name for p in (docs / "a").iterdir()] == ["kept.md"]
    assert owned.remove_strays(set(), ["g", "missing"]) == ["g/hand.md"]
    assert list((docs / "g").iterdir()) == [], "a folder of the scope itself stays"


def test_strays_are_files_and_links_no_owner_wrote_and_empty_folders_go(tmp_path: Path) -> None:
    """``remove_strays``: every file or link (to a file, a folder, nowhere) that no owner
    wrote and that is not hand-written is deleted, never what a linked folder holds; the
    folders left empty go, the docs dir and the scope's folders stay."""
    docs, outside = tmp_path / "docs", tmp_path / "outside"
    (outside / "kept").mkdir(parents=True)
    (outside / "kept" / "file.txt").write_text("not the build's\n", encoding="utf-8")
    owners = Outputs(docs)
    with staged(docs, "unit:a") as (folder, files):
        (folder / "units").mkdir()
        (folder / "units" / "a.md").write_text("# 单位\n", encoding="utf-8")
    owners.record("unit:a", "key", Produced(files))
    (docs / "units" / "old").mkdir()
    (docs / "units" / "old" / "gone.md").write_text("# 旧页\n", encoding="utf-8")
    (docs / "units" / "index.md").write_text("# 手写\n", encoding="utf-8")
    (docs / "units" / "to-folder").symlink_to(outside / "kept")
    (docs / "units" / "to-file.md").symlink_to(outside / "kept" / "file.txt")
    (docs / "units" / "dangling.md").symlink_to(outside / "nowhere.md")
    (docs / "disclosures" / "empty" / "deeper").mkdir(parents=True)

    owners.finish()  # as a build does first: the staging folder goes
    strays = owners.remove_strays({"units/index.md"}, ["units", "disclosures"])

    assert strays == [
        "units/dangling.md",
        "units/old/gone.md",
        "units/to-file.md",
        "units/to-folder",
    ]
    left = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*"))
    assert left == ["disclosures", "units", "units/a.md", "units/index.md"]
    assert (outside / "kept" / "file.txt").is_file(), "a linked folder's files are not touched"


def test_owners_staged_in_threads_at_once_never_share_a_folder(tmp_path: Path) -> None:
    """An executor may run owners in threads of one process: each gets a folder of its own."""
    docs = tmp_path / "docs"
    (docs / "disclosures").mkdir(parents=True)
    started = threading.Barrier(4)

    def produce(number: int) -> tuple[Path, dict[str, str]]:
        with staged(docs, f"disclosure:{number}") as (folder, moved):
            started.wait(timeout=10)  # all four hold a staging folder now
            (folder / "disclosures" / str(number)).mkdir(parents=True)
            (folder / "disclosures" / str(number) / "index.md").write_bytes(b"%d" % number)
        return folder, dict(moved)

    for _ in range(3):
        with ThreadPoolExecutor(4) as pool:
            done = list(pool.map(produce, range(4)))
        assert len({folder for folder, _ in done}) == 4
        for number, (_, moved) in enumerate(done):
            assert moved == {f"disclosures/{number}/index.md": sha(b"%d" % number)}
        for number in range(4):
            shutil.rmtree(docs / "disclosures" / str(number))
