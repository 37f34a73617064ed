"""The build cache: what an incremental build may reuse, and when it may.

A disclosure's outputs (its data package, its part of the portal package, its pages) depend
only on its source text, its ``.meta.yaml``, the builder's code and data files and the
versions of the libraries that write the files. :func:`source_key` hashes exactly these; a
disclosure whose key has not changed since the last build is not parsed, audited or
written again. Pages that also show other disclosures (a unit's page, the links between one
unit's disclosures) are keyed on those too (``builder.pages.outputs``).

The cache is a folder of pickles beside the packages (``<packages>/../.build-cache``), one
per disclosure and key. It holds derived data only: deleting it (or ``build --clean``) costs
one full rebuild, never a wrong one. Its ``extract/`` folder keeps the text of each PDF
source by the PDF's sha256, so a PDF is extracted once, not on every rebuild.

Checking that a kept output is intact, and fingerprinting a source, hash files; a rebuild
reads again only the files that changed (:class:`HashMemo`, ``hashes.memo`` in the cache):
with each sha256 it keeps the file's stat signature (device, inode, size, modification
and change times, in ns), and a file whose signature is unchanged holds the hash recorded,
as git's index trusts its stat data. Nothing but a change of the file's own content, mode,
links or name sets its change time (``touch`` and ``os.utime`` set it too, so a file edited
and given back its old modification time is read again); a file replaced by a rename, a
copy or a symlink is another inode.
"""

from __future__ import annotations

import array
import errno
import hashlib
import os
import pickle
import re
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from io import BufferedReader
from pathlib import Path
from typing import Any, BinaryIO

from builder.regular_files import open_regular
from builder.release import release_bytes
from builder.sources.provenance import meta_path

PACKAGE_ROOT = Path(__file__).resolve().parent
CODE_SUFFIXES = {".py", ".yaml", ".json", ".txt"}
# Libraries whose versions change the bytes of what the build writes.
WRITERS = ("pyarrow", "altair", "PyYAML", "XlsxWriter")
CACHE_NAME = ".build-cache"
PICKLE_PROTOCOL = 5
DIGEST = "digest"  # what the portal-wide stages need of a disclosure (small)
FULL = "full"  # the whole parsed disclosure (for its own pages)
EXTRACTIONS = "extract"  # the texts of PDF sources, by sha256 (``builder.extract.stored``)
HASHES = "hashes.memo"  # the files' sha256 by stat signature (``HashMemo``)
MEMO_HEADER = b"builder hash memo 2 "  # then the sha256 of the body, a newline, the body
HEX = re.compile(b"[0-9a-f]*")
NOT_A_FILE = "not-a-file"  # the hash of a symlink or anything but a regular file
# st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns: equal means the same bytes
Signature = tuple[int, int, int, int, int]
SIGNATURE_FIELDS = 5


@cache
def code_key() -> str:
    """A hash of the builder's own files and the versions of the writing libraries."""
    digest = hashlib.sha256(f"python {sys.version_info[:2]}".encode())
    for name in WRITERS:
        digest.update(f"{name} {metadata.version(name)}".encode())
    for path in sorted(PACKAGE_ROOT.rglob("*")):
        if path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE_ROOT).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def source_key(source: Path, memo: HashMemo | None = None) -> str:
    """The key of one disclosure's outputs: its text, its record, the code and the data
    release (``datasets/releases.yaml``: its version and date are in every package). With
    ``memo``, a text or record unchanged since the last build is not read again."""
    memo = memo or HashMemo()
    digest = hashlib.sha256(code_key().encode())
    digest.update(hashlib.sha256(release_bytes()).digest())
    digest.update(source.name.encode())
    digest.update(bytes.fromhex(memo.source_hash(source)))
    record = meta_path(source)
    if record.is_file():
        digest.update(b"meta")
        digest.update(bytes.fromhex(memo.source_hash(record)))
    return digest.hexdigest()


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``target`` through a temporary file beside it: a killed build leaves the old
    file or the new one, never half of one."""
    write_atomic_with(target, lambda handle: handle.write(data))


def write_atomic_with(target: Path, write: Callable[[BinaryIO], object]) -> None:
    """:func:`write_atomic` of what ``write`` writes into the open file (a pickle as it is
    made, never whole in memory beside what it pickles)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    with temporary.open("wb") as handle:
        write(handle)
    temporary.replace(target)


