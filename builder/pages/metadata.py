"""Machine-readable catalogue metadata: schema.org ``Dataset`` JSON-LD and ``data.json``.

- Each disclosure page carries a schema.org ``Dataset`` with a ``DataDownload`` per file
  (what dataset search engines read).
- ``data.json`` at the site root is a Project Open Data v1.1 (DCAT-US) catalogue with one
  dataset per disclosure plus the portal-wide package, so national catalogues can harvest it.

The JSON-LD sits in the page content, where Material's instant navigation re-creates every
``<script>`` without its ``type`` and runs it as JavaScript. It is therefore written as a
top-level JSON array (valid JSON-LD, and a harmless JavaScript expression), with ``<``
escaped so no string can close the script element.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

from builder.pages.catalog import DisclosureEntry, Download, Portal
from builder.pages.markup import UNIT_10K as UNIT

POD_CONTEXT = "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld"
POD_SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"
PUBLISHER = "开放预算门户"
LANGUAGE = "zh-CN"
DEFAULT_LICENCE = "政府信息公开（Government public information），按原样转载"
MEDIA_TYPES = {
    ".csv": ("text/csv", "CSV"),
    ".parquet": ("application/vnd.apache.parquet", "Parquet"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    ".json": ("application/json", "JSON"),
    ".zip": ("application/zip", "ZIP"),
    ".sqlite": ("application/vnd.sqlite3", "SQLite"),
    ".txt": ("text/plain", "TXT"),
    ".md": ("text/markdown", "Markdown"),
}


def media_type(download: Download) -> tuple[str, str]:
    """(IANA media type, short format name) of a download, by its file suffix."""
    return MEDIA_TYPES.get(download.suffix, ("application/octet-stream", download.suffix[1:]))


def build_date() -> dt.date:
    """The build date: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()


def _files(entry: DisclosureEntry) -> list[Download]:
    return ([entry.source] if entry.source else []) + entry.downloads


def _keywords(entry: DisclosureEntry) -> list[str]:
    return [
        "预算公开" if entry.kind == "budget" else "决算公开",
        entry.unit_name,
        f"{entry.year}年",
        "部门预算",
        "三公经费",
        "open budget",
    ]


def _description(entry: DisclosureEntry) -> str:
    return (
        f"{entry.title}公开的全部标准表格、情况说明、名词解释和项目绩效表，"
        f"整理为开放数据（金额单位：{UNIT}）。"
    )


def dataset_jsonld(entry: DisclosureEntry, portal: Portal) -> dict[str, Any]:
    """A schema.org ``Dataset`` describing one disclosure and its downloads."""
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": entry.title,
        "description": _description(entry),
        "url": portal.absolute(entry.page),
        "identifier": entry.disclosure_id,
        "inLanguage": LANGUAGE,
        "keywords": _keywords(entry),
        "temporalCoverage": f"{entry.year}-01-01/{entry.year}-12-31",
        "spatialCoverage": {"@type": "Place", "name": "中国山西省"},
        "creator": {"@type": "GovernmentOrganization", "name": entry.unit_name},
        "publisher": {"@type": "Organization", "name": PUBLISHER},
        "license": entry.licence or DEFAULT_LICENCE,
        "isAccessibleForFree": True,
        "distribution": [
            {
                "@type": "DataDownload",
                "name": download.name,
                "encodingFormat": media_type(download)[0],
                "contentUrl": portal.address(download),
                "contentSize": f"{download.size} B",
                "sha256": download.sha256,
            }
            # The package as a whole: each table's CSV and Parquet (inside the package)
            # are listed on the page and in data.json, not in every page's head again.
            for download in _files(entry)
            if "/" not in download.name
        ],
    }


def jsonld_script(data: dict[str, Any]) -> str:
    """The JSON-LD ``<script>`` element (a one-element array; ``<`` escaped)."""
    body = json.dumps([data], ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    return f'<script type="application/ld+json">{body}</script>\n'


def data_json(portal: Portal) -> dict[str, Any]:
    """The Project Open Data v1.1 catalogue of the portal."""
    modified = build_date().isoformat()
    datasets: list[dict[str, Any]] = []
    for entry in sorted(portal.disclosures, key=lambda e: e.disclosure_id):
        datasets.append(
            {
                "@type": "dcat:Dataset",
                "title": entry.title,
                "description": _description(entry),
                "keyword": _keywords(entry),
                "modified": modified,
                "publisher": {"@type": "org:Organization", "name": entry.unit_name},
                "contactPoint": {"@type": "vcard:Contact", "fn": PUBLISHER},
                "identifier": portal.absolute(entry.page),
                "accessLevel": "public",
                "license": entry.licence or DEFAULT_LICENCE,
                "landingPage": portal.absolute(entry.page),
                "temporal": f"{entry.year}-01-01/{entry.year}-12-31",
                "spatial": "中国山西省",
                "language": [LANGUAGE],
                "distribution": [_distribution(d, portal) for d in _files(entry)],
            }
        )
    if portal.portal_downloads:
        datasets.append(
            {
                "@type": "dcat:Dataset",
                "title": "开放预算门户：全部公开文件汇总数据",
                "description": "所有单位、所有公开文件的目录、表格、核查发现和名词解释的汇总。",
                "keyword": ["预算公开", "决算公开", "open budget"],
                "modified": modified,
                "publisher": {"@type": "org:Organization", "name": PUBLISHER},
                "contactPoint": {"@type": "vcard:Contact", "fn": PUBLISHER},
                "identifier": portal.absolute("data.md") + "#portal",
                "accessLevel": "public",
                "license": DEFAULT_LICENCE,
                "landingPage": portal.absolute("data.md"),
                "language": [LANGUAGE],
                "distribution": [
                    _distribution(d, portal) for d in [*portal.bundles, *portal.portal_downloads]
                ],
            }
        )
    return {
        "@context": POD_CONTEXT,
        "@type": "dcat:Catalog",
        "conformsTo": POD_SCHEMA,
        "describedBy": f"{POD_SCHEMA}/catalog.json",
        "dataset": datasets,
    }


def _distribution(download: Download, portal: Portal) -> dict[str, Any]:
    media, short = media_type(download)
    return {
        "@type": "dcat:Distribution",
        "title": download.name,
        "downloadURL": portal.address(download),
        "mediaType": media,
        "format": short,
    }
