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

from builder import declarations
from builder.pages.catalog import Download, Portal, link
from builder.pages.disclosure import format_size
from builder.pages.downloads import bundles_section
from builder.pages.markup import front_matter, md_link, md_table, text
from builder.pages.metadata import data_json

DATA = "data.md"
DICTIONARY = "dictionary.md"
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


def _family(schema: dict[str, Any]) -> str:
    table = schema.get("x-table") or {}
    family = table.get("family")
    if family == "final":
        return f"决算 公开{table.get('number')}表"
    if family == "budget":
        return f"预算 预算公开表{int(str(table.get('number')))}"
    return ""


def dictionary_page() -> str:
    out = [front_matter("数据字典", "开放数据包中每张表、每个字段的含义、类型和单位")]
    out.append("# 数据字典\n")
    out.append(
        "<p>本页由各表的表结构声明（Frictionless 表结构）自动生成：字段名（数据文件的列名）、"
        "中文名（原表的栏目名称）、类型、单位和说明。金额字段的“单位”一栏写明其货币单位："
        "标准表格的金额都以万元计（字段名以 <code>_10k_yuan</code> 结尾）。</p>\n"
    )
    for group, heading, intro in SCHEMA_GROUPS:
        schemas = load_schemas(group)
        if not schemas:
            continue
        out.append(f"## {heading}\n\n<p>{text(intro)}</p>\n")
        for schema in schemas:
            where = _family(schema)
            suffix = f"（{where}）" if where else ""
            out.append(f"### {text(schema.get('title') or schema['name'])}{text(suffix)}\n")
            out.append(
                f"<p>资源名：<code>{text(schema['name'])}</code>。"
                f"{text(description_zh(schema))}</p>\n"
            )
            rows = [
                [
                    f"`{field['name']}`" if field["name"].isidentifier() else text(field["name"]),
                    text(field.get("title") or ""),
                    text(TYPE_ZH.get(str(field.get("type")), field.get("type") or "")),
                    text(field.get("unit") or ""),
                    text(description_zh(field)),
                ]
                for field in schema.get("fields") or []
            ]
            out.append(
                md_table(
                    ["字段名", "中文名", "类型", "单位", "说明"],
                    rows,
                    caption=f"{schema.get('title') or schema['name']}：字段",
                )
            )
            keys = schema.get("primaryKey")
            if keys:
                names = "、".join(f"<code>{text(k)}</code>" for k in keys)
                out.append(f'<p class="portal-muted">主键：{names}</p>\n')
    return "\n".join(out)


def _file_rows(files: list[Download]) -> list[list[str]]:
    return [
        [
            md_link(d.name, d.link_from(DATA)) + (f"<br>{text(d.title)}" if d.title else ""),
            text(format_size(d.size)),
            f'<code class="sha256">{d.sha256}</code>',
        ]
        for d in files
    ]


def data_page(portal: Portal) -> str:
    out = [
        front_matter("数据下载", "开放数据下载目录：每份公开文件的数据包、汇总数据包、data.json")
    ]
    out.append("# 数据下载\n")
    out.append(
        "<p>每份公开文件都整理成一个数据包：每张标准表格一个 CSV"
        "（UTF-8 带 BOM，中文 Windows 的 Excel 可直接打开）和一个 Parquet 文件，"
        "全部表格的 Excel 工作簿，以及描述字段、单位和来源的 "
        "<code>datapackage.json</code>（Frictionless 数据包）。"
        "每个文件都列出大小和 SHA-256 校验值，下载后可核对完整性。</p>\n"
    )
    out.append(
        f"- {md_link('数据字典：每个字段的含义和单位', link(DATA, DICTIONARY))}\n"
        f"- {md_link('data.json：机器可读的数据目录（DCAT-US 格式）', link(DATA, 'data.json'))}"
        "\n"
    )
    out.append(bundles_section(portal, DATA))
    out.append("## 全门户汇总数据包 { #portal }\n")
    if portal.portal_downloads:
        headers = ["文件", "大小", "SHA-256"]
        align = ["left", "right", "left"]

        main = [d for d in portal.portal_downloads if "/" not in d.name]
        per_table = [d for d in portal.portal_downloads if "/" in d.name]
        out.append(md_table(headers, _file_rows(main), align, caption="全门户汇总数据包的文件"))
        if per_table:
            out.append(
                f"<details markdown>\n<summary>逐表文件（CSV / Parquet，共 {len(per_table)} 个）"
                "</summary>\n\n"
                + md_table(headers, _file_rows(per_table), align, caption="汇总数据包的逐表文件")
                + "\n</details>\n"
            )
    else:
        out.append('<p class="portal-muted">汇总数据包尚未生成。</p>\n')
    out.append("## 各公开文件的数据包\n")
    rows = []
    for entry in sorted(portal.disclosures, key=lambda e: (e.unit_name, e.order)):
        package = next((d for d in entry.downloads if d.name == "datapackage.json"), None)
        bundle = next((d for d in entry.downloads if d.name.endswith(".zip")), None)
        rows.append(
            [
                md_link(entry.title, link(DATA, entry.page)),
                md_link(bundle.name, bundle.link_from(DATA)) if bundle else text("尚未生成"),
                text(format_size(bundle.size)) if bundle else "",
                f'<code class="sha256">{bundle.sha256}</code>' if bundle else "",
                md_link("datapackage.json", package.link_from(DATA))
                if package
                else text("在压缩包中" if bundle else "尚未生成"),
            ]
        )
    out.append(
        md_table(
            ["公开文件", "压缩包", "大小", "SHA-256", "数据包描述"],
            rows,
            ["left", "left", "right", "left", "left"],
            caption="各公开文件的数据包",
        )
    )
    out.append("<p>各文件的完整清单（含 SHA-256）见每份公开文件页面末尾的“下载与引用”。</p>\n")
    return "\n".join(out)


def write_data_json(portal: Portal, docs_dir: Path) -> None:
    (docs_dir / "data.json").write_text(
        # Compact: with thousands of disclosures the catalogue lists tens of thousands of
        # files, and json's indenting encoder is many times slower than the compact one.
        json.dumps(data_json(portal), ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
