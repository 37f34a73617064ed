"""The default folders and address of a build (the bundled sources, packages and site)."""

from __future__ import annotations

from pathlib import Path

from builder import identities

DEFAULT_SOURCES = Path("datasets/sources")


DEFAULT_OUTPUT = Path("datasets/packages")


DEFAULT_SITE = Path("site")


DOCS_SOURCE = Path("site_src")  # hand-written pages; generated ones are written beside them


MKDOCS_CONFIG = Path("mkdocs.yml")


DEFAULT_SITE_URL = identities.DEFAULT_SITE_URL  # the site address when SITE_URL is unset
