"""Downloads a data user meets first: bundles, the database, and the pages that explain them.

- **Bundles** (``builder.publish.bundles``): ``downloads/<id>.zip`` per disclosure (written with
  its page), ``downloads/portal.zip`` and ``downloads/portal.<year>.zip`` (a dot, which no
  disclosure id has, so no name collides);
- **the database** (``builder.publish.database``): ``downloads/portal.sqlite``, and the
  partitioned Parquet dataset (``builder.publish.partitions``)
  ``downloads/portal.parquet/<resource>/fiscal_year=…/part-0.parquet`` (on a
  data host, ``builder.pages.hosting``: written under ``.data/`` and published as one
  archive, ``portal.parquet.zip``, listed with the bundles);
- **pages**: the bundles section of the download page, ``query.md`` (查询数据: how to open
  the database, and example queries from ``queries.yaml`` with their results on the built
  data) and ``releases.md`` (版本说明: each release's notes and known issues).

The portal's bundles and database are owners of their own (``builder.pages.outputs``), keyed
by their package's ``datapackage.json`` (which lists the sha256 of every file) and the
release, so an incremental build that changed nothing writes them again only if a file was
touched; so is each partition of the Parquet dataset, keyed by its own rows, so a changed
disclosure rewrites only its year (and, on a data host, the archive of them all).
A bundle or archive written again copies from the earlier one the entries of the files whose
sha256 did not change (``builder.publish.bundles``): after one changed disclosure of 1,000,
13,834 of the 13,981 entries of the three zips written again are copied, not zipped again.
The database written again replaces in a copy of the earlier one the rows of the disclosures
whose source key changed (``builder.publish.database``), and is the same file as from scratch.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any

import yaml

from builder import identities
from builder.cache import HashMemo, file_hash
from builder.pages.catalog import Download, Portal, link, sha256_of
from builder.pages.disclosure import format_size
from builder.pages.hosting import BESIDE_SITE, Hosting
from builder.pages.markup import UNIT_10K as UNIT
from builder.pages.markup import front_matter, md_link, md_table, text
from builder.pages.outputs import Outputs, Produced, key_of, staged
from builder.publish.bundles import (
    Earlier,
    Member,
    folder_members,
    write_bundle,
    write_files_bundle,
)
from builder.publish.database import EarlierDatabase, write_database
from builder.publish.packages import DESCRIPTOR
from builder.publish.partitions import Partition, Shape, partitions
from builder.publish.portal import PORTAL, Contribution, is_portal_name
from builder.release import current_release, load_releases, release_bytes, releases_file
from builder.written import note

DATABASE = f"{identities.DOWNLOADS_FOLDER}/portal.sqlite"
PARTITIONED_NAME = "portal.parquet"
PARTITIONED = f"{identities.DOWNLOADS_FOLDER}/{PARTITIONED_NAME}"
PARTITIONED_ARCHIVE = f"{PARTITIONED}.zip"  # the dataset as one file, for a data host
QUERY = "query.md"
RELEASES = "releases.md"
QUERIES = Path(__file__).with_name("queries.yaml")
RESULT_ROWS = 20  # rows of an example's result shown on the page


def bundle_title(name: str) -> str:
    """The Chinese title of a bundle, by its package name."""
    if name == PORTAL:
        return "全门户数据压缩包（全部公开文件）"
    if is_portal_name(name):
        return f"{name.split('.', 1)[1]}年度数据压缩包（该年全部公开文件）"
    return "本文件全部数据压缩包（CSV、Parquet、Excel、datapackage.json、说明）"


def publish_bundle(package: Path, docs_dir: Path, hosting: Hosting = BESIDE_SITE) -> Download:
    """The zip of a package folder at ``downloads/<package name>.zip`` (or on the data host)."""
    target = identities.bundle_file(package.name)
    path = docs_dir / hosting.written(target)
    write_bundle(package, package.name, path)
    return bundle_download(package.name, path, hosting)


def bundle_download(name: str, path: Path, hosting: Hosting) -> Download:
    """How the bundle of package ``name``, written at ``path``, is listed."""
    target = identities.bundle_file(name)
    size, sha256 = path.stat().st_size, sha256_of(path)
    note(path, sha256)  # not read again when it is recorded (builder.written)
    return Download(
        target, f"{name}.zip", size, sha256, bundle_title(name), hosting.address(target)
    )


def release_key() -> str:
    return hashlib.sha256(release_bytes()).hexdigest()


def portal_bundles(
    packages: Path,
    outputs: Outputs,
    hosting: Hosting = BESIDE_SITE,
    keys: Mapping[str, str] | None = None,
) -> list[Download]:
    """The bundles of the portal and of each year, and the database, each produced only
    when its inputs or where it is published changed; their downloads (bundles, then the
    database). ``keys``: each disclosure's source key, so that the database replaces the
    rows of those that changed in the earlier file (``builder.publish.database``)."""
    folders = (
        sorted(
            folder
            for folder in packages.iterdir()
            if is_portal_name(folder.name) and (folder / DESCRIPTOR).is_file()
        )
        if packages.is_dir()
        else []
    )
    bundles: list[Download] = []
    # The database in a thread of its own beside the bundles (SQLite and zlib release the
    # GIL): after one change, profiled under load, they took 4.2 and 4.5 s one after the
    # other.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="portal-database") as pool:
        database: Future[list[Download]] | None = None
        portal = packages / PORTAL
        if (portal / DESCRIPTOR).is_file():
            key = key_of(file_hash(portal / DESCRIPTOR), release_key(), hosting.data_url)
            inputs = DatabaseInputs(portal, outputs.docs_dir, hosting, keys or {}, outputs.hashes)
            make: Make = partial(database_of, inputs)
            database = pool.submit(produced, outputs, "database", key, make)
        for folder in folders:
            key = key_of(file_hash(folder / DESCRIPTOR), release_key(), hosting.data_url)
            make = partial(bundle_of, folder, outputs, hosting)
            bundles += produced(outputs, f"bundle:{folder.name}", key, make)
        return bundles + (database.result() if database else [])


def partitioned_archive(outputs: Outputs, hosting: Hosting = BESIDE_SITE) -> list[Download]:
    """On a data host, the archive of the partitioned Parquet (of the partitions recorded
    in ``outputs``: :func:`install_partition`), produced only when a partition changed; its
    download (none beside the site)."""
    parts = partition_files_of(outputs)
    if not parts or not hosting.hosted(PARTITIONED_ARCHIVE):
        return []
    key = key_of(sorted(parts.items()), hosting.data_url)
    make = partial(archive_of, parts, outputs, hosting)
    return produced(outputs, "partitioned archive", key, make)


def partitioned_root(hosting: Hosting) -> str:
    """Where the partitioned dataset's files are written in the docs dir: published with the
    site, or (for a data host, which has no folders) under ``.data/``, never published
    themselves but as one archive."""
    if hosting.hosted(PARTITIONED_ARCHIVE):
        return f"{identities.HOSTED_FOLDER}/{PARTITIONED_NAME}"
    return PARTITIONED


def stale_partitions(
    contributions: Iterable[Contribution | Shape],
    outputs: Outputs,
    hosting: Hosting = BESIDE_SITE,
) -> list[Partition]:
    """The partitions of the Parquet dataset whose files are not current (the others are
    kept as they are)."""
    return [
        partition
        for partition in partitions(contributions)
        if outputs.current(partition_owner(partition), placed_key(partition, hosting)) is None
    ]


def partition_owner(partition: Partition) -> str:
    return f"partition:{partition.name}"


def placed_key(partition: Partition, hosting: Hosting) -> str:
    """A partition's key and where its files go."""
    root = partitioned_root(hosting)
    return partition.key if root == PARTITIONED else key_of(partition.key, root)


