"""The data folder: the bulk downloads of a build with a data host, placed beside the site.

With ``DATA_URL`` set (``builder.pages.hosting``), the pages write the bulk downloads into the
docs dir's ``.data/`` folder (owned and kept incrementally like every generated file), and
MkDocs leaves them out of the site. This module places them, under their flat names, in the
data folder beside the site (``site/`` → ``site-data/``, ``DIR/site`` → ``DIR/site-data``)
with a ``SHA256SUMS`` list, swapped in whole like the site: that folder is what gets uploaded
to the data host (``gh release upload``; any static file host) and what ``python -m builder
serve`` serves for an offline preview. Without a data host it is removed, so a folder the
pages no longer link to is never uploaded by mistake.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from builder import identities
from builder.cache import HashMemo

CHECKSUMS = "SHA256SUMS"  # sha256sum's format: "<hex>  <name>" per line


def data_folder_for(site: Path) -> Path:
    """The data folder beside ``site``."""
    return site.parent / f"{site.name}{identities.DATA_FOLDER_SUFFIX}"


def place_data_folder(
    docs: Path, folder: Path, *, hosted: bool, hashes: HashMemo | None = None
) -> list[str]:
    """Hard-link (else copy) every file of ``docs/.data`` into a new ``folder``, add
    ``SHA256SUMS``, and swap it in; without ``hosted``, remove ``folder``. Returns the names
    placed (``SHA256SUMS`` last). The sums are of the docs files, hashed before they are
    linked (``hashes``: a file unchanged since it was last hashed is not read again)."""
    if not hosted:
        shutil.rmtree(folder, ignore_errors=True)
        return []
    source = docs / identities.HOSTED_FOLDER
    staging = folder.parent / f".{folder.name}.building"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    names = sorted(p.name for p in source.iterdir() if p.is_file()) if source.is_dir() else []
    hashes = hashes or HashMemo()
    sums = "".join(f"{hashes.file_hash(source / name)}  {name}\n" for name in names)
    for name in names:
        try:
            os.link(source / name, staging / name)
        except OSError:
            shutil.copyfile(source / name, staging / name)
    (staging / CHECKSUMS).write_text(sums, encoding="utf-8")
    previous = folder.parent / f".{folder.name}.previous"
    shutil.rmtree(previous, ignore_errors=True)
    if folder.exists():
        folder.rename(previous)
    staging.rename(folder)
    shutil.rmtree(previous, ignore_errors=True)
    return [*names, CHECKSUMS]
