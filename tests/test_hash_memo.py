"""The hash memo (``builder.cache.HashMemo``): a file is read again only when its stat
signature changed since its hash was recorded, and every way a file can change is seen."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from builder import cache
from builder.cache import HASHES, NOT_A_FILE, HashMemo, read_hash
from builder.errors import DisclosureError

TEXT = b"2024 budget: 5256.96\n"
SAME_SIZE = b"2024 budget: 9256.96\n"  # one digit changed: same size


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def remembered(tmp_path: Path, *files: Path) -> HashMemo:
    """A memo that hashed ``files``, saved as a build saves it, and loaded by the next."""
    memo = HashMemo.load(tmp_path / HASHES)
    for path in files:
        memo.file_hash(path)
    memo.save()
    return HashMemo.load(tmp_path / HASHES)


def test_an_unchanged_file_is_not_read_again(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(TEXT)
    memo = remembered(tmp_path, page)
    assert memo.file_hash(page) == sha(TEXT)
    assert memo.reads == 0


def test_the_memo_is_believed_without_reading(tmp_path: Path) -> None:
    """What the memo says is what is returned: an unchanged signature is not read (shown by
    a recorded hash that is not the file's; the memo's own checksum made to match)."""
    page = tmp_path / "page.html"
    page.write_bytes(TEXT)
    remembered(tmp_path, page)
    saved = tmp_path / HASHES
    body = saved.read_bytes().split(b"\n", 1)[1]
    body = body.replace(sha(TEXT).encode(), sha(b"another").encode())
    checksum = hashlib.sha256(body).hexdigest().encode()
    written = saved.stat()
    saved.write_bytes(cache.MEMO_HEADER + checksum + b"\n" + body)
    os.utime(saved, ns=(written.st_atime_ns, written.st_mtime_ns))
    assert HashMemo.load(saved).file_hash(page) == sha(b"another")


def edit_keeping_signature_but_ctime(path: Path, data: bytes) -> None:
    """Write ``data`` (as long as the file) over ``path`` in place (the same inode), then give
    back its modification time: only its change time tells."""
    before = path.stat()
    with path.open("r+b") as handle:
        handle.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )


def test_an_edit_that_restores_size_and_modification_time_is_read(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(TEXT)
    memo = remembered(tmp_path, page)
    edit_keeping_signature_but_ctime(page, SAME_SIZE)
    assert memo.file_hash(page) == sha(SAME_SIZE)
    assert memo.reads == 1


def test_an_edit_through_a_hard_link_is_read(tmp_path: Path) -> None:
    """The site hard-links the docs files: an edit of the site's copy edits the docs file."""
    page = tmp_path / "page.html"
    page.write_bytes(TEXT)
    memo = remembered(tmp_path, page)
    linked = tmp_path / "site-page.html"
    os.link(page, linked)
    before = linked.stat()
    with linked.open("r+b") as handle:
        handle.write(SAME_SIZE)
    os.utime(linked, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert memo.file_hash(page) == sha(SAME_SIZE)


def test_a_file_replaced_by_a_rename_a_symlink_or_deleted_is_seen(tmp_path: Path) -> None:
    renamed, linked, deleted, truncated = (tmp_path / n for n in ("a", "b", "c", "d"))
    for path in (renamed, linked, deleted, truncated):
        path.write_bytes(TEXT)
    memo = remembered(tmp_path, renamed, linked, deleted, truncated)
    before = renamed.stat()
    other = tmp_path / "other"
    other.write_bytes(SAME_SIZE)
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    other.replace(renamed)  # same size, same modification time, another inode
    linked.unlink()
    linked.symlink_to(renamed)
    deleted.unlink()
    with truncated.open("r+b") as handle:
        handle.truncate(3)
    assert memo.file_hash(renamed) == sha(SAME_SIZE)
    assert memo.file_hash(linked) == NOT_A_FILE
    assert memo.file_hash(deleted) == NOT_A_FILE
    assert memo.file_hash(truncated) == sha(TEXT[:3])
    memo.save()
    saved = cache.memo_entries((tmp_path / HASHES).read_bytes().split(b"\n", 1)[1])
    assert set(saved) == {str(renamed), str(truncated)}


def test_a_damaged_or_half_written_memo_is_ignored(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(TEXT)
    remembered(tmp_path, page)
    saved = tmp_path / HASHES
    whole = saved.read_bytes()
    assert HashMemo.load(saved).recorded, "the whole memo is believed"
    damaged = [
        whole[: len(whole) // 2],  # half-written
        whole[:-1],
        whole.replace(sha(TEXT).encode(), sha(b"another").encode()),  # checksum disagrees
        b"",
        b"\x00" * 100,
        cache.MEMO_HEADER + hashlib.sha256(b"{}").hexdigest().encode() + b"\n{}",
        cache.MEMO_HEADER + hashlib.sha256(b'[["x",1]]').hexdigest().encode() + b'\n[["x",1]]',
    ]
    for data in damaged:
        saved.write_bytes(data)
        memo = HashMemo.load(saved)
        assert memo.recorded == {}
        assert memo.file_hash(page) == sha(TEXT)
        assert memo.reads == 1


def test_an_entry_as_recent_as_the_memo_is_not_believed(tmp_path: Path) -> None:
    """A file changed in the clock tick the memo was written in may keep its change time
    through a second change (git's racy case): it is read again."""
    page = tmp_path / "page.html"
    page.write_bytes(TEXT)
    remembered(tmp_path, page)
    saved = tmp_path / HASHES
    changed = page.stat().st_ctime_ns
    os.utime(saved, ns=(changed, changed))  # written in the tick the file last changed
    memo = HashMemo.load(saved)
    assert memo.recorded == {}
    assert memo.file_hash(page) == sha(TEXT)


def test_a_link_made_during_the_build_keeps_the_hash_another_change_does_not(
    tmp_path: Path,
) -> None:
    """A file hashed by this build whose change time alone moved since (the site's hard
    links) is saved with its new signature; one whose modification time moved is not."""
    linked, touched = tmp_path / "linked", tmp_path / "touched"
    linked.write_bytes(TEXT)
    touched.write_bytes(TEXT)
    memo = HashMemo.load(tmp_path / HASHES)
    memo.file_hash(linked)
    memo.file_hash(touched)
    os.link(linked, tmp_path / "site-copy")
    os.utime(touched, ns=(1, 1))
    memo.save()
    again = HashMemo.load(tmp_path / HASHES)
    assert again.file_hash(linked) == sha(TEXT)
    assert again.reads == 0
    assert again.file_hash(touched) == sha(TEXT)
    assert again.reads == 1


def test_a_file_this_build_hashed_and_then_moved_is_not_read_again_in_the_build(
    tmp_path: Path,
) -> None:
    """A file the build wrote and hashed aside, then renamed into place (only its change
    time moves), is believed by the same build; one whose modification time moved, or a
    file the last build recorded whose change time moved, is read."""
    staging, placed = tmp_path / "staging", tmp_path / "placed"
    staging.write_bytes(TEXT)
    sha256, signature = read_hash(staging)
    assert signature is not None
    memo = HashMemo.load(tmp_path / HASHES)
    memo.note(placed, signature, sha256)
    staging.rename(placed)
    os.link(placed, tmp_path / "site-copy")  # the site's link moves the change time too
    assert memo.file_hash(placed) == sha(TEXT)
    assert memo.reads == 0
    stat = placed.stat()
    placed.write_bytes(SAME_SIZE)
    os.utime(placed, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert memo.file_hash(placed) == sha(SAME_SIZE)
    assert memo.reads == 1
    memo.save()
    edit_keeping_signature_but_ctime(placed, TEXT)
    again = HashMemo.load(tmp_path / HASHES)
    assert again.file_hash(placed) == sha(TEXT)
    assert again.reads == 1


def test_a_file_written_while_it_is_read_is_not_remembered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(TEXT)
    digest = hashlib.file_digest

    def written_meanwhile(handle: object, name: str) -> object:
        with page.open("ab") as other:
            other.write(b"more")
        return digest(handle, name)  # type: ignore[arg-type]

    monkeypatch.setattr(cache.hashlib, "file_digest", written_meanwhile)
    assert read_hash(page)[1] is None
    memo = HashMemo.load(tmp_path / HASHES)
    memo.file_hash(page)
    assert memo.known == {}


def test_a_source_is_read_again_when_it_or_its_link_changes(tmp_path: Path) -> None:
    text, other = tmp_path / "a.txt", tmp_path / "b.txt"
    text.write_bytes(TEXT)
    other.write_bytes(SAME_SIZE)
    source = tmp_path / "source.txt"
    source.symlink_to(text)
    memo = HashMemo.load(tmp_path / HASHES)
    assert memo.source_hash(source) == sha(TEXT)
    memo.save()
    memo = HashMemo.load(tmp_path / HASHES)
    assert memo.source_hash(source) == sha(TEXT)
    assert memo.reads == 0
    source.unlink()
    source.symlink_to(other)
    assert memo.source_hash(source) == sha(SAME_SIZE)
    source.unlink()
    os.mkfifo(source)
    with pytest.raises(DisclosureError, match="not a regular file"):
        memo.source_hash(source)


def test_a_memo_without_a_path_reads_every_time(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(TEXT)
    memo = HashMemo()
    memo.file_hash(page)
    memo.save()
    assert list(tmp_path.iterdir()) == [page]
    assert HashMemo().file_hash(page) == sha(TEXT)


def test_the_memo_keeps_any_path_and_every_number(tmp_path: Path) -> None:
    """Names with newlines, spaces, Chinese and bytes that are not UTF-8, and signatures
    beyond 32 bits, come back from the saved memo as they were."""
    entries = {
        "/a/b\nc d": ((1, 2, 3, 4, 5), sha(b"1")),
        "/公开/文件.txt": ((2**40, 2**62, 0, 1_700_000_000_123_456_789, 7), sha(b"2")),
        os.fsdecode(b"/x/\xff\xfe"): ((9, 8, 7, 6, 5), sha(b"3")),
    }
    assert cache.memo_entries(cache.memo_body(entries)) == entries
    assert cache.memo_entries(cache.memo_body({})) == {}


@pytest.mark.parametrize(
    "body",
    [
        b"1 2\nab",  # shorter than it says
        b"2 2\na\0" + bytes(80) + b"0" * 128,  # one name for two entries
        b"1 2\na\0" + bytes(40) + b"g" * 64,  # a hash that is not hex
        b"-1 0\n",
        b"x\n",
    ],
)
def test_a_memo_body_of_another_shape_is_not_believed(tmp_path: Path, body: bytes) -> None:
    """A body whose checksum is right but whose shape is not a memo's (a bug, another
    version) gives an empty memo: every file is read."""
    saved = tmp_path / HASHES
    saved.write_bytes(cache.MEMO_HEADER + sha(body).encode() + b"\n" + body)
    os.utime(saved, ns=(0, 0))  # not racy: only the shape decides
    assert HashMemo.load(saved).recorded == {}
    good = cache.memo_body({"/a": ((1, 2, 3, 4, 5), sha(b"a"))})
    saved.write_bytes(cache.MEMO_HEADER + sha(good).encode() + b"\n" + good)
    os.utime(saved, ns=(10**18, 10**18))
    assert HashMemo.load(saved).recorded == {"/a": ((1, 2, 3, 4, 5), sha(b"a"))}