def install_partition(
    partition: Partition,
    files: dict[str, bytes],
    outputs: Outputs,
    hosting: Hosting = BESIDE_SITE,
) -> None:
    """A partition's files (made by :func:`~builder.publish.partitions.partition_files`,
    in a worker) written into the docs dir as their owner's."""
    owner = partition_owner(partition)
    with staged(outputs.docs_dir, owner) as (docs, moved):
        for path, data in files.items():
            target = docs / partitioned_root(hosting) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    outputs.record(owner, placed_key(partition, hosting), Produced(moved))


def partition_files_of(outputs: Outputs) -> dict[str, str]:
    """The files of this build's partitions (docs paths → sha256): a partition dropped since
    the last build is not among them, though its files stay until the end of the build."""
    return {
        path: sha256
        for owner in sorted(outputs.seen)
        if owner.startswith("partition:")
        for path, sha256 in outputs.owners[owner]["files"].items()
    }


Made = tuple[list[Download], dict[str, Any]]  # the downloads, and what to keep of them
# Makes an owner's downloads into a staging docs folder, given the owner's earlier record.
Make = Callable[[Path, Mapping[str, Any] | None], Made]


def earlier_bundle(
    docs_dir: Path, record: Mapping[str, Any] | None, path: str, hashes: HashMemo
) -> Earlier | None:
    """The bundle an earlier build wrote at ``path`` of ``docs_dir``, with the sha256 of its
    files, if it is still there as that build wrote it (else None: written from scratch).
    ``hashes``: the build's memo (the file is read only if it changed since it was hashed:
    the partitioned archive is 70 MB at 1,000 disclosures)."""
    if record is None:
        return None
    members = record.get("extra", {}).get("members")
    recorded = record.get("files", {}).get(path)
    if not isinstance(members, dict) or recorded is None:
        return None
    if hashes.file_hash(docs_dir / path) != recorded:
        return None
    return Earlier(docs_dir / path, members)


