"""What a build owns on disk, and keeping two builds on one output apart.

- **The lock.** A build holds an exclusive ``flock`` on ``.build.lock`` beside its packages
  folder (``datasets/.build.lock``, or ``DIR/.build.lock`` with ``--output DIR``) from start
  to end. A second build on the same output does not wait: it stops at once with an error
  naming the pid of the build that holds the lock. The lock file stays (removing it would
  let a third build lock a new file while the second still holds the old one).
- **The marker.** ``build --output DIR`` replaces ``DIR/packages``, ``DIR/site``,
  ``DIR/site-docs`` and ``DIR/site-data``. It writes ``DIR/.builder-output`` and builds only
  into a folder that is new, empty or holds that marker, so files a user keeps in some other
  folder are never deleted.
- **Leftovers.** A killed build (``kill -9``) can leave its staging folders behind. Under the
  lock no other build is writing, so the next build removes every one of them at its start.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from builder.errors import DisclosureError
from builder.identities import DATA_FOLDER_SUFFIX

LOCK_NAME = ".build.lock"
MARKER_NAME = ".builder-output"
MARKER_TEXT = (
    "This folder was written by `python -m builder build --output`; the next build replaces\n"
    "packages/, site/, site-docs/ and site-data/ here.\n"
)


@contextmanager
def exclusive(packages: Path) -> Iterator[Path]:
    """Hold the lock of the output whose packages folder is ``packages``; yields the lock
    file. Raises :class:`DisclosureError` at once if another build holds it."""
    folder = packages.resolve().parent
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            raise DisclosureError(
                packages,
                None,
                f"another build (pid {holder}) is writing to this output; two builds at once "
                "would mix their files",
                f"wait for it to finish, or build into another folder with --output ({path})",
            ) from None
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode("ascii"))
        yield path
    finally:
        os.close(handle)  # releases the lock


def _holder(handle: int, tries: int = 50) -> str:
    """The pid the lock's holder wrote in the lock file ("unknown" if none): it writes it
    right after it takes the lock, so an empty file is read again for up to half a second."""
    for _ in range(tries):
        holder = os.pread(handle, 64, 0).decode("ascii", "replace").strip()
        if holder:
            return holder
        time.sleep(0.01)
    return "unknown"


def check_owned(root: Path) -> None:
    """Refuse ``root`` (the ``--output`` folder) if it holds anything and no build marker."""
    if not root.is_dir():
        if root.exists():
            raise DisclosureError(root, None, "--output must be a folder, and this is a file")
        return
    others = sorted(p.name for p in root.iterdir() if p.name not in (LOCK_NAME, MARKER_NAME))
    if others and not (root / MARKER_NAME).is_file():
        shown = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")  # noqa: PLR2004
        raise DisclosureError(
            root,
            None,
            f"this folder is not empty ({shown}) and no build wrote it (it has no "
            f"{MARKER_NAME}); a build replaces packages/, site/ and site-docs/ in it",
            "choose a new or empty folder for --output; nothing was changed",
        )


def mark_owned(root: Path) -> None:
    """Write the marker that makes ``root`` a build's own folder."""
    marker = root / MARKER_NAME
    if not marker.is_file():
        root.mkdir(parents=True, exist_ok=True)
        marker.write_text(MARKER_TEXT, encoding="utf-8")


def remove_leftovers(packages: Path, site: Path | None) -> list[Path]:
    """Remove what killed builds left beside ``packages`` and ``site`` (staging folders,
    old package versions, half-built sites); call only while holding the lock."""
    folder = packages.resolve().parent
    patterns = [(folder, f".{packages.name}.staging-*"), (packages, ".*.old-*")]
    if site is not None:
        patterns += [
            (site.resolve().parent, f".{name}.{part}")
            for name in (site.name, f"{site.name}{DATA_FOLDER_SUFFIX}")  # the site, its data
            for part in ("building", "previous", "previous-*", "mkdocs.yml")
        ]
    removed = []
    for where, pattern in patterns:
        for path in sorted(where.glob(pattern)) if where.is_dir() else []:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def remove_in_background(folder: Path) -> None:
    """Delete ``folder`` in a process of its own that outlives the build (a replaced site:
    deleting its ~100,000 links takes 15-27 s at 1,000 disclosures, off the critical path
    so). Name ``folder`` so that :func:`remove_leftovers` finds it if that process is killed."""
    os.posix_spawn(
        sys.executable,
        [sys.executable, "-c", _REMOVE, str(folder)],
        os.environ,
        setsid=True,  # not killed with the build's process group
    )


_REMOVE = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
