"""Files written with their sha256 noted (``builder.written``): a note is believed only for
the file it was taken of, and moving a staging folder records the same hashes either way."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

from builder.cache import file_hash
from builder.charts.files import TEMPLATES_DIR, write_chart
from builder.charts.spec import Chart, Frame, amount_chart
from builder.pages.outputs import staged
from builder.written import forget, note, noted_hash, write_noted


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_note_is_used_once_for_the_file_it_was_taken_of(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    write_noted(path, b"one")
    noted = noted_hash(path)
    assert noted is not None
    assert noted[0] == sha256(b"one") == file_hash(path)
    assert noted_hash(path) is None  # used once


def test_a_file_changed_since_its_note_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    write_noted(path, b"one")
    path.write_bytes(b"three")  # not through write_noted: another size
    assert noted_hash(path) is None
    write_noted(path, b"one")
    path.unlink()
    path.write_bytes(b"two")  # another inode
    assert noted_hash(path) is None


def test_forget_drops_the_notes_under_a_folder(tmp_path: Path) -> None:
    inside, outside = tmp_path / "staging" / "x.txt", tmp_path / "y.txt"
    inside.parent.mkdir()
    write_noted(inside, b"x")
    write_noted(outside, b"y")
    forget(tmp_path / "staging")
    assert noted_hash(inside) is None
    assert noted_hash(outside) is not None


def test_a_wrong_note_is_not_believed_for_another_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"a")
    note(path, sha256(b"a"))
    path.unlink()
    path.mkdir()  # not a regular file any more
    assert noted_hash(path) is None


def _chart() -> Chart:
    frame = Frame("c1", "标题", "标题", ("单位",), "来源", "类")
    return amount_chart(frame, [("甲", None, Decimal("1.5")), ("乙", None, Decimal(2))])


def test_staged_files_are_recorded_with_their_own_hashes(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    chart = _chart()
    with staged(docs, "owner:a") as (folder, moved):
        write_chart(chart, folder, docs)
        write_noted(folder / "page.md", b"# page\n")
    assert moved
    for name, recorded in moved.items():
        assert recorded == file_hash(docs / name), name


def test_a_template_edited_in_the_docs_dir_is_written_again(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    chart = _chart()
    with staged(docs, "owner:a") as (folder, _):
        files = write_chart(chart, folder, docs)
    template = docs / files.template
    right = template.read_bytes()
    template.write_bytes(b"edited by hand\n")
    with staged(docs, "owner:b") as (folder, moved):
        write_chart(chart, folder, docs)
    assert template.read_bytes() == right
    assert moved[files.template.as_posix()] == sha256(right)
    # the template the docs dir has is linked, and the staging's link left behind
    with staged(docs, "owner:c") as (folder, moved):
        write_chart(chart, folder, docs)
    assert template.stat().st_nlink == 1
    assert moved[files.template.as_posix()] == sha256(right)
    assert (docs / TEMPLATES_DIR).is_dir()
