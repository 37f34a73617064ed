"""Opening the files users give us: regular files only, read up to a limit.

A path in a sources folder (or on the command line) may be a symbolic link to a device
(``/dev/zero`` has size 0 and never ends), a FIFO (opening it blocks until someone writes) or
a folder. :func:`open_regular` opens without blocking and refuses anything that is not a
regular file once open, so the check and the read are of the same file;
:func:`read_at_most` reads no more than a limit, whatever the file's size says.
:func:`check_in_folder` refuses, without opening it, a file of a folder that is not a regular
file inside that folder (a symbolic link to a file elsewhere would be published as if it were
among the sources).
"""

from __future__ import annotations

import os
import stat
from io import BufferedReader
from pathlib import Path

from builder.errors import DisclosureError

NOT_REGULAR_HINT = "give a regular file (a text or a PDF), not a device, FIFO, socket or folder"


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def open_regular(path: Path) -> BufferedReader:
    """``path`` opened for reading in binary, refused (:class:`DisclosureError`) unless it is
    a regular file (a symbolic link is followed). Never blocks on a FIFO."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise DisclosureError(
            path, None, f"cannot read the file: {exc.strerror}", "check the path and try again"
        ) from exc
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise DisclosureError(
                path, None, f"not a regular file: it is {kind_of(mode)}", NOT_REGULAR_HINT
            )
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "rb")


def check_in_folder(path: Path) -> None:
    """Refuse a source of the folder that is not a regular file inside it: a symbolic link
    to a file elsewhere (it would be published as if it were among the sources), to a
    device or FIFO, or a FIFO, socket or folder itself. Checked without opening it."""
    folder = path.parent
    try:
        target = path.resolve(strict=True)
        mode = target.stat().st_mode
        inside = target.is_relative_to(folder.resolve(strict=True))
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of links (Python < 3.13)
        reason = exc.strerror if isinstance(exc, OSError) else "a loop of symbolic links"
        raise DisclosureError(
            path, None, f"cannot read the file: {reason}", "check the file and try again"
        ) from exc
    if not inside:
        raise DisclosureError(
            path,
            None,
            f"a symbolic link to {target}, outside the sources folder {folder}",
            "copy the file into the sources folder (`python -m builder add FILE`) instead of "
            "linking to it",
        )
    if not stat.S_ISREG(mode):
        raise DisclosureError(
            path, None, f"not a regular file: it is {kind_of(mode)}", NOT_REGULAR_HINT
        )


def read_at_most(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit + 1`` of them (one more than
    ``limit`` tells the caller the file is over it)."""
    with open_regular(path) as handle:
        return read_limited(handle, path, limit)


def read_limited(handle: BufferedReader, path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes from the open file ``handle`` (of ``path``)."""
    try:
        return handle.read(limit + 1)
    except OSError as exc:
        raise DisclosureError(
            path, None, f"cannot read the file: {exc.strerror}", "check the path and try again"
        ) from exc
