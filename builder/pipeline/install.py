"""Installing the packages a build wrote aside, and the record of what was installed (so a
later build keeps a package only while its files are exactly what was written)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from builder.cache import (
    BuildCache,
    HashMemo,
    tree_hashes,
    write_atomic,
)
from builder.publish.packages import DESCRIPTOR

STATE = "state.json"  # in the cache: the key each installed package was built from


def install(staging: Path, output: Path, names: set[str]) -> None:
    """Move each package built in ``staging`` into ``output``, replacing its old version;
    remove the packages of disclosures that are gone."""
    output.mkdir(parents=True, exist_ok=True)
    for built in sorted(staging.iterdir()) if staging.is_dir() else []:
        if built.name not in names:
            continue
        target = output / built.name
        old = output / f".{built.name}.old-{os.getpid()}"
        if target.exists():
            target.rename(old)
        built.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    for folder in output.iterdir():
        if folder.name not in names:
            if folder.is_dir():
                shutil.rmtree(folder)
            else:
                folder.unlink()


def read_state(cache: BuildCache) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """The key each installed package was built from, and the sha256 of each of its files
    as installed (by disclosure id)."""
    try:
        data = json.loads((cache.folder / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    packages, files = data.get("packages"), data.get("files")
    if not isinstance(packages, dict) or not isinstance(files, dict):
        return {}, {}
    return {str(k): str(v) for k, v in packages.items()}, files


def as_installed(
    output: Path,
    name: str,
    key: str,
    state: tuple[dict[str, str], dict[str, dict[str, str]]],
    hashes: HashMemo,
) -> bool:
    """The package ``name`` is in ``output`` as the last build installed it from ``key``
    (``state``: :func:`read_state`), every file as it was written."""
    installed, installed_files = state
    return (
        installed.get(name) == key
        and (output / name / DESCRIPTOR).is_file()
        and tree_hashes(output / name, hashes) == installed_files.get(name)
    )


def write_state(
    cache: BuildCache, packages: dict[str, str], files: dict[str, dict[str, str]]
) -> None:
    """Record what was installed: a later build keeps a package only if every file is still
    exactly what was written (a file edited by hand, or by another build, is rebuilt)."""
    data = json.dumps({"packages": packages, "files": files}, sort_keys=True).encode("utf-8")
    write_atomic(cache.folder / STATE, data)
