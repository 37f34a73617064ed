"""The data pages: the download catalogue (``data.md``), the data dictionary
(``dictionary.md``) and the machine-readable catalogue ``data.json``.

The dictionary is generated from the declarations (``builder/declarations/*.schema.yaml``):
the standard tables, then the other resources (annexes, findings, units, disclosures ...):
field names, Chinese titles, types, units and descriptions. Nothing here restates a column
list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from markupsafe import Markup

from builder import declarations
from builder.identities import CATALOGUE_FILE
from builder.pages.catalog import DisclosureEntry, Download, Portal, link, sha256_of
from builder.pages.disclosure import format_size
from builder.pages.downloads import bundles_section
from builder.pages.hosting import BESIDE_SITE, Hosting
from builder.pages.markup import front_matter, md_link, md_table, text
from builder.pages.metadata import data_json
from builder.pages.paging import Listing
from builder.pages.templating import render

DATA = "data.md"
DICTIONARY = "dictionary.md"
PACKAGES_PER_PAGE = 300  # a package's row is about 400 bytes of HTML (its SHA-256)
SCHEMA_GROUPS = (
    (
        declarations.table_kinds,
        "标准表格",
        "每份公开文件的数据包中，每张标准表格一个 CSV / Parquet 文件。",
    ),
    (
        declarations.resource_names,
        "其他资源",
        "数据包中的绩效附表、核查发现、名词解释、非标准表格，以及全门户汇总数据包中的目录和单位。",
    ),
)
TYPE_ZH = {
    "string": "文本",
    "integer": "整数",
    "number": "数值",
    "boolean": "布尔",
    "date": "日期",
    "year": "年份",
}


def load_schemas(group: Callable[[], tuple[str, ...]]) -> list[dict[str, Any]]:
    """The declarations of one group (the table kinds, or the other resources)."""
    return [declarations.declared(name) for name in group()]


_LATIN = re.compile(r"[A-Za-z]{2,}")


def description_zh(declared: dict[str, Any]) -> str:
    """A declaration's description for the site: ``description_zh`` where declared, else
    ``description`` if it is Chinese; English descriptions stay in ``datapackage.json``."""
    chinese = declared.get("description_zh")
    if chinese:
        return str(chinese)
    described = str(declared.get("description") or "")
    return "" if _LATIN.search(described) else described


def field_labels(field: dict[str, Any]) -> dict[str, str]:
    """The labels of an enumerated field's values: its own ``x-labels``, else those its
    values have where a table kind declares them (``declarations.value_labels``)."""
    own = field.get("x-labels")
    if isinstance(own, dict):
        return {str(value): str(label) for value, label in own.items()}
    enum = (field.get("constraints") or {}).get("enum") or []
    known = declarations.value_labels().get(str(field["name"]), {})
    return {str(v): known[str(v)] for v in enum if str(v) in known}


def field_description(field: dict[str, Any]) -> str:
    """A field's description for the dictionary (escaped), with the label of each value of
    an enumerated field (``<code>budget</code>＝预算数；<code>final</code>＝决算数``)."""
    described = text(description_zh(field))
    labels = field_labels(field)
    if not labels:
        return described
    values = "；".join(
        f"<code>{text(value)}</code>＝{text(label)}" for value, label in labels.items()
    )
    return f"{described}（取值：{values}）" if described else f"取值：{values}"


def _family(schema: dict[str, Any]) -> str:
    table = schema.get("x-table") or {}
    family = table.get("family")
    kinds = declarations.labels("disclosures", "kind")  # final → 决算, budget → 预算
    if family not in kinds:
        return ""
    return f"{kinds[family]} {declarations.standard_number(family, str(table.get('number')))}"


def _schema_section(schema: dict[str, Any]) -> dict[str, Any]:
    """What the dictionary says of one declaration: title, name, description, the table of
    its fields (escaped cells) and its primary key."""
    where = _family(schema)
    rows = [
        [
            f"`{field['name']}`" if field["name"].isidentifier() else text(field["name"]),
            text(field.get("title") or ""),
            text(TYPE_ZH.get(str(field.get("type")), field.get("type") or "")),
            text(field.get("unit") or ""),
            field_description(field),
        ]
        for field in schema.get("fields") or []
    ]
    title = schema.get("title") or schema["name"]
    fields = md_table(["字段名", "中文名", "类型", "单位", "说明"], rows, caption=f"{title}：字段")
    return {
        "title": f"{title}（{where}）" if where else title,
        "name": schema["name"],
        "description": description_zh(schema),
        "fields": Markup(fields),  # safe: md_table's cells are escaped above
        "primary_key": schema.get("primaryKey") or [],
    }


def dictionary_page() -> str:
    groups = [
        {"heading": heading, "intro": intro, "schemas": [_schema_section(s) for s in schemas]}
        for group, heading, intro in SCHEMA_GROUPS
        if (schemas := load_schemas(group))
    ]
    head = front_matter("数据字典", "开放数据包中每张表、每个字段的含义、类型和单位")
    return head + render("dictionary.md.j2", groups=groups)


def _file_rows(files: list[Download]) -> list[list[str]]:
    return [
        [
            md_link(d.name, d.link_from(DATA)) + (f"<br>{text(d.title)}" if d.title else ""),
            text(format_size(d.size)),
            f'<code class="sha256">{d.sha256}</code>',
        ]
        for d in files
    ]


def _package_cells(entry: DisclosureEntry, page: str) -> list[str]:
    package = next((d for d in entry.downloads if d.name == "datapackage.json"), None)
    bundle = next((d for d in entry.downloads if d.name.endswith(".zip")), None)
    return [
        md_link(entry.title, link(page, entry.page)),
        md_link(bundle.name, bundle.link_from(page)) if bundle else text("尚未生成"),
        text(format_size(bundle.size)) if bundle else "",
        f'<code class="sha256">{bundle.sha256}</code>' if bundle else "",
        md_link("datapackage.json", package.link_from(page))
        if package
        else text("在压缩包中" if bundle else "尚未生成"),
    ]


def packages_listing(portal: Portal) -> Listing[DisclosureEntry]:
    """Every disclosure's package, by unit, a page per :data:`PACKAGES_PER_PAGE`."""
    return Listing(
        DATA,
        sorted(portal.disclosures, key=lambda e: (e.unit_name, e.order)),
        lambda entry: entry.unit_name,
        _package_cells,
        ["公开文件", "压缩包", "大小", "SHA-256", "数据包描述"],
        ["left", "left", "right", "left", "left"],
        caption="各公开文件的数据包",
        per_page=PACKAGES_PER_PAGE,
    )


