"""The docs dir's listing kept between MkDocs runs (``builder.siterun.listing``): the files
MkDocs' own ``get_files`` finds, after files and folders are added and removed, while only
the folders whose time changed are read again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files, get_files

from builder.siterun import listing
from builder.siterun.listing import Listing, listing_key
from tests.conftest import ROOT


def described(files: Files) -> list[tuple[str, str, str]]:
    """Each file as MkDocs sees it: source, destination, inclusion, in MkDocs' order."""
    return [(file.src_uri, file.dest_uri, file.inclusion.name) for file in files]


def configured(docs: Path, site: Path) -> MkDocsConfig:
    """The repository's MkDocs config for ``docs`` into ``site``."""
    return load_config(str(ROOT / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site))


def write(path: Path, text: str = "x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def age(folder: Path, seconds: int) -> None:
    """Set ``folder``'s modification time ``seconds`` back from now (as if written then)."""
    stamp = os.stat(folder).st_mtime_ns - seconds * 10**9
    os.utime(folder, ns=(stamp, stamp))


def test_the_repository_s_docs_are_listed_as_mkdocs_lists_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    expected = described(get_files(config))
    assert len(expected) > 10
    kept = Listing(listing_key(config))
    assert described(listing.get_files(config, kept)) == expected
    again = Listing(kept.key, kept.folders)
    assert described(listing.get_files(config, again)) == expected
    assert again.read < kept.read, "the folders kept (unchanged for 2 s) are not read"


def test_only_folders_whose_time_changed_are_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    docs = tmp_path / "docs"
    names = ("index.md", "a/one.md", "a/b/two.csv", "a/b/c/three.md", "d/README.md", ".x.md")
    for name in (*names, "units/unit-1.md", "units/index.md"):
        write(docs / name)
    write(docs / "d" / "index.md")  # README.md and index.md: MkDocs keeps index.md
    (docs / "e").mkdir()
    folders = sorted({p for p in docs.rglob("*") if p.is_dir()} | {docs})
    for folder in folders:
        age(folder, 60)
    config = load_config(
        str(ROOT / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(tmp_path / "site")
    )
    kept = Listing(listing_key(config))
    assert described(listing.get_files(config, kept)) == described(get_files(config))
    assert kept.read == len(folders)
    levels = {(file.src_uri, file.inclusion.name) for file in get_files(config)}
    assert {("units/unit-1.md", "NOT_IN_NAV"), (".x.md", "EXCLUDED")} <= levels

    # Nothing changed: no folder is read.
    again = Listing(listing_key(config), kept.folders)
    assert described(listing.get_files(config, again)) == described(get_files(config))
    assert again.read == 0

    # A file added in one folder, a folder removed in another: those two are read, and the
    # new folder in the first.
    write(docs / "a" / "b" / "new" / "four.md")
    (docs / "a" / "b" / "c" / "three.md").unlink()
    (docs / "a" / "b" / "c").rmdir()
    for folder in (docs / "a" / "b", docs / "a" / "b" / "new"):
        age(folder, -5)  # a time surely not the one recorded
    changed = Listing(listing_key(config), again.folders)
    assert described(listing.get_files(config, changed)) == described(get_files(config))
    assert changed.read == 2  # a/b and a/b/new
    assert "a/b/new/four.md" in [file.src_uri for file in listing.get_files(config, changed)]


def test_a_folder_written_just_before_a_run_is_read_again_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its time might not show a change made in the same tick of the file system's clock."""
    docs = tmp_path / "docs"
    write(docs / "index.md")
    write(docs / "a" / "one.md")
    monkeypatch.chdir(ROOT)
    config = load_config(
        str(ROOT / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(tmp_path / "site")
    )
    first = Listing(listing_key(config))
    list(first.walk(str(docs)))
    assert first.folders == {}, "both folders were written within RECENT seconds"
    second = Listing(listing_key(config), first.folders)
    assert described(listing.get_files(config, second)) == described(get_files(config))
    assert second.read == 2