def bundle_of(
    folder: Path, outputs: Outputs, hosting: Hosting, docs: Path, record: Mapping[str, Any] | None
) -> Made:
    """The bundle of a portal-wide package, reusing the unchanged entries of the earlier one."""
    written = hosting.written(identities.bundle_file(folder.name))
    earlier = earlier_bundle(outputs.docs_dir, record, written, outputs.hashes)
    done = write_files_bundle(folder_members(folder, folder.name), docs / written, earlier)
    return [bundle_download(folder.name, docs / written, hosting)], {"members": done.members}


@dataclass(frozen=True)
class DatabaseInputs:
    """The portal package folder, the docs dir, where the database is published, each
    disclosure's source key, and the build's memo of hashes (the earlier file, 75 MB at
    1,000 disclosures, is read only if it changed since it was hashed)."""

    folder: Path
    docs_dir: Path
    hosting: Hosting
    keys: Mapping[str, str]
    hashes: HashMemo = field(default_factory=HashMemo)


def database_of(inputs: DatabaseInputs, docs: Path, record: Mapping[str, Any] | None) -> Made:
    """The database of the portal package, updated from the earlier one where it is still
    there as the earlier build wrote it (only the changed disclosures' rows are written)."""
    written = inputs.hosting.written(DATABASE)
    path, there = docs / written, inputs.docs_dir / written
    earlier = None
    layout = (record or {}).get("extra", {}).get("layout")
    recorded = (record or {}).get("files", {}).get(written)
    if isinstance(layout, dict) and recorded and inputs.hashes.file_hash(there) == recorded:
        earlier = EarlierDatabase(there, layout)
    done = write_database(inputs.folder, path, current_release(), inputs.keys, earlier)
    size, sha256 = path.stat().st_size, sha256_of(path)
    title = "SQLite 数据库（全部表格和视图）"
    address = inputs.hosting.address(DATABASE)
    download = Download(DATABASE, "portal.sqlite", size, sha256, title, address)
    return [download], {"layout": done}


def archive_of(
    parts: dict[str, str],
    outputs: Outputs,
    hosting: Hosting,
    docs: Path,
    record: Mapping[str, Any] | None,
) -> Made:
    """The partitioned dataset (``parts``, files of the docs dir and their sha256) as one
    zip for the data host, written into ``docs``; ``portal.parquet/…`` inside. The entries
    of the partitions that did not change are copied from the earlier archive."""
    root = f"{identities.HOSTED_FOLDER}/"
    members = [
        Member(path.removeprefix(root), outputs.docs_dir / path, sha256)
        for path, sha256 in sorted(parts.items())
    ]
    written = hosting.written(PARTITIONED_ARCHIVE)
    earlier = earlier_bundle(outputs.docs_dir, record, written, outputs.hashes)
    done = write_files_bundle(members, docs / written, earlier)
    archive = docs / written
    size, sha256 = archive.stat().st_size, sha256_of(archive)
    title = "分区 Parquet 数据集（按年度分区，解压后使用）"
    address = hosting.address(PARTITIONED_ARCHIVE)
    name = f"{PARTITIONED_NAME}.zip"
    download = Download(PARTITIONED_ARCHIVE, name, size, sha256, title, address)
    return [download], {"members": done.members}