def data_page(portal: Portal, catalogue: Download) -> dict[str, str]:
    """The download page and the further pages of its list of packages: path → Markdown;
    ``catalogue``: ``data.json`` as written (:func:`write_data_json`), shown with its size and
    SHA-256 when it is on the data host."""
    headers = ["文件", "大小", "SHA-256"]
    align = ["left", "right", "left"]
    main = [d for d in portal.portal_downloads if "/" not in d.name]
    per_table = [d for d in portal.portal_downloads if "/" in d.name]
    listing = packages_listing(portal)
    # safe below: md_table's cells are escaped (text, md_link) or generated hashes
    portal_files = main and md_table(
        headers, _file_rows(main), align, caption="全门户汇总数据包的文件"
    )
    per_table_files = per_table and md_table(
        headers, _file_rows(per_table), align, caption="汇总数据包的逐表文件"
    )
    head = front_matter("数据下载", "开放数据下载目录：每份公开文件的数据包、汇总数据包、data.json")
    page = head + render(
        "data.md.j2",
        links={
            "dictionary": link(DATA, DICTIONARY),
            "data_json": catalogue.link_from(DATA),
            "quality": link(DATA, "quality.md") + "#data",
        },
        bundles=Markup(bundles_section(portal, DATA)),  # safe: escaped by bundles_section
        portal_files=Markup(portal_files) if portal_files else "",
        per_table=Markup(per_table_files) if per_table_files else "",
        per_table_count=len(per_table),
        disclosures=Markup(listing.table(1)),  # safe: cells escaped (text, md_link)
        # On the data host, checked as every file there: its size and SHA-256 (safe: generated).
        catalogue_check=Markup(
            f"（{format_size(catalogue.size)}，"
            f'SHA-256 <code class="sha256">{catalogue.sha256}</code>）'
        )
        if catalogue.url
        else "",
    )
    more = listing.other_pages(
        "各公开文件的数据包", "各文件的完整清单（含 SHA-256）见每份公开文件页面末尾的“下载与引用”。"
    )
    return {DATA: page, **more}


def write_data_json(portal: Portal, docs_dir: Path, hosting: Hosting = BESIDE_SITE) -> Download:
    """Write ``data.json`` at the site root, or for the data host (``DATA_HOST_SCOPE=all``:
    4.3 KB a disclosure, 43 MB of the Pages artifact at 10,000); the download page links it."""
    target = docs_dir / hosting.written(CATALOGUE_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        # Compact: with thousands of disclosures the catalogue lists tens of thousands of
        # files, and json's indenting encoder is many times slower than the compact one.
        json.dumps(data_json(portal), ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    return Download(
        CATALOGUE_FILE,
        CATALOGUE_FILE,
        target.stat().st_size,
        sha256_of(target),
        url=hosting.address(CATALOGUE_FILE),
    )
