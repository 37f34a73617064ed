"""The data folder: the bulk downloads of a build with a data host, placed beside the site.

With ``DATA_URL`` set (``builder.pages.hosting``), the pages write the bulk downloads into the
docs dir's ``.data/`` folder (owned and kept incrementally like every generated file), and
MkDocs leaves them out of the site. This module places them, under their flat names, in the
data folder beside the site (``site/`` → ``site-data/``, ``DIR/site`` → ``DIR/site-data``)
with a ``SHA256SUMS`` list: that folder is what gets uploaded to the data host (``gh release
upload``; any static file host) and what ``python -m builder serve`` serves for an offline
preview. Without a data host it is removed, so a folder the pages no longer link to is never
uploaded by mistake.

Each file of the data folder is a hard link to its file in ``.data/``. A rebuild updates the
folder in place: a name that is already a link to the very file of ``.data/`` (the same
device and inode: the same bytes, which the build checked in ``.data/``) stays; any other
name is linked again (through a temporary name, then a rename over it: never half a file
under its name; where hard links cannot be made, a copy, made again on every build), and
whatever else is in the folder (a file the build did not place, a folder, a link) is
removed. After one changed disclosure of 1,000 that is a few dozen links rather than the
17,000 of a new folder (5 s). A new folder, or one that is not a real folder, is built aside
and swapped in whole.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from builder import identities
from builder.cache import HashMemo, write_atomic

CHECKSUMS = "SHA256SUMS"  # sha256sum's format: "<hex>  <name>" per line


def data_folder_for(site: Path) -> Path:
    """The data folder beside ``site``."""
    return site.parent / f"{site.name}{identities.DATA_FOLDER_SUFFIX}"


def place_data_folder(
    docs: Path, folder: Path, *, hosted: bool, hashes: HashMemo | None = None
) -> list[str]:
    """Make ``folder`` hold a hard link (else a copy) of every file of ``docs/.data`` and
    ``SHA256SUMS``, and nothing else; without ``hosted``, remove ``folder``. Returns the
    names placed (``SHA256SUMS`` last). The sums are of the docs files, hashed before they
    are linked (``hashes``: a file unchanged since it was last hashed is not read again)."""
    if not hosted:
        shutil.rmtree(folder, ignore_errors=True)
        return []
    source = docs / identities.HOSTED_FOLDER
    hashes = hashes or HashMemo()
    files = _regular_files(source)
    root = os.path.abspath(source)
    sums = "".join(
        f"{hashes.hash_at(f'{root}/{name}', files[name])}  {name}\n" for name in sorted(files)
    )
    if os.path.isdir(folder) and not os.path.islink(folder):
        _update(source, files, folder)
    else:
        _replace(source, files, folder)
    target = folder / CHECKSUMS
    if _read_or_none(target) != sums.encode("utf-8"):
        write_atomic(target, sums.encode("utf-8"))
    return [*sorted(files), CHECKSUMS]


def _regular_files(folder: Path) -> dict[str, os.stat_result]:
    """The regular files of ``folder`` (not links), by name, with their ``lstat``."""
    found: dict[str, os.stat_result] = {}
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return found
    for entry in entries:
        if entry.is_file(follow_symlinks=False):
            found[entry.name] = entry.stat(follow_symlinks=False)
    return found


def _update(source: Path, files: dict[str, os.stat_result], folder: Path) -> None:
    """Bring the existing ``folder`` to the files of ``source`` (see the module)."""
    present: dict[str, os.stat_result] = {}
    for entry in list(os.scandir(folder)):
        status = entry.stat(follow_symlinks=False)
        if entry.name == CHECKSUMS and stat.S_ISREG(status.st_mode):
            continue
        if entry.name not in files or not stat.S_ISREG(status.st_mode):
            _remove(Path(entry.path), status)
            continue
        present[entry.name] = status
    for name, status in files.items():
        there = present.get(name)
        if there is not None and (there.st_dev, there.st_ino) == (status.st_dev, status.st_ino):
            continue  # the very file of .data/
        temporary = folder / f".{name}.placing-{os.getpid()}"
        _place(source / name, temporary)
        temporary.replace(folder / name)


def _replace(source: Path, files: dict[str, os.stat_result], folder: Path) -> None:
    """Build the data folder aside and swap it in for whatever ``folder`` is."""
    staging = folder.parent / f".{folder.name}.building"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in sorted(files):
        _place(source / name, staging / name)
    previous = folder.parent / f".{folder.name}.previous"
    shutil.rmtree(previous, ignore_errors=True)
    if folder.is_symlink() or folder.exists():
        folder.rename(previous)
    staging.rename(folder)
    if previous.is_symlink() or not previous.is_dir():
        previous.unlink(missing_ok=True)
    else:
        shutil.rmtree(previous, ignore_errors=True)


def _place(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _remove(path: Path, status: os.stat_result) -> None:
    if stat.S_ISDIR(status.st_mode):
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _read_or_none(path: Path) -> bytes | None:
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        return path.read_bytes()
    except OSError:
        return None