def produced(outputs: Outputs, owner: str, key: str, make: Make) -> list[Download]:
    """The downloads of ``owner``: as recorded if its key and files are unchanged, else made
    again by ``make`` into a staging docs folder (given the earlier record, to reuse what
    of the earlier files is unchanged)."""
    record = outputs.current(owner, key)
    if record is not None:
        return [Download(**d) for d in record["extra"]["downloads"]]
    earlier = outputs.owners.get(owner)
    with staged(outputs.docs_dir, owner) as (docs, files):
        downloads, kept = make(docs, earlier)
    extra = {"downloads": [asdict(d) for d in downloads], **kept}
    outputs.record(owner, key, Produced(files, extra))
    return downloads


def bundles_section(portal: Portal, page: str) -> str:
    """The download page's table of bundles and the database, with sizes and SHA-256."""
    release = current_release()
    rows = [
        [
            text(d.title),
            md_link(d.name, d.link_from(page)),
            text(format_size(d.size)),
            f'<code class="sha256">{d.sha256}</code>',
        ]
        for d in portal.bundles
    ]
    out = [
        "## 数据压缩包和数据库 { #bundles }\n",
        f"<p>{text(release.label)}。每个压缩包是一个完整的数据包：各表的 CSV（UTF-8 带 BOM，"
        "Excel 可直接打开）和 Parquet、Excel 工作簿（单份公开文件）、datapackage.json "
        "和中文说明（含来源、许可、引用和核查发现）。同一数据版本的压缩包逐字节相同，"
        "可用 SHA-256 校验。每份公开文件的压缩包在其页面末尾和下表“各公开文件的数据包”中。</p>\n",
    ]
    if rows:
        out.append(
            md_table(["内容", "文件", "大小", "SHA-256"], rows, ["left", "left", "right", "left"])
        )
    out.append(
        f"- {md_link('查询数据：用 SQLite、Datasette 或 DuckDB 查询', link(page, QUERY))}\n"
        f"- {md_link('版本说明和已知问题', link(page, RELEASES))}\n"
    )
    return "\n".join(out)


@cache
def load_queries() -> list[dict[str, str]]:
    """The example queries (``queries.yaml``)."""
    loaded: list[dict[str, str]] = yaml.safe_load(QUERIES.read_text(encoding="utf-8"))
    return loaded


