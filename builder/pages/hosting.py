"""Where each download is published: beside the site (the default) or on a data host.

One setting, ``DATA_URL`` (a folder address: release assets of a data version, or any static
file host), moves the bulk downloads off the site. Unset, every download is published under
``downloads/`` beside the pages, as GitHub Pages serves them and an offline preview reads
them. Set, the bulk files are written into the docs dir's ``.data/`` folder under flat names
(``builder.identities.data_file``; release assets have no folders), which MkDocs never
copies into the site; the build places that folder beside the site (``site-data/``), and
every page links to each of them at ``DATA_URL`` with the size and SHA-256 it shows today.

What goes where was decided by measuring a 1,000-disclosure build (BENCHMARKS.md, "data
host"): on the data host, the zips (each disclosure's 133 KB, each year's, the portal's), the
SQLite database (90 MB), the partitioned Parquet dataset as one archive (a folder of files is no
release: GitHub takes at most 1,000 assets per release, each under 2 GiB) and the portal
package's own files (78 MB). A disclosure's Parquet files, workbook, ``datapackage.json``
and README (181 KB a disclosure, in 18 files) are published in its zip only, so a disclosure
costs one asset, not dozens. Each table's CSV (47 KB a disclosure) stays beside the page
that shows the table and links it: a reader takes one table into Excel without a zip.

A second setting, ``DATA_HOST_SCOPE``, says how much goes there. ``bulk`` (the default) is
the above: a GitHub release holds it (one asset a disclosure plus about 90). ``all`` also
moves each disclosure's source text (``sources/<id>.txt`` → ``sources.<id>.txt``, 52 KB),
each table's CSV (``downloads/<id>/csv/<table>.csv`` → ``<id>.csv.<table>.csv``, 46 KB) and
the DCAT catalogue ``data.json`` (4.3 KB a disclosure, 43 MB at 10,000): about
100 KB a disclosure off the Pages artifact, whose 1 GB is otherwise reached near 3,000
disclosures, at the cost of some 16 more files a disclosure (its text, about 15 CSVs) on the
data host, more than a release holds (1,000 assets) past about 55 disclosures: ``all`` is for
a static file host.
The links, sizes and SHA-256 on the pages then name the files there, as for the bulk files.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path

from builder import identities
from builder.errors import DisclosureError
from builder.sources.provenance import web_address

DATA_URL_SETTING = "DATA_URL"
SCOPE_SETTING = "DATA_HOST_SCOPE"
BULK_SCOPE = "bulk"  # the default: what a GitHub release holds
ALL_SCOPE = "all"  # also the source texts and each table's CSV: a static file host
SCOPES = (BULK_SCOPE, ALL_SCOPE)
_DOWNLOADS = identities.DOWNLOADS_FOLDER
# When a data host is set (docs paths, fnmatch patterns; ``*`` also matches ``/``):
# published on the data host,
BULK = (
    f"{_DOWNLOADS}/*.zip",  # bundles (a disclosure's, a year's, the portal's), the Parquet
    f"{_DOWNLOADS}/portal.sqlite",
    f"{_DOWNLOADS}/portal/*",  # the portal package's own files (its CSV of each table ...)
    f"{_DOWNLOADS}/quality/*",  # the data behind the quality page (a row per check and disclosure)
)
# not published apart from the disclosure's zip (one asset per disclosure, not dozens),
IN_BUNDLE_ONLY = (
    f"{_DOWNLOADS}/*/parquet/*",
    f"{_DOWNLOADS}/*/*.xlsx",
    f"{_DOWNLOADS}/*/datapackage.json",
    f"{_DOWNLOADS}/*/README.txt",
)
# and everything else beside the pages: each table's CSV, which the table on the page links,
# the source text and the DCAT catalogue; with the scope ``all``, those three on the data host
# as well.
SMALL = (
    f"{identities.SOURCES_FOLDER}/*",  # each disclosure's source text
    f"{_DOWNLOADS}/*/csv/*",  # each table's CSV
    identities.CATALOGUE_FILE,  # data.json, the DCAT catalogue: 4.3 KB a disclosure
)


def matches(docs_path: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(docs_path, pattern) for pattern in patterns)


@dataclass(frozen=True)
class Hosting:
    """Where downloads are published: ``data_url`` empty for beside the site; ``scope``
    (``bulk`` or ``all``) how much goes to the data host."""

    data_url: str = ""
    scope: str = BULK_SCOPE

    @property
    def key(self) -> tuple[str, ...]:
        """What a page's links, sizes and checksums depend on: nothing without a data host,
        its address for the bulk files, and the scope when that is ``all``."""
        if not self.data_url:
            return ()
        return (self.data_url,) if self.scope == BULK_SCOPE else (self.data_url, self.scope)

    def hosted(self, docs_path: str) -> bool:
        """Whether the file is published on the data host."""
        if not self.data_url:
            return False
        patterns = BULK + SMALL if self.scope == ALL_SCOPE else BULK
        return matches(docs_path, patterns)

    def published(self, docs_path: str) -> bool:
        """Whether the file is published on its own (else only inside its package's zip)."""
        if not self.data_url:
            return True
        return matches(docs_path, BULK) or not matches(docs_path, IN_BUNDLE_ONLY)

    def written(self, docs_path: str) -> str:
        """The docs-relative path the file is written to."""
        return identities.hosted_path(docs_path) if self.hosted(docs_path) else docs_path

    def address(self, docs_path: str) -> str:
        """The file's address on the data host, or ``""`` if it is published with the site."""
        if not self.hosted(docs_path):
            return ""
        return identities.data_address(self.data_url, docs_path)


BESIDE_SITE = Hosting()


def data_url_setting() -> str:
    """The data host from ``DATA_URL`` (a folder address, ``/`` added), or ``""``."""
    value = os.environ.get(DATA_URL_SETTING, "").strip()
    if not value:
        return ""
    try:
        web_address(value)
    except ValueError as error:
        raise DisclosureError(
            Path(DATA_URL_SETTING),  # the setting, named where a file would be
            None,
            f"the data host setting: {error}",
            "set it to the folder URL the data files are published at, such as "
            "https://github.com/OWNER/REPO/releases/download/data-2026.12.01/, or unset it "
            "to publish them with the site",
        ) from None
    return value if value.endswith("/") else value + "/"


def scope_setting() -> str:
    """How much goes to the data host, from ``DATA_HOST_SCOPE``: ``bulk`` (the default) or
    ``all``."""
    value = os.environ.get(SCOPE_SETTING, "").strip() or BULK_SCOPE
    if value not in SCOPES:
        raise DisclosureError(
            Path(SCOPE_SETTING),  # the setting, named where a file would be
            None,
            f"the data host scope: {value!r} is neither {BULK_SCOPE!r} nor {ALL_SCOPE!r}",
            f"set it to {ALL_SCOPE!r} to publish the source texts and each table's CSV on the "
            f"data host too (a static file host: no GitHub release holds that many files), or "
            f"to {BULK_SCOPE!r} (or unset it) for the bulk files only",
        )
    return value


def hosting_setting() -> Hosting:
    """Where the build publishes its downloads: ``DATA_URL`` and ``DATA_HOST_SCOPE``."""
    return Hosting(data_url_setting(), scope_setting())
