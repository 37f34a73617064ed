"""The data folder is updated in place (``builder.pipeline.datahost``): a rebuild links again
only the files of ``.data/`` that changed, and a data folder damaged or edited by hand
(files removed, replaced, added, made links or folders; ``SHA256SUMS`` edited; a killed
build's temporary file) comes out exactly as a new one would. Expected sums are computed
here with hashlib from the docs files' bytes."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from builder import identities
from builder.cache import HashMemo
from builder.pipeline.datahost import CHECKSUMS, place_data_folder

FILES = {
    "a.zip": b"PK first disclosure",
    "b.zip": b"PK second disclosure",
    "portal.csv.budget.csv": "单位,金额\n甲,5256.96\n".encode(),
}


def docs_with(root: Path, files: dict[str, bytes]) -> Path:
    docs = root / "docs"
    hosted = docs / identities.HOSTED_FOLDER
    hosted.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (hosted / name).write_bytes(data)
    return docs


def expected_sums(files: dict[str, bytes]) -> str:
    return "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    )


def assert_placed(docs: Path, folder: Path, files: dict[str, bytes]) -> None:
    """``folder`` holds each file as a hard link to its ``.data`` file, the sums, no more."""
    assert sorted(os.listdir(folder)) == sorted([*files, CHECKSUMS])
    for name, data in files.items():
        placed = folder / name
        assert not placed.is_symlink()
        assert placed.read_bytes() == data
        assert placed.stat().st_ino == (docs / identities.HOSTED_FOLDER / name).stat().st_ino
    assert (folder / CHECKSUMS).read_text(encoding="utf-8") == expected_sums(files)


def inodes(folder: Path) -> dict[str, int]:
    return {path.name: path.stat().st_ino for path in folder.iterdir()}


def test_a_new_data_folder_links_every_file_and_lists_its_sums(tmp_path: Path) -> None:
    docs = docs_with(tmp_path, FILES)
    folder = tmp_path / "site-data"
    names = place_data_folder(docs, folder, hosted=True, hashes=HashMemo())
    assert names == [*sorted(FILES), CHECKSUMS]
    assert_placed(docs, folder, FILES)
    assert not list(tmp_path.glob(".site-data.*")), "no staging folder is left"


def test_a_rebuild_links_again_only_the_files_that_changed(tmp_path: Path) -> None:
    docs = docs_with(tmp_path, FILES)
    folder = tmp_path / "site-data"
    place_data_folder(docs, folder, hosted=True)
    before = inodes(folder)
    changed = {**FILES, "b.zip": b"PK second disclosure, corrected"}
    replacement = tmp_path / "new-b.zip"  # a new file renamed into place, as owners do
    replacement.write_bytes(changed["b.zip"])
    replacement.replace(docs / identities.HOSTED_FOLDER / "b.zip")
    (docs / identities.HOSTED_FOLDER / "a.zip").unlink()  # a disclosure removed
    del changed["a.zip"]
    place_data_folder(docs, folder, hosted=True)
    assert_placed(docs, folder, changed)
    after = inodes(folder)
    assert after["portal.csv.budget.csv"] == before["portal.csv.budget.csv"], "not relinked"
    assert after["b.zip"] != before["b.zip"]


def test_a_data_folder_damaged_by_hand_is_repaired(tmp_path: Path) -> None:
    docs = docs_with(tmp_path, FILES)
    folder = tmp_path / "site-data"
    place_data_folder(docs, folder, hosted=True)
    elsewhere = tmp_path / "elsewhere.zip"
    elsewhere.write_bytes(FILES["b.zip"])  # the same bytes, but not the build's file
    (folder / "a.zip").unlink()  # removed
    (folder / "b.zip").unlink()
    (folder / "b.zip").symlink_to(elsewhere)  # made a link
    replaced = folder / "portal.csv.budget.csv"
    replaced.unlink()
    replaced.write_bytes(b"edited by hand\n")  # another file under the name
    (folder / "extra.zip").write_bytes(b"not the build's")
    (folder / "a folder").mkdir()
    (folder / "a folder" / "inside.txt").write_bytes(b"x")
    (folder / f".a.zip.placing-{os.getpid() + 1}").write_bytes(b"half")  # a killed build's
    (folder / CHECKSUMS).write_text("0" * 64 + "  a.zip\n", encoding="utf-8")
    place_data_folder(docs, folder, hosted=True)
    assert_placed(docs, folder, FILES)
    assert elsewhere.read_bytes() == FILES["b.zip"], "a link's target is left alone"


def test_a_data_folder_that_is_a_link_or_a_file_is_replaced_by_a_folder(tmp_path: Path) -> None:
    docs = docs_with(tmp_path, FILES)
    target = tmp_path / "linked"
    target.mkdir()
    (target / "kept.txt").write_bytes(b"not ours")
    folder = tmp_path / "site-data"
    folder.symlink_to(target)
    place_data_folder(docs, folder, hosted=True)
    assert not folder.is_symlink()
    assert_placed(docs, folder, FILES)
    assert sorted(os.listdir(target)) == ["kept.txt"], "the link's target is left alone"
    other = tmp_path / "other-data"
    other.write_bytes(b"a file where the folder goes")
    place_data_folder(docs, other, hosted=True)
    assert_placed(docs, other, FILES)


def test_without_a_data_host_the_data_folder_goes(tmp_path: Path) -> None:
    docs = docs_with(tmp_path, FILES)
    folder = tmp_path / "site-data"
    place_data_folder(docs, folder, hosted=True)
    assert place_data_folder(docs, folder, hosted=False) == []
    assert not folder.exists()
    assert (docs / identities.HOSTED_FOLDER / "a.zip").read_bytes() == FILES["a.zip"]


def test_an_edit_of_a_docs_file_in_place_changes_its_sum(tmp_path: Path) -> None:
    """A data file edited in place is the ``.data`` file edited (one inode): the sums say
    what is there, read again because its signature changed (the pages' owners are checked,
    and rebuilt, by ``builder.pages.outputs``)."""
    docs = docs_with(tmp_path, FILES)
    folder = tmp_path / "site-data"
    memo = HashMemo()
    place_data_folder(docs, folder, hosted=True, hashes=memo)
    with (folder / "a.zip").open("ab") as handle:
        handle.write(b" and more")
    edited = {**FILES, "a.zip": FILES["a.zip"] + b" and more"}
    place_data_folder(docs, folder, hosted=True, hashes=memo)
    assert_placed(docs, folder, edited)
