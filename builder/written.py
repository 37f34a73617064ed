"""Files this process wrote (or linked) with their sha256 noted, so that recording them is
not reading them back.

Every file an owner writes into its staging folder is hashed when it is moved into the docs
dir (``builder.pages.outputs.record``): for a disclosure, about forty files read again right
after they were written, most of them from bytes in memory, the others (the downloads, hard
links) hashed already to list them. A writer that knows the bytes notes their sha256 here
with the file's stat signature; ``record`` takes the noted hash when the file's signature
is still that one (the same file, the same size, not written since), and reads the file
otherwise. A note is used once.

A file noted must not be written again but through :func:`write_noted` (or noted again):
the note stays until the file is recorded, and a rewrite of the same size within the
same tick of the file system's clock would keep its signature. Staging folders are private
to an owner; :func:`forget` drops the notes under one that failed.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from builder.cache import Signature, signature_of

_NOTED: dict[str, tuple[Signature, str]] = {}  # absolute path → signature, sha256


def write_noted(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` and note its sha256."""
    path.write_bytes(data)
    note(path, hashlib.sha256(data).hexdigest())


def note(path: Path | str, sha256: str) -> None:
    """``path``, a regular file this process just wrote or linked, holds bytes of ``sha256``."""
    name = os.path.abspath(path)
    status = os.lstat(name)
    if stat.S_ISREG(status.st_mode):
        _NOTED[name] = (signature_of(status), sha256)


def noted_hash(path: Path | str) -> tuple[str, Signature] | None:
    """The sha256 noted for ``path`` and the file's signature, if it is still the file noted
    (else None: it must be read); the note is dropped either way."""
    name = os.path.abspath(path)
    noted = _NOTED.pop(name, None)
    if noted is None:
        return None
    try:
        status = os.lstat(name)
    except OSError:
        return None
    signature, sha256 = noted
    if not stat.S_ISREG(status.st_mode) or signature_of(status) != signature:
        return None
    return sha256, signature


def forget(folder: Path) -> None:
    """Drop the notes of the files under ``folder``."""
    prefix = os.path.join(os.path.abspath(folder), "")
    for name in [name for name in list(_NOTED) if name.startswith(prefix)]:
        _NOTED.pop(name, None)