def example_result(database: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The columns and rows of ``sql`` on the database (read only)."""
    connection = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
    try:
        cursor = connection.execute(sql)
        return [c[0] for c in cursor.description], cursor.fetchall()
    finally:
        connection.close()


def result_table(database: Path, sql: str) -> str:
    if not database.is_file():
        return ""
    try:
        columns, rows = example_result(database, sql)
    except sqlite3.OperationalError:  # a table no disclosure of this site has
        return '<p class="portal-muted">本站数据中还没有这张表。</p>\n'
    shown = [["–" if v is None else text(v) for v in row] for row in rows[:RESULT_ROWS]]
    more = f"（共 {len(rows)} 行，显示前 {RESULT_ROWS} 行）" if len(rows) > RESULT_ROWS else ""
    return f"<p>在本站数据上的结果{text(more)}：</p>\n\n" + md_table(
        [text(c) for c in columns], shown
    )


def query_page(portal: Portal, database_file: Path) -> str:
    """查询数据: the database and the partitioned Parquet, and worked examples (their results
    read from ``database_file``, the database as this build wrote it)."""
    database = next((d for d in portal.bundles if d.path == DATABASE), None)
    archive = next((d for d in portal.bundles if d.path == PARTITIONED_ARCHIVE), None)
    out = [front_matter("查询数据", "用 SQLite、Datasette 或 DuckDB 查询全部公开文件的数据")]
    out.append("# 查询数据\n")
    out.append(
        "<p>全部公开文件的表格合在一个 SQLite 数据库文件里：每种表格一张表，每行都带公开文件标识、"
        "单位名称（<code>publisher_name</code>）、年度（<code>fiscal_year</code>）、"
        "公开类型（<code>disclosure_kind</code>：budget 预算 / final 决算）和范围，"
        "不必连接目录表；每张表另有一个视图 <code>表名_detail</code>，附上公开文件标题、"
        f"原文地址、发布日期和许可。金额单位为{UNIT}；数据库中的金额为二进制浮点数，"
        "精确数值以 CSV 和 Parquet 为准。</p>\n"
    )
    if database is not None:
        out.append(
            md_table(
                ["文件", "大小", "SHA-256"],
                [
                    [
                        md_link(database.name, database.link_from(QUERY)),
                        text(format_size(database.size)),
                        f'<code class="sha256">{database.sha256}</code>',
                    ]
                ],
                ["left", "right", "left"],
            )
        )
    out.append(
        "## 打开数据库\n\n"
        "```sh\n"
        "sqlite3 portal.sqlite            # SQLite 命令行\n"
        "datasette portal.sqlite          # 在浏览器中浏览和查询（pip install datasette）\n"
        "```\n\n"
        "DuckDB（需要它的 sqlite 扩展）：\n\n"
        "```sql\n"
        "INSTALL sqlite; LOAD sqlite;\n"
        "ATTACH 'portal.sqlite' AS portal (TYPE sqlite, READ_ONLY);\n"
        "USE portal;\n"
        "```\n"
    )
    out.append("## 示例\n")
    for example in load_queries():
        out.append(f"### {text(example['title'])}\n")
        out.append(f"<p>{text(example['question'])}</p>\n")
        if "sql" in example:
            out.append(f"```sql\n{example['sql'].rstrip()}\n```\n")
            out.append(result_table(database_file, example["sql"]))
        else:
            out.append(f"```sql\n{example['parquet'].rstrip()}\n```\n")
    out.append(
        "## 分区 Parquet 数据集\n\n"
        "<p>每种表格也以按年度分区的 Parquet 文件发布（hive 风格，每种表格每年一个文件："
        "<code>downloads/portal.parquet/表名/fiscal_year=2024/part-0.parquet</code>），"
        "DuckDB、Spark 或 pyarrow 只读取所需年度的文件；查询某个单位时按 "
        "<code>publisher_id</code> 列筛选。金额为精确的 decimal128。"
        "HTTP 不能列出目录，远程读取时请写出具体文件的地址，"
        "或先把所需的分区下载到本地（或对象存储）再按上面的通配符查询。</p>\n"
    )
    if archive is not None:
        out.append(
            f"<p>本站的分区数据集打包为一个文件 {md_link(archive.name, archive.link_from(QUERY))}"
            f"（{text(format_size(archive.size))}，SHA-256 "
            f'<code class="sha256">{archive.sha256}</code>），解压后得到上述 '
            "<code>portal.parquet/</code> 目录。</p>\n"
        )
    return "\n".join(part for part in out if part)


def releases_page() -> str:
    """版本说明: every release, newest first, with its notes and known issues."""
    out = [front_matter("版本说明", "开放预算门户各数据版本的更新说明和已知问题")]
    out.append("# 版本说明\n")
    out.append(
        "<p>每个数据版本有版本号和日期，写在每个数据包（<code>version</code>、"
        "<code>created</code>）、说明文件、建议引用和页脚中。引用数据时请注明版本号。</p>\n"
    )
    for release in load_releases(releases_file()):
        out.append(f"## {text(release.version)}（{text(release.date)}）\n")
        if release.notes:
            out.append("**更新**\n\n" + "\n".join(f"- {text(n)}" for n in release.notes) + "\n")
        if release.known_issues:
            out.append(
                "**已知问题**\n\n" + "\n".join(f"- {text(n)}" for n in release.known_issues) + "\n"
            )
    return "\n".join(out)
