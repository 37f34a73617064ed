"""Which generated file belongs to which page, so a rebuild rewrites only what changed.

Every generated file of the docs dir has an *owner*: a disclosure (its page, charts, source
text and downloads), a unit (its page and chart) or the portal (home, indexes, data,
dictionary, quality, glossary pages, ``data.json`` and the portal downloads). An owner is
produced into a staging folder of its own and then moved into the docs dir, so the files it
wrote are known exactly; :class:`Outputs` records them, with the sha256 of each, under the
owner's key (a hash of everything the owner's files depend on). An owner whose key is
unchanged and whose files are all still there, byte for byte as written, is not produced
again; files whose owner is gone, or that its new version no longer writes, are deleted.
A file is read to check it only if its stat signature changed since it was hashed
(``builder.cache.HashMemo``): each file moved into the docs dir is hashed as it is moved,
and its signature then goes with its hash to the build's memo.

A file named by its content (a chart template, ``assets/charts/templates/``) may be written by
several owners, always with the same bytes: one already there is left as it is, and it is
deleted only when no owner writes it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.cache import HashMemo, Signature, file_hash, read_hash, under, write_atomic
from builder.charts.files import TEMPLATES_DIR
from builder.written import forget, noted_hash

STAGING = ".staging"  # under the docs dir; MkDocs ignores dot folders


def key_of(*parts: object) -> str:
    """A stable hash of JSON-able parts."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Moved(dict[str, str]):
    """The files moved into the docs dir (docs-relative POSIX path → sha256), with the stat
    signature each had when it was hashed (``signatures``, for the build's memo)."""

    def __init__(self) -> None:
        super().__init__()
        self.signatures: dict[str, Signature] = {}


@dataclass(frozen=True)
class Produced:
    """What producing one owner wrote (docs-relative POSIX paths, each with its sha256) and
    kept aside for others."""

    files: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def signatures(self) -> dict[str, Signature]:
        """The stat signature of each file when it was hashed (none if not known)."""
        return self.files.signatures if isinstance(self.files, Moved) else {}


@contextmanager
def staged(
    docs_dir: Path, owner: str, unchanged: HashMemo | None = None
) -> Iterator[tuple[Path, Moved]]:
    """A private docs folder for one owner; on success its files move into ``docs_dir``.

    Yields the folder and the mapping that receives the moved files' paths and sha256. The
    folder holds no file, but may hold empty folders that an earlier owner left
    (:func:`staging_folder`). With ``unchanged`` (the build's memo of hashes), a file whose
    bytes are those already in ``docs_dir`` is not moved: the file there stays as it is (its
    modification time too), for an owner that writes many files of which a change alters few
    (the portal pages).
    """
    folder = staging_folder(docs_dir, owner)
    moved = Moved()
    try:
        yield folder, moved
        hashes = Moved()
        left = move_into(folder, docs_dir, hashes, unchanged=unchanged)
        moved.update(sorted(hashes.items(), key=lambda item: item[0].split("/")))
        moved.signatures.update(hashes.signatures)
    except BaseException:
        forget(folder)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if left <= KEPT_FOLDERS:
        with _EMPTIED_LOCK:
            _EMPTIED.append((os.getpid(), folder))
    else:  # each owner walks them: not worth keeping past a few
        shutil.rmtree(folder, ignore_errors=True)


# Staging folders of this process that hold only empty folders, free for the next owner.
# Deleting a folder cost 3 ms of wall clock on this disk (0.1 ms of CPU; ext4 with
# ``discard``), and an owner's staging leaves one empty folder for each folder the docs dir
# already had (``partitioned/<resource>/`` for a partition): reused, they
# are made and deleted once a process rather than once an owner.
# (A forked worker inherits the list: each entry names the process it belongs to.) A rebuild
# that produces owners into folders of their own that the docs dir already has would keep
# one more for each, and partitions of other years 14 more (each owner walks them all): past
# KEPT_FOLDERS the staging folder is deleted as before.
# A lock: an executor may run owners in threads of one process.
_EMPTIED: list[tuple[int, Path]] = []
_EMPTIED_LOCK = threading.Lock()
KEPT_FOLDERS = 40