def tree_hashes(folder: Path, memo: HashMemo | None = None) -> dict[str, str]:
    """The sha256 of every file under ``folder``, by POSIX path relative to it (what an
    incremental build compares with what it wrote before it keeps an output): regular files
    and links (a link, to a file or a folder, hashes to ``NOT_A_FILE`` and is not followed;
    a FIFO or socket is not listed). With ``memo``, a file unchanged since the last build is
    not read again. One ``scandir`` per folder and one ``lstat`` per file (the ``rglob``
    walk with a ``stat`` and an ``lstat`` per file took three times as long)."""
    root = os.path.abspath(folder)
    out: dict[str, str] = {}
    if os.path.islink(root):  # a package replaced by a link is never as written
        return out
    pending = [(root, "")]
    while pending:
        top, prefix = pending.pop()
        try:
            entries = list(os.scandir(top))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, f"{prefix}{entry.name}/"))
            elif entry.is_symlink():
                out[prefix + entry.name] = NOT_A_FILE
            elif entry.is_file(follow_symlinks=False):
                out[prefix + entry.name] = (
                    file_hash(entry.path)
                    if memo is None
                    else memo.hash_at(entry.path, entry.stat(follow_symlinks=False))
                )
    return out


_NOT_NORMAL = re.compile(r"(?:^|/)\.{0,2}(?:/|$)")  # an empty, "." or ".." part


def under(root: str, relative: str) -> str:
    """``os.path.abspath(os.path.join(root, relative))`` for an absolute, normal ``root``
    and a relative POSIX path, without normalizing one that is already normal (the
    memo's keys are absolute normal paths; ``abspath`` was most of a check's time)."""
    if relative.startswith("/") or _NOT_NORMAL.search(relative):
        return os.path.abspath(os.path.join(root, relative))
    return f"{root}/{relative}" if root != "/" else f"/{relative}"


def file_hash(path: Path | str) -> str:
    """The sha256 of a file (a symlink or anything unreadable hashes to a marker that never
    matches a written file)."""
    return read_hash(path)[0]


