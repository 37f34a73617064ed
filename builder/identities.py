"""Every derived identity, computed here once: the unit id, the file names and site paths
of a disclosure, its unit, its source copy and its downloads, the absolute URLs of the
site's pages and files, and the name and address of a download on a data host.

The publish stage (``units.unit_id``, ``disclosures.unit_id``, the package folder) and the
pages (file names, links) import these functions, so a page can never name a unit or a
disclosure differently from the data it links to. The disclosure id itself is the source
file's stem, checked by ``builder.sources.provenance.check_id`` (or chosen by ``add``:
``builder.sources.adding.default_id``).
"""

from __future__ import annotations

import hashlib
import unicodedata

UNIT_ID_PREFIX = "unit-"
UNIT_ID_DIGITS = 10
UNITS_FOLDER = "units"
DISCLOSURES_FOLDER = "disclosures"
DOWNLOADS_FOLDER = "downloads"
SOURCES_FOLDER = "sources"
TEXT_SUFFIX = ".txt"
PAGE_SUFFIX = ".md"
CATALOGUE_FILE = "data.json"  # the DCAT-US catalogue, at the docs root
HOSTED_FOLDER = ".data"  # in the docs dir: files for the data host (MkDocs skips dot folders)
DATA_FOLDER_SUFFIX = "-data"  # the data folder beside the site: site/ → site-data/


def normalise_unit_name(name: str) -> str:
    """The unit name as compared: NFKC (full-width forms folded) and without spaces."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def unit_id(name: str) -> str:
    """A stable ASCII id for a unit: ``unit-`` and 10 hex digits of the SHA-1 of its
    normalised name (the same unit printed with other spaces or full-width forms keeps it)."""
    digest = hashlib.sha1(normalise_unit_name(name).encode("utf-8"), usedforsecurity=False)
    return f"{UNIT_ID_PREFIX}{digest.hexdigest()[:UNIT_ID_DIGITS]}"


def unit_page(unit: str) -> str:
    """The docs path of a unit's page, from its :func:`unit_id`."""
    return f"{UNITS_FOLDER}/{unit}{PAGE_SUFFIX}"


def disclosure_page(disclosure_id: str) -> str:
    """The docs path of a disclosure's page."""
    return f"{DISCLOSURES_FOLDER}/{disclosure_id}{PAGE_SUFFIX}"


def downloads_folder(disclosure_id: str) -> str:
    """The docs path of a disclosure's (or the portal's) package, as published on the site."""
    return f"{DOWNLOADS_FOLDER}/{disclosure_id}"


def source_copy(disclosure_id: str) -> str:
    """The docs path of the copy of a disclosure's source text on the site."""
    return f"{SOURCES_FOLDER}/{disclosure_id}{TEXT_SUFFIX}"


def bundle_file(package: str) -> str:
    """The docs path of a package's zip (a disclosure id, ``portal`` or ``portal.<year>``)."""
    return f"{DOWNLOADS_FOLDER}/{package}.zip"


# The site's absolute URLs (data.json, JSON-LD, citations): the site's address and a page's
# or file's site path, joined here only.
DEFAULT_SITE_URL = "http://127.0.0.1:8765/"  # the mkdocs.yml default; SITE_URL overrides both
PAGE_INDEX = "index.md"


def site_root(site_url: str) -> str:
    """The site's address ending in one ``/`` (``https://x.github.io/portal/``)."""
    return site_url.rstrip("/") + "/"


def site_path(docs_path: str) -> str:
    """Where a docs file is served: a page ``a/b.md`` at ``a/b/``, ``a/index.md`` at ``a/``,
    any other file at its own path."""
    if docs_path == PAGE_INDEX or docs_path.endswith("/" + PAGE_INDEX):
        return docs_path.removesuffix(PAGE_INDEX)
    if docs_path.endswith(PAGE_SUFFIX):
        return docs_path.removesuffix(PAGE_SUFFIX) + "/"
    return docs_path


def absolute_url(site_url: str, docs_path: str) -> str:
    """The absolute URL of a page or file of the site (its docs path under ``site_url``)."""
    return site_root(site_url) + site_path(docs_path)


def data_file(docs_path: str) -> str:
    """The flat name of a download on the data host (release assets have no folders): its
    path under ``downloads/`` with ``/`` as ``.`` (``downloads/portal.zip`` →
    ``portal.zip``, ``downloads/portal/csv/units.csv`` → ``portal.csv.units.csv``); a
    source text's path with ``/`` as ``.`` (``sources/<id>.txt`` → ``sources.<id>.txt``). No
    two downloads share one: an id or a package name never holds a ``.`` before its suffix
    part, a year package is ``portal.<year>``, and the one download a disclosure ``sources``
    could have under that prefix is its README, which is upper-case where an id is not. The
    DCAT catalogue ``data.json`` keeps its name (a download's would be ``downloads/data.json``,
    which the build never writes: the files of ``downloads/`` are zips, the database and
    package folders)."""
    prefix = f"{DOWNLOADS_FOLDER}/"
    if docs_path == CATALOGUE_FILE:
        return docs_path
    if docs_path.startswith(prefix):
        return docs_path[len(prefix) :].replace("/", ".")
    if docs_path.startswith(f"{SOURCES_FOLDER}/"):
        return docs_path.replace("/", ".")
    msg = (
        f"{docs_path}: only files under {prefix} or {SOURCES_FOLDER}/ and {CATALOGUE_FILE} "
        "are on a data host"
    )
    raise ValueError(msg)


def hosted_path(docs_path: str) -> str:
    """Where a download for the data host is written in the docs dir (never published with
    the site; the build copies the folder beside the site)."""
    return f"{HOSTED_FOLDER}/{data_file(docs_path)}"


def data_address(data_url: str, docs_path: str) -> str:
    """The address of a download on the data host ``data_url`` (a folder URL)."""
    return f"{data_url.rstrip('/')}/{data_file(docs_path)}"