def staging_folder(docs_dir: Path, owner: str) -> Path:
    """An empty staging folder under ``docs_dir`` (but for empty folders), only this
    process's."""
    pid = os.getpid()
    with _EMPTIED_LOCK:
        _EMPTIED[:] = [(p, f) for p, f in _EMPTIED if p == pid and f.is_dir()]
        for index, (_, folder) in enumerate(_EMPTIED):
            if folder.parent.parent == docs_dir:
                return _EMPTIED.pop(index)[1]
    name = f"{os.getpid()}-{hashlib.sha1(owner.encode('utf-8')).hexdigest()}"
    folder = docs_dir / STAGING / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def move_into(
    folder: Path, target: Path, hashes: Moved, prefix: str = "", unchanged: HashMemo | None = None
) -> int:
    """The files under ``folder`` moved to the same places under ``target`` (which may hold
    other files), each recorded in ``hashes`` (``prefix`` + its POSIX path → sha256, and
    its stat signature when hashed; a rename changes only the change time of a file). With
    ``unchanged``, a file already at its place with the same bytes is left there (see
    :func:`staged`).

    A folder that ``target`` does not have yet, and that holds files and no empty folder,
    is moved whole, in one rename: creating and then deleting every folder of the staging
    tree cost more than writing its files (deleting a folder took up to 3 ms here while
    other builds wrote to the disk). Only files leave the staging, as before. Returns how
    many folders are left under ``folder`` (empty ones, if all went well), or more than
    :data:`KEPT_FOLDERS` when anything else is left.
    """
    made = target.is_dir()
    left = 0
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        source = Path(entry.path)
        name = prefix + entry.name
        destination = target / entry.name
        if entry.is_dir(follow_symlinks=False):
            files = None if destination.exists() else files_below(source)
            if files is None:
                left += 1 + move_into(source, destination, hashes, name + "/", unchanged)
                continue
            for path in files:
                record(hashes, f"{name}/{path.relative_to(source).as_posix()}", path)
            made = made or make_folder(target)
            try:
                os.replace(source, destination)
            except OSError as error:  # another worker made the folder meanwhile: merge
                if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
                left += 1 + move_into(source, destination, hashes, name + "/", unchanged)
        elif entry.is_file():
            record(hashes, name, source)
            if Path(name).parent == TEMPLATES_DIR:  # named by its content
                same = file_hash(destination) == hashes[name]
            else:
                same = unchanged is not None and unchanged.file_hash(destination) == hashes[name]
            if same:
                hashes.signatures.pop(name, None)  # another file's signature: not recorded
                source.unlink()  # the same bytes, left as they are
                continue
            made = made or make_folder(target)
            os.replace(source, destination)
            # a hard link to the file already there stays: rename() of two links to one
            # file does nothing, and the staging folder is reused
            source.unlink(missing_ok=True)
        else:  # neither a file nor a folder (a dangling link): the staging is not reused
            left += KEPT_FOLDERS + 1
    return left


def record(hashes: Moved, name: str, path: Path) -> None:
    noted = noted_hash(path)  # the writer hashed its bytes (builder.written): not read again
    hashes[name], signature = read_hash(path) if noted is None else noted
    if signature is not None:
        hashes.signatures[name] = signature


def files_and_links(root: Path, docs_dir: Path) -> Iterator[str]:
    """The files and links under ``root`` (links to folders not followed), as POSIX paths
    relative to ``docs_dir``. One ``scandir`` per folder: a ``Path.rglob`` with a
    ``stat`` per file took 4.3 s of CPU over the 77,000 files of a 1,000-disclosure docs dir."""
    if not root.is_dir():
        return
    start = len(str(docs_dir)) + 1
    folders = [str(root)]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_symlink() or entry.is_file(follow_symlinks=False):
                    yield entry.path[start:].replace(os.sep, "/")
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(entry.path)


def make_folder(folder: Path) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    return True


