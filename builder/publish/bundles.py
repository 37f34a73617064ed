"""Bundles: a data package folder as one zip file, with reproducible bytes.

One zip per disclosure, per year and for the whole portal (``builder.pages.downloads`` places
them on the site). Each holds the package folder as it is (its tables as CSV and Parquet, the
workbook where there is one, ``datapackage.json`` and the README) under one top folder named
after the package, so unzipping never scatters files. The bytes depend on the files only:
entries in sorted order, every date 1980-01-01 00:00, no owner, group or permissions of the
machine (MS-DOS attributes, ``rw-r--r--``), and files that are already compressed (Parquet,
xlsx) stored rather than deflated again.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644 << 16  # rw-r--r--, in the high bits of external_attr
STORED_SUFFIXES = frozenset({".parquet", ".xlsx", ".zip"})  # compressed already
COMPRESS_LEVEL = 9


def bundle_bytes(folder: Path, top: str) -> bytes:
    """The zip of every file under ``folder``, each at ``top/<relative path>``."""
    files = [
        (f"{top}/{path.relative_to(folder).as_posix()}", path)
        for path in folder.rglob("*")
        if path.is_file()
    ]
    return files_bundle_bytes(files)


def files_bundle_bytes(files: list[tuple[str, Path]]) -> bytes:
    """The zip of ``files``, each ``(name in the zip, path)``, in name order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, path in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            stored = path.suffix.lower() in STORED_SUFFIXES
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = FILE_MODE
            archive.writestr(info, path.read_bytes(), compresslevel=COMPRESS_LEVEL)
    return buffer.getvalue()


def write_bundle(folder: Path, top: str, target: Path) -> None:
    """Write the zip of ``folder`` to ``target`` (its folder made if needed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(bundle_bytes(folder, top))


def write_files_bundle(files: list[tuple[str, Path]], target: Path) -> None:
    """Write the zip of ``files`` (:func:`files_bundle_bytes`) to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(files_bundle_bytes(files))
