"""Build the whole site into a temporary folder, the way ``python -m builder build`` does.

The repository's ``site_src`` is copied, the pages are generated into the copy
(``builder.pages.write_pages``) and ``mkdocs build --strict`` runs on a temporary
``mkdocs.yml`` that inherits the repository's and points at the copy, so tests never touch
the generated files of the working tree. ``SITE_URL`` is set for the build: instant
navigation only works when the site is served at exactly that address.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from builder.pages import write_pages
from builder.parse import parse_file
from tests.conftest import BUNDLED, ROOT, SEED_IDS, SHANGHAI_IDS, copy_seeds

__all__ = ["SEED_IDS", "SHANGHAI_IDS", "build_site"]


def parse_seeds() -> list[tuple[str, dict[str, Any]]]:
    return [(path.stem, parse_file(path)) for path in BUNDLED]


def audit_seeds(parsed: list[tuple[str, dict[str, Any]]]) -> tuple[dict[str, Any], Any]:
    """Findings by disclosure id and the declared checks (nothing if there is no audit)."""
    try:
        from builder.validate import audit, load_checks  # noqa: PLC0415 - optional stage
    except ImportError:
        return {}, ()
    findings = {key: [f.to_row() for f in audit(doc, key)] for key, doc in parsed}
    return findings, load_checks()


def build_packages(folder: Path) -> Path:
    """The data packages, built into ``folder`` by the publish stage (empty if none)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        from builder.pipeline import build_data  # noqa: PLC0415 - optional stage
    except ImportError:
        return folder
    build_data(copy_seeds(folder.parent / "sources", BUNDLED), folder)
    return folder


def generate_docs(dest: Path, site_url: str, packages: Path) -> Path:
    """Copy ``site_src`` to ``dest/docs`` and write the generated pages into it."""
    docs = dest / "docs"
    shutil.copytree(ROOT / "site_src", docs)
    parsed = parse_seeds()
    findings, checks = audit_seeds(parsed)
    write_pages(parsed, findings, packages, docs, site_url=site_url, checks=checks)
    return docs


def mkdocs_build(dest: Path, docs: Path, site_url: str) -> Path:
    """``mkdocs build --strict`` of ``docs`` into ``dest/site`` with the repository config."""
    site = dest / "site"
    config = dest / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {docs}\nsite_dir: {site}\n", encoding="utf-8"
    )
    env = {**os.environ, "SITE_URL": site_url, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}")
    return site


def build_site(dest: Path, site_url: str) -> Path:
    """Packages, pages and the strict MkDocs build; returns the built site folder."""
    packages = build_packages(dest / "packages")
    docs = generate_docs(dest, site_url, packages)
    return mkdocs_build(dest, docs, site_url)