def files_below(folder: Path) -> list[Path] | None:
    """The files under ``folder``, or None when it holds anything else (an empty folder, a
    link): such a folder is not moved whole, so that only files ever leave the staging."""
    files = []
    for root, folders, names in os.walk(folder):
        if not folders and not names:
            return None
        for name in names:
            path = Path(root, name)
            if path.is_symlink() or not path.is_file():
                return None
            files.append(path)
    return files


@dataclass
class Outputs:
    """The owners of a docs dir: key and files of each, as recorded by the last build."""

    docs_dir: Path
    owners: dict[str, dict[str, Any]] = field(default_factory=dict)  # key, files, extra
    seen: set[str] = field(default_factory=set)
    hashes: HashMemo = field(default_factory=HashMemo)  # the files' hashes by signature
    # Held while the owners change: the portal's bundles are recorded from a thread while the
    # build records the disclosures' pages (builder.pages.portal_pages), and a removal walks
    # every owner's files.
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    @classmethod
    def load(cls, state: Path, docs_dir: Path, hashes: HashMemo | None = None) -> Outputs:
        """The record in ``state`` if it describes this docs dir, else an empty one."""
        hashes = hashes or HashMemo()
        try:
            data = json.loads(state.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(docs_dir, hashes=hashes)
        if data.get("docs_dir") != str(docs_dir.resolve()):
            return cls(docs_dir, hashes=hashes)
        return cls(docs_dir, dict(data.get("owners", {})), hashes=hashes)

    def save(self, state: Path) -> None:
        owners = {name: self.owners[name] for name in sorted(self.seen)}
        data = {"docs_dir": str(self.docs_dir.resolve()), "owners": owners}
        write_atomic(state, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def current(self, owner: str, key: str) -> dict[str, Any] | None:
        """The owner's record if its key is unchanged and its files are all there, each
        exactly as it was written (a file edited since, by hand or by another build, makes
        the owner be produced again)."""
        record = self.owners.get(owner)
        if record is None or record.get("key") != key:
            return None
        files = record.get("files")
        if not isinstance(files, dict):
            return None
        check, root = self.hashes.hash_at, os.path.abspath(self.docs_dir)
        if not all(check(under(root, path)) == sha256 for path, sha256 in files.items()):
            return None
        self.seen.add(owner)
        return record

    def record(self, owner: str, key: str, produced: Produced) -> None:
        """Record what ``owner`` wrote; files its previous version wrote and this one did
        not are deleted."""
        with self.lock:
            previous = self.owners.get(owner, {}).get("files", [])
            self.owners[owner] = {"key": key, "files": produced.files, "extra": produced.extra}
            self.seen.add(owner)
            for path, signature in produced.signatures.items():
                self.hashes.note(self.docs_dir / path, signature, produced.files[path])
            self.remove(set(previous) - set(produced.files))

    def finish(self) -> None:
        """Delete the files of owners this build did not keep or produce."""
        for owner in sorted(set(self.owners) - self.seen):
            self.remove(set(self.owners.pop(owner)["files"]))
        shutil.rmtree(self.docs_dir / STAGING, ignore_errors=True)

    def remove_strays(self, hand_written: set[str], scope: Sequence[str] | None) -> list[str]:
        """Delete every file of the docs dir (or, with ``scope``, of those of its folders)
        that no owner wrote and that is not in ``hand_written``, so that nothing the build
        did not write is published; returns their paths."""
        written = {path for record in self.owners.values() for path in record["files"]}
        keep = written | hand_written
        roots = [self.docs_dir / folder for folder in scope] if scope else [self.docs_dir]
        strays = sorted(
            path
            for root in roots
            for path in files_and_links(root, self.docs_dir)
            if path not in keep
        )
        self.remove(set(strays))
        for root in roots:  # the folders left empty, deepest first (not the roots)
            for folder, _, _ in os.walk(root, topdown=False) if root.is_dir() else []:
                if folder != str(root) and not os.listdir(folder):
                    os.rmdir(folder)
        return strays

    def remove(self, paths: set[str]) -> None:
        """Delete these files, except those an owner (still) writes."""
        if not paths:
            return
        with self.lock:
            written = {path for record in self.owners.values() for path in record["files"]}
            for path in sorted(paths - written):
                (self.docs_dir / path).unlink(missing_ok=True)
