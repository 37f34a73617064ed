"""A build with a data host (``DATA_URL``): the bulk downloads leave the site for the data
folder beside it, every page links them at the data host with the size and SHA-256 of the
file there, and the offline preview serves both so every link resolves to local bytes.

The bundled disclosures (both publishers) are built once with ``DATA_URL`` set to a free
loopback port, which the preview (``builder.pipeline.preview``) then serves. Expected
checksums are computed here from the files, never taken from the code under test.
"""

from __future__ import annotations

import atexit
import hashlib
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import duckdb
import pytest

from benchmarks.sizes import measure
from builder import identities
from builder.errors import DisclosureError
from builder.pages.hosting import Hosting, data_url_setting
from builder.pipeline.preview import serving
from tests.conftest import BUNDLED, ROOT, copy_seeds, html_files, html_text

BULK_SUFFIXES = (".zip", ".sqlite", ".parquet", ".xlsx")
SHA256 = re.compile(r'class="sha256">([0-9a-f]{64})<')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


DATA_PORT = free_port()
DATA_URL = f"http://127.0.0.1:{DATA_PORT}/data-2026.12.01/"


def build(
    sources: Path,
    output: Path,
    data_url: str | None,
    scope: str | None = None,
    program: tuple[str, ...] = ("-m", "builder"),
) -> str:
    """Build ``sources`` with ``DATA_URL`` and ``DATA_HOST_SCOPE`` as given (unset if None),
    running ``python <program> build ...``; what it printed."""
    settings = {"DATA_URL": data_url, "DATA_HOST_SCOPE": scope}
    env = {k: v for k, v in os.environ.items() if k not in settings}
    env |= {k: v for k, v in settings.items() if v is not None}
    result = subprocess.run(
        [sys.executable, *program, "build", "--sources", sources, "--output", output],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@cache
def built() -> Path:
    """The bundled disclosures built once with the data host set."""
    root = Path(tempfile.mkdtemp(prefix="obp-datahost-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    build(copy_seeds(root / "sources", BUNDLED), root / "out", DATA_URL)
    return root / "out"


def site() -> Path:
    return built() / "site"


def data() -> Path:
    return built() / "site-data"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pages() -> list[Path]:
    return html_files(site())  # the parts files too


def hrefs(page: Path) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', html_text(page))]


def test_no_bulk_file_is_in_the_site() -> None:
    files = [p.relative_to(site()).as_posix() for p in site().rglob("*") if p.is_file()]
    assert not [f for f in files if f.endswith(BULK_SUFFIXES)]
    downloads = [f for f in files if f.startswith("downloads/")]
    assert downloads, "each table's CSV stays beside its page"
    assert all(f.endswith(".csv") and "/csv/" in f for f in downloads), downloads
    assert not [f for f in files if f.startswith("downloads/portal/")]


def test_the_data_folder_is_flat_and_holds_the_bulk_files() -> None:
    names = sorted(p.name for p in data().iterdir())
    assert all(p.is_file() for p in data().iterdir())
    ids = sorted(path.stem for path in BUNDLED)
    expected = {f"{i}.zip" for i in ids} | {"portal.zip", "portal.2023.zip", "portal.2024.zip"}
    expected |= {"portal.sqlite", "portal.parquet.zip", "portal.datapackage.json", "SHA256SUMS"}
    assert expected <= set(names)
    assert "portal.csv.three_public_costs.csv" in names
    assert [n for n in names if n.startswith(tuple(ids))] == sorted(f"{i}.zip" for i in ids)


def test_sha256sums_lists_every_file_of_the_data_folder() -> None:
    listed = {}
    for line in (data() / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.name for p in data().iterdir()} - {"SHA256SUMS"}
    assert set(listed) == files
    assert all(sha256(data() / name) == digest for name, digest in listed.items())


def test_every_download_link_points_at_the_data_host_or_a_file_of_the_site() -> None:
    hosted = 0
    for page in pages():
        for href in hrefs(page):
            if href.startswith(DATA_URL):
                assert (data() / href[len(DATA_URL) :]).is_file(), (page, href)
                hosted += 1
            elif not href.startswith(("http:", "https:", "#", "mailto:")):
                base = page.parent  # a page's parts (parts.html) are in its folder too
                target = (base / href.split("#")[0]).resolve()
                assert not href.endswith(BULK_SUFFIXES), (page, href)
                if "/downloads/" in target.as_posix():
                    assert target.is_file(), (page, href)
    assert hosted > len(BUNDLED) * 2


def shown_bytes(block: str) -> tuple[float, float] | None:
    """The size a row (or a list item: ``（46.1 KB，SHA-256 …）``) shows (``136.1 KB``), as
    the range of byte counts it rounds."""
    found = re.search(r"([0-9]+(?:\.[0-9])?) (B|KB|MB|GB)[<，]", block)
    if found is None:
        return None
    scale = 1024 ** ["B", "KB", "MB", "GB"].index(found.group(2))
    half = 0.5 if found.group(2) == "B" else 0.05
    value = float(found.group(1))
    return (value - half) * scale, (value + half) * scale


def test_every_hosted_file_shows_the_sha256_and_size_of_the_file_there() -> None:
    """Each table row (and paragraph) that links a hosted file shows its checksum and size."""
    checked = set()
    for page in pages():
        text = html_text(page)
        for block in re.findall(r"<tr>.*?</tr>|<p>.*?</p>", text, flags=re.S):
            links = [h for h in re.findall(r'href="([^"]+)"', block) if h.startswith(DATA_URL)]
            shown = SHA256.findall(block)
            if len(links) == 1 and shown:
                file = data() / links[0][len(DATA_URL) :]
                assert shown == [sha256(file)], (page, file.name)
                size = shown_bytes(block)
                assert size is not None, (page, file.name)
                assert size[0] <= file.stat().st_size <= size[1], (page, file.name)
                checked.add(file.name)
    ids = sorted(path.stem for path in BUNDLED)
    assert {f"{i}.zip" for i in ids} | {"portal.sqlite", "portal.parquet.zip"} <= checked


def test_data_json_names_the_hosted_files_at_the_data_host() -> None:
    catalogue = json.loads((site() / "data.json").read_text(encoding="utf-8"))
    urls = [d["downloadURL"] for s in catalogue["dataset"] for d in s["distribution"]]
    hosted = [u for u in urls if u.startswith(DATA_URL)]
    assert {u[len(DATA_URL) :] for u in hosted} <= {p.name for p in data().iterdir()}
    assert not [u for u in urls if u.endswith(BULK_SUFFIXES) and u not in hosted]


def test_a_disclosure_zip_holds_what_the_site_leaves_out() -> None:
    disclosure = BUNDLED[0].stem
    with zipfile.ZipFile(data() / f"{disclosure}.zip") as archive:
        names = set(archive.namelist())
    assert f"{disclosure}/datapackage.json" in names
    assert f"{disclosure}/parquet/three_public_costs.parquet" in names
    assert f"{disclosure}/csv/three_public_costs.csv" in names
    on_site = site() / "downloads" / disclosure / "csv" / "three_public_costs.csv"
    with zipfile.ZipFile(data() / f"{disclosure}.zip") as archive:
        assert archive.read(f"{disclosure}/csv/three_public_costs.csv") == on_site.read_bytes()


def test_the_partitioned_parquet_archive_unzips_into_the_dataset(tmp_path: Path) -> None:
    with zipfile.ZipFile(data() / "portal.parquet.zip") as archive:
        archive.extractall(tmp_path)
    root = tmp_path / "portal.parquet" / "three_public_costs"
    glob = (root / "*" / "*.parquet").as_posix()
    count = duckdb.sql(f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning = true)")
    with zipfile.ZipFile(data() / "portal.zip") as archive:
        csv_rows = archive.read("portal/csv/three_public_costs.csv").decode("utf-8-sig")
    row = count.fetchone()
    assert row is not None
    assert row[0] == len(csv_rows.strip().splitlines()) - 1 > 0


@pytest.fixture(scope="module")
def preview() -> Iterator[str]:
    with serving(site(), data(), (0, DATA_PORT)) as addresses:
        yield addresses[0]


def test_the_preview_resolves_every_link_of_the_download_page_locally(preview: str) -> None:
    with urllib.request.urlopen(preview + "data/", timeout=30) as response:
        page = response.read().decode("utf-8")
    fetched = 0
    for block in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
        link = re.search(rf'href="({re.escape(DATA_URL)}[^"]+)"', block)
        shown = SHA256.search(block)
        if link and shown:
            with urllib.request.urlopen(html.unescape(link.group(1)), timeout=30) as response:
                assert hashlib.sha256(response.read()).hexdigest() == shown.group(1)
            fetched += 1
    assert fetched >= len(BUNDLED) + 3


def test_without_the_setting_the_data_folder_goes_and_the_site_holds_the_downloads(
    tmp_path: Path,
) -> None:
    output = tmp_path / "out"
    shutil.copytree(built(), output, symlinks=True)
    build(copy_seeds(tmp_path / "sources", BUNDLED), output, None)
    assert not (output / "site-data").exists()
    downloads = output / "site" / "downloads"
    assert (downloads / "portal.zip").is_file()
    assert (downloads / "portal.sqlite").is_file()
    assert (downloads / BUNDLED[0].stem / "datapackage.json").is_file()
    assert list((downloads / "portal.parquet").rglob("part-0.parquet"))
    assert not list((output / "site-docs" / ".data").rglob("*"))
    page = (output / "site" / "data" / "index.html").read_text(encoding="utf-8")
    assert DATA_URL not in page


# --------------------------------------------------------------------------- small parts


@pytest.mark.parametrize(
    ("docs_path", "name"),
    [
        ("downloads/portal.zip", "portal.zip"),
        ("downloads/portal.2024.zip", "portal.2024.zip"),
        ("downloads/sx-invest-2025-final.zip", "sx-invest-2025-final.zip"),
        ("downloads/portal/csv/units.csv", "portal.csv.units.csv"),
        ("downloads/portal.parquet.zip", "portal.parquet.zip"),
        ("data.json", "data.json"),  # the DCAT catalogue (DATA_HOST_SCOPE=all)
    ],
)
def test_a_download_has_one_flat_name_on_the_data_host(docs_path: str, name: str) -> None:
    assert identities.data_file(docs_path) == name
    assert (
        identities.data_address("https://h.example/d/", docs_path) == f"https://h.example/d/{name}"
    )


def test_only_downloads_have_a_name_on_the_data_host() -> None:
    with pytest.raises(ValueError, match="only files under downloads/"):
        identities.data_file("disclosures/x.md")


def test_without_a_data_host_every_file_stays_beside_the_pages() -> None:
    beside = Hosting()
    for path in ("downloads/portal.zip", "downloads/x/parquet/t.parquet", "downloads/x/x.xlsx"):
        assert beside.written(path) == path
        assert beside.address(path) == ""
        assert beside.published(path)


def test_with_a_data_host_bulk_goes_there_and_package_parts_stay_in_the_zip() -> None:
    hosting = Hosting("https://h.example/d/")
    assert hosting.address("downloads/x.zip") == "https://h.example/d/x.zip"
    assert hosting.written("downloads/x.zip") == ".data/x.zip"
    assert hosting.written("downloads/portal/csv/units.csv") == ".data/portal.csv.units.csv"
    assert hosting.written("downloads/x/csv/t.csv") == "downloads/x/csv/t.csv"
    assert hosting.published("downloads/x/csv/t.csv")
    for inside in ("parquet/t.parquet", "x.xlsx", "datapackage.json", "README.txt"):
        assert not hosting.published(f"downloads/x/{inside}"), inside
    assert hosting.published("downloads/portal/parquet/units.parquet")


@pytest.mark.parametrize("value", ["ftp://h.example/d/", "releases/data", "https://"])
def test_a_data_url_that_is_no_web_address_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DATA_URL", value)
    with pytest.raises(DisclosureError, match="DATA_URL: the data host setting"):
        data_url_setting()


def test_the_data_url_setting_is_a_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATA_URL", "https://h.example/d")
    assert data_url_setting() == "https://h.example/d/"
    monkeypatch.delenv("DATA_URL")
    assert data_url_setting() == ""


def test_the_size_benchmark_counts_the_bulk_in_the_data_folder_not_the_site() -> None:
    site_sizes, _ = measure(site())
    data_sizes, data_counts = measure(data(), flat=True)
    assert not [part for part in site_sizes if "zip" in part or "sqlite" in part]
    assert data_counts["disclosure zips"] == len(BUNDLED)
    assert data_sizes["portal.sqlite"] == (data() / "portal.sqlite").stat().st_size


# Runs the builder with an audit hook that lists every module first imported by a thread
# other than the main one, and prints them before exiting with the builder's code.
THREAD_IMPORTS = """
import runpy, sys, threading
seen = []
def hook(event, args):
    if event == "import" and threading.current_thread() is not threading.main_thread():
        if args[0] not in sys.modules:
            seen.append(args[0])
sys.addaudithook(hook)
sys.argv = ["builder", *sys.argv[1:]]
try:
    runpy.run_module("builder", run_name="__main__")
finally:
    print("thread imports:", sorted(set(seen)))
"""


def test_the_portal_downloads_thread_imports_nothing_the_main_thread_may_import_too(
    tmp_path: Path,
) -> None:
    """Two threads importing pandas at once saw it half-initialised (CI failed on it): the
    rebuild that moves the downloads back to the site, whose thread reads Parquet, imports
    every module in the main thread first."""
    output = tmp_path / "out"
    shutil.copytree(built(), output, symlinks=True)
    sources = copy_seeds(tmp_path / "sources", BUNDLED)
    printed = build(sources, output, None, program=("-c", THREAD_IMPORTS))
    assert "thread imports: []" in printed.splitlines(), printed
    assert (output / "site" / "downloads" / "portal.sqlite").is_file()  # the thread ran
