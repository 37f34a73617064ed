"""Keeping two builds on one output apart.

- **The lock.** A build holds an exclusive ``flock`` on ``.build.lock`` beside its packages
  folder (``datasets/.build.lock``, or ``DIR/.build.lock`` with ``--output DIR``) from start
  to end. A second build on the same output does not wait: it stops at once with an error
  naming the pid of the build that holds the lock. The lock file stays (removing it would
  let a third build lock a new file while the second still holds the old one).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from builder.errors import DisclosureError

LOCK_NAME = ".build.lock"


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
            holder = os.read(handle, 64).decode("ascii", "replace").strip() or "unknown"
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
