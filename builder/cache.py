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
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

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


def source_key(source: Path) -> str:
    """The key of one disclosure's outputs: its text, its record, the code and the data
    release (``datasets/releases.yaml``: its version and date are in every package)."""
    digest = hashlib.sha256(code_key().encode())
    digest.update(hashlib.sha256(release_bytes()).digest())
    digest.update(source.name.encode())
    with open_regular(source) as handle:  # never a device or FIFO (it would not end)
        digest.update(hashlib.file_digest(handle, "sha256").digest())
    record = meta_path(source)
    if record.is_file():
        digest.update(b"meta")
        with open_regular(record) as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return digest.hexdigest()


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``target`` through a temporary file beside it: a killed build leaves the old
    file or the new one, never half of one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    temporary.write_bytes(data)
    temporary.replace(target)


def tree_hashes(folder: Path) -> dict[str, str]:
    """The sha256 of every file under ``folder``, by POSIX path relative to it (what an
    incremental build compares with what it wrote before it keeps an output)."""
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): file_hash(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() or path.is_symlink()
    }


def file_hash(path: Path) -> str:
    """The sha256 of a file (a symlink or anything unreadable hashes to a marker that never
    matches a written file)."""
    if path.is_symlink() or not path.is_file():
        return "not-a-file"
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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
