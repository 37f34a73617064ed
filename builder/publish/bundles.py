"""Bundles: a data package folder as one zip file, with reproducible bytes.

One zip per disclosure, per year and for the whole portal (``builder.pages.downloads`` places
them on the site). Each holds the package folder as it is (its tables as CSV and Parquet, the
workbook where there is one, ``datapackage.json`` and the README) under one top folder named
after the package, so unzipping never scatters files. The bytes depend on the files only:
entries in sorted order, every date 1980-01-01 00:00, no owner, group or permissions of the
machine (MS-DOS attributes, ``rw-r--r--``), and files that are already compressed (Parquet,
xlsx) stored rather than deflated again.

A bundle that replaces an earlier one (the portal's, a year's, the partitioned dataset's
archive) reuses the earlier zip's entry of every file whose name and sha256 are unchanged:
its bytes are copied as they are, not read and compressed again. An entry depends only on its
file (the local header holds no offset), so the zip is byte for byte the one written from
scratch; only the central directory, written anew, holds the offsets.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644 << 16  # rw-r--r--, in the high bits of external_attr
STORED_SUFFIXES = frozenset({".parquet", ".xlsx", ".zip"})  # compressed already
# zlib level 9 cost 1.8 times the CPU of 6 for zips 2 % smaller (BENCHMARKS, fourth session)
COMPRESS_LEVEL = 6
LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # a zip entry's local header (30 bytes)


@dataclass(frozen=True)
class Member:
    """A file of a bundle: its name in the zip, its path and, when known, its sha256."""

    name: str
    path: Path
    sha256: str | None = None


@dataclass(frozen=True)
class Earlier:
    """An earlier bundle to reuse entries of: the zip file and the sha256 of each file in it
    (by name), as the build that wrote it recorded."""

    path: Path
    members: Mapping[str, str]


@dataclass
class Written:
    """What writing a bundle did: the sha256 of each file in it (by name) and the names of
    the entries copied from the earlier bundle."""

    members: dict[str, str] = field(default_factory=dict)
    reused: list[str] = field(default_factory=list)


def bundle_bytes(folder: Path, top: str) -> bytes:
    """The zip of every file under ``folder``, each at ``top/<relative path>``."""
    buffer = io.BytesIO()
    write_members(buffer, folder_members(folder, top))
    return buffer.getvalue()


def files_bundle_bytes(files: list[tuple[str, Path]]) -> bytes:
    """The zip of ``files``, each ``(name in the zip, path)``, in name order."""
    buffer = io.BytesIO()
    write_members(buffer, [Member(name, path) for name, path in files])
    return buffer.getvalue()


def write_members(
    target: io.BytesIO, members: Sequence[Member], earlier: Earlier | None = None
) -> Written:
    """Write the zip of ``members`` (in name order) into ``target``, copying from
    ``earlier`` the entry of each file whose sha256 is the one it had there."""
    written = Written()
    with (
        zipfile.ZipFile(target, "w") as archive,
        reusable(earlier) as (before, sha256s),
    ):
        for member in sorted(members, key=lambda m: m.name):
            known = sha256s.get(member.name)
            data, sha256 = None, member.sha256
            if before is not None and known is not None and sha256 is None:
                data = member.path.read_bytes()
                sha256 = hashlib.sha256(data).hexdigest()
            if (
                before is not None
                and known is not None
                and known == sha256
                and same_kind(before, member)
            ):
                copy_entry(before, before.getinfo(member.name), archive)
                written.members[member.name] = known
                written.reused.append(member.name)
                continue
            data = member.path.read_bytes() if data is None else data
            written.members[member.name] = hashlib.sha256(data).hexdigest()
            archive.writestr(entry_info(member), data, compresslevel=COMPRESS_LEVEL)
    return written


KIND_FIELDS = ("date_time", "compress_type", "create_system", "external_attr", "flag_bits")


@cache
def kind_of(suffix: str) -> tuple[object, ...]:
    """What :func:`same_kind` compares, as :func:`entry_info` writes a file of ``suffix``."""
    info = entry_info(Member(f"x{suffix}", Path(f"x{suffix}")))
    return tuple(getattr(info, name) for name in KIND_FIELDS)


def same_kind(before: zipfile.ZipFile, member: Member) -> bool:
    """Whether the earlier zip's entry of ``member`` was written as this module writes it
    (its date, compression and attributes), so that copying it gives the same bytes."""
    old = before.getinfo(member.name)
    return tuple(getattr(old, name) for name in KIND_FIELDS) == kind_of(member.path.suffix)


def entry_info(member: Member) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(member.name, date_time=ZIP_TIME)
    stored = member.path.suffix.lower() in STORED_SUFFIXES
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.create_system = 0
    info.external_attr = FILE_MODE
    return info


@contextmanager
def reusable(
    earlier: Earlier | None,
) -> Iterator[tuple[zipfile.ZipFile | None, Mapping[str, str]]]:
    """The earlier zip, open, and the sha256 of its files; nothing when there is none or it
    is not a zip of those files (a file that is not a zip, or lacks one of them)."""
    if earlier is None or not earlier.path.is_file():
        yield None, {}
        return
    try:
        before = zipfile.ZipFile(earlier.path)
    except (OSError, zipfile.BadZipFile):
        yield None, {}
        return
    with before:
        names = set(before.namelist())
        yield before, {n: s for n, s in earlier.members.items() if n in names}


def copy_entry(before: zipfile.ZipFile, info: zipfile.ZipInfo, archive: zipfile.ZipFile) -> None:
    """Append ``info``'s entry of ``before`` (local header and data, as they are) to
    ``archive``, listed in its central directory at its new offset. ``info`` itself moves
    to ``archive`` (``before`` is only read, each entry once: a copy of each ``ZipInfo``
    was a third of the time spent copying 13,800 entries)."""
    source, target = before.fp, archive.fp
    if source is None or target is None:
        raise ValueError("copy_entry: both zips must be open")
    source.seek(info.header_offset)
    header = source.read(LOCAL_HEADER.size)
    fields = LOCAL_HEADER.unpack(header)
    name_length, extra_length = fields[-2], fields[-1]
    rest = source.read(name_length + extra_length + info.compress_size)
    info.header_offset = target.tell()
    target.write(header)
    target.write(rest)
    archive.filelist.append(info)
    archive.NameToInfo[info.filename] = info
    archive.start_dir = target.tell()


def write_bundle(folder: Path, top: str, target: Path) -> None:
    """Write the zip of ``folder`` to ``target`` (its folder made if needed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(bundle_bytes(folder, top))


def write_files_bundle(
    members: Sequence[Member], target: Path, earlier: Earlier | None = None
) -> Written:
    """Write the zip of ``members`` to ``target``, reusing ``earlier``'s unchanged entries
    (:func:`write_members`)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    written = write_members(buffer, members, earlier)
    target.write_bytes(buffer.getbuffer())
    return written


def folder_members(folder: Path, top: str) -> list[Member]:
    """Every file under ``folder``, each at ``top/<relative path>`` (its sha256 unknown)."""
    return [
        Member(f"{top}/{path.relative_to(folder).as_posix()}", path)
        for path in folder.rglob("*")
        if path.is_file()
    ]