def signature_of(status: os.stat_result) -> Signature:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def read_hash(path: Path | str) -> tuple[str, Signature | None]:
    """The sha256 of the regular file ``path`` (never through a symlink: a symlink, a
    missing file and anything but a regular file hash to ``NOT_A_FILE``), and the stat
    signature of what was read (None if the file changed while it was read)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return NOT_A_FILE, None
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:  # gone, or made a symlink, since it was listed
        if error.errno in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
            return NOT_A_FILE, None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return NOT_A_FILE, None
        return read_digest(handle)


def read_digest(handle: BufferedReader) -> tuple[str, Signature | None]:
    """The sha256 of an open regular file, and its stat signature if the same before and
    after reading (a file written to meanwhile is never recorded as holding that hash)."""
    before = signature_of(os.fstat(handle.fileno()))
    sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
    after = signature_of(os.fstat(handle.fileno()))
    return sha256, before if before == after else None


@dataclass
class HashMemo:
    """The sha256 of files by stat signature: what the last build recorded and what this
    one has read or written. A file is read only when its signature differs from the one
    recorded with its hash; :meth:`save` keeps what this build knows for the next.

    A memo without ``path`` is never saved: every file is read, as without a memo.
    """

    path: Path | None = None
    recorded: dict[str, tuple[Signature, str]] = field(default_factory=dict)
    known: dict[str, tuple[Signature, str]] = field(default_factory=dict)  # this build's
    reads: int = 0  # files read (the others' hashes were recorded)

    @classmethod
    def load(cls, path: Path) -> HashMemo:
        """The memo saved at ``path``; an empty one if it is missing, damaged or of another
        format (every file is then read: a memo is never partly believed)."""
        try:
            with path.open("rb") as handle:
                written = os.fstat(handle.fileno()).st_mtime_ns
                data = handle.read()
            header, body = data.split(b"\n", 1)
            if header != MEMO_HEADER + hashlib.sha256(body).hexdigest().encode():
                return cls(path)
            recorded = memo_entries(body)
        except (OSError, ValueError, TypeError, UnicodeDecodeError):
            return cls(path)
        # A file changed in the same clock tick as the memo was written may keep its change
        # time (the racy case of git's index): such an entry is never believed.
        racy = {name for name, (signature, _) in recorded.items() if signature[4] >= written}
        return cls(path, {k: v for k, v in recorded.items() if k not in racy})

    def file_hash(self, path: Path | str) -> str:
        """:func:`file_hash` of ``path``, read only if it changed since it was hashed."""
        return self.hash_at(os.path.abspath(path))

    def hash_at(self, name: str, status: os.stat_result | None = None) -> str:
        """:meth:`file_hash` of ``name``, an absolute and normal path (:func:`under`);
        ``status``: its ``lstat``, if just taken."""
        try:
            status = status or os.lstat(name)
        except (FileNotFoundError, NotADirectoryError):
            return NOT_A_FILE
        if not stat.S_ISREG(status.st_mode):
            return NOT_A_FILE
        return self._believed(name, status) or self._learn(name, *read_hash(name))

    def source_hash(self, path: Path) -> str:
        """The sha256 of a source (a symlink is followed; a device, FIFO or folder is
        refused by :func:`~builder.regular_files.open_regular`), read only if it changed."""
        name = os.path.abspath(path)
        try:
            status = os.stat(name)
        except OSError:
            status = None
        if status is not None and stat.S_ISREG(status.st_mode):
            known = self._believed(name, status)
            if known:
                return known
        with open_regular(path) as handle:  # never a device or FIFO (it would not end)
            return self._learn(name, *read_digest(handle))

    def note(self, path: Path, signature: Signature, sha256: str) -> None:
        """``path`` was hashed (to ``sha256``) when it had ``signature``: a file this build
        wrote, hashed where it was written (``builder.pages.outputs``)."""
        self.known[os.path.abspath(path)] = (signature, sha256)

    def save(self) -> None:
        """Keep, for the next build, every file whose signature is still the one recorded
        with its hash. A file this build hashed or believed may since have another change
        time and nothing else: the build's own hard links to it (the site and the data
        folder link the docs files) and renames set it. Such a file keeps its hash with its
        new signature (so edits made while a build runs that keep the size and give back
        the modification time are not seen; edits between builds always are)."""
        if self.path is None:
            return
        entries = {}
        for name, (signature, sha256) in {**self.recorded, **self.known}.items():
            try:
                now = signature_of(os.stat(name))
            except OSError:
                continue
            relinked = name in self.known and now[:4] == signature[:4] and now[4] > signature[4]
            if now == signature or relinked:
                entries[name] = (now, sha256)
        body = memo_body(entries)
        write_atomic(
            self.path, MEMO_HEADER + hashlib.sha256(body).hexdigest().encode() + b"\n" + body
        )

    def _believed(self, name: str, status: os.stat_result) -> str | None:
        """The hash of ``name`` if recorded by the last build with exactly this signature,
        or by this build with this signature but for a later change time: a file this
        build hashed and then moved into place or hard-linked (a rename and a link move
        only the change time), as :meth:`save` keeps it (the portal's files, hashed as
        they were moved into the docs dir, are not read again for the data folder's
        sums: 1.4 s at 1,000 disclosures)."""
        signature = signature_of(status)
        entry = self.known.get(name)
        if entry is not None and entry[0][:4] == signature[:4] and entry[0][4] <= signature[4]:
            if entry[0] != signature:
                self.known[name] = (signature, entry[1])
            return entry[1]
        entry = self.recorded.get(name)
        if entry is not None and entry[0] == signature:
            self.known[name] = entry
            return entry[1]
        return None

    def _learn(self, name: str, sha256: str, signature: Signature | None) -> str:
        self.reads += 1
        if signature is not None and sha256 != NOT_A_FILE:
            self.known[name] = (signature, sha256)
        return sha256


def memo_body(entries: dict[str, tuple[Signature, str]]) -> bytes:
    """The memo's entries as written: a line with their count and the length of their names,
    the names (UTF-8, each ended by a NUL, which no path holds), the five numbers of each
    signature (64-bit, little-endian) and the hashes (hex, 64 characters each). In the order
    of the names. Read by :func:`memo_entries` in a few array operations (JSON with a list
    per entry took 0.35 s to load and 0.1 s to write at 87,000 entries, a third of the
    memo's time)."""
    names = sorted(entries)
    text = "".join(f"{name}\0" for name in names).encode("utf-8", "surrogateescape")
    numbers = array.array("q", [n for name in names for n in entries[name][0]])
    if sys.byteorder != "little":
        numbers.byteswap()
    hashes = "".join(entries[name][1] for name in names).encode("ascii")
    return b"%d %d\n" % (len(names), len(text)) + text + numbers.tobytes() + hashes


def memo_entries(body: bytes) -> dict[str, tuple[Signature, str]]:
    """The entries of a memo body (:func:`memo_body`); ValueError if it is not one."""
    line, rest = body.split(b"\n", 1)
    count, length = (int(part) for part in line.split(b" "))
    size = count * SIGNATURE_FIELDS * 8
    if count < 0 or length < 0 or len(rest) != length + size + count * 64:
        raise ValueError("not the size its first line says")
    names = rest[:length].decode("utf-8", "surrogateescape").split("\0")
    if names.pop() != "" or len(names) != count:
        raise ValueError("not as many names as entries")
    numbers = array.array("q")
    numbers.frombytes(rest[length : length + size])
    if sys.byteorder != "little":
        numbers.byteswap()
    hashes = rest[length + size :]
    if not HEX.fullmatch(hashes):
        raise ValueError("a hash that is not hex")
    text = hashes.decode("ascii")
    signatures = zip(*[iter(numbers)] * SIGNATURE_FIELDS, strict=True)
    digests = (text[start : start + 64] for start in range(0, len(text), 64))
    return {
        name: (signature, sha256)
        for name, signature, sha256 in zip(names, signatures, digests, strict=True)
    }


def cache_dir_for(packages: Path) -> Path:
    return packages.resolve().parent / CACHE_NAME


@dataclass(frozen=True)
class BuildCache:
    """Pickles by disclosure id, key and part (``digest`` or ``full``)."""

    folder: Path

    def path(self, disclosure_id: str, key: str, part: str) -> Path:
        return self.folder / f"{disclosure_id}.{key[:24]}.{part}.pickle"

    def has(self, disclosure_id: str, key: str) -> bool:
        return all(self.path(disclosure_id, key, part).is_file() for part in (DIGEST, FULL))

    def load(self, disclosure_id: str, key: str, part: str) -> Any:
        with self.path(disclosure_id, key, part).open("rb") as handle:
            return pickle.load(handle)  # our own cache, written by this builder

    def store(self, disclosure_id: str, key: str, part: str, value: Any) -> None:
        """Write atomically: a killed build leaves no half-written pickle under a key."""
        data = pickle.dumps(value, protocol=PICKLE_PROTOCOL)
        write_atomic(self.path(disclosure_id, key, part), data)

    def prune(self, keep: dict[str, str]) -> None:
        """Remove every entry but the current key of each kept disclosure."""
        if not self.folder.is_dir():
            return
        wanted = {
            self.path(disclosure_id, key, part).name
            for disclosure_id, key in keep.items()
            for part in (DIGEST, FULL)
        }
        for path in self.folder.glob("*.pickle"):
            if path.name not in wanted:
                path.unlink(missing_ok=True)
