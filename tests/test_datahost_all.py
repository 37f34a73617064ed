"""A build with the data host scope ``all`` (``DATA_HOST_SCOPE=all``, beside ``DATA_URL``):
the source texts and each table's CSV leave the site for the data folder too, and every link,
size and SHA-256 on the pages, the offline preview and a rebuild back to ``bulk`` stay right.

The bundled disclosures are built once with both settings; expected checksums come from the
files (and the sources in ``datasets/sources``), never from the code under test.
"""

from __future__ import annotations

import atexit
import hashlib
import html
import json
import re
import shutil
import tempfile
import urllib.request
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from benchmarks.sizes import measure
from builder.errors import DisclosureError
from builder.pages.hosting import Hosting, hosting_setting
from builder.pipeline.preview import serving
from tests.conftest import BUNDLED, ROOT, copy_seeds, html_files, html_text
from tests.test_datahost import SHA256, build, free_port, shown_bytes

DATA_PORT = free_port()
DATA_URL = f"http://127.0.0.1:{DATA_PORT}/data/"
IDS = sorted(path.stem for path in BUNDLED)


@cache
def built() -> Path:
    root = Path(tempfile.mkdtemp(prefix="obp-datahost-all-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    build(copy_seeds(root / "sources", BUNDLED), root / "out", DATA_URL, "all")
    return root / "out"


def site() -> Path:
    return built() / "site"


def data() -> Path:
    return built() / "site-data"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_no_source_text_or_table_csv_is_left_in_the_site() -> None:
    files = [p.relative_to(site()).as_posix() for p in site().rglob("*") if p.is_file()]
    assert not [f for f in files if f.startswith(("downloads/", "sources/"))]
    assert [f for f in files if f.startswith("assets/charts/") and f.endswith(".csv")], (
        "the data behind each chart stays beside it"
    )


def test_the_data_folder_holds_each_source_text_and_table_csv_as_published() -> None:
    names = {p.name for p in data().iterdir()}
    for disclosure_id in IDS:
        text = data() / f"sources.{disclosure_id}.txt"
        assert (
            text.read_bytes()
            == (ROOT / "datasets" / "sources" / f"{disclosure_id}.txt").read_bytes()
        )
        with zipfile.ZipFile(data() / f"{disclosure_id}.zip") as archive:
            in_zip = [n for n in archive.namelist() if n.startswith(f"{disclosure_id}/csv/")]
            assert in_zip
            for member in in_zip:
                flat = member.replace("/", ".")
                assert flat in names, flat
                assert (data() / flat).read_bytes() == archive.read(member)
    listed = dict(
        reversed(line.split("  ", 1))
        for line in (data() / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    )
    assert set(listed) == names - {"SHA256SUMS"}
    assert all(sha256(data() / name) == digest for name, digest in listed.items())


def pages() -> list[Path]:
    return html_files(site())  # the parts files too


def test_every_link_to_a_source_text_or_csv_points_at_a_file_of_the_data_host() -> None:
    hosted = set()
    for page in pages():
        for href in map(html.unescape, re.findall(r'href="([^"]+)"', html_text(page))):
            if href.startswith(DATA_URL):
                assert (data() / href[len(DATA_URL) :]).is_file(), (page, href)
                hosted.add(href[len(DATA_URL) :])
            elif not href.startswith(("http:", "https:", "#", "mailto:")):
                path = href.split("#")[0]
                assert "downloads/" not in path, (page, href)
                assert not re.search(r"sources/[^/]+\.txt$", path), (page, href)
    assert {f"sources.{i}.txt" for i in IDS} <= hosted
    assert f"{IDS[0]}.csv.three_public_costs.csv" in hosted


def test_each_source_text_and_csv_row_shows_the_sha256_and_size_of_the_file_there() -> None:
    checked = set()
    for page in html_files(site() / "disclosures"):
        text = html_text(page)
        for block in re.findall(r"<tr>.*?</tr>", text, flags=re.S):
            links = [h for h in re.findall(r'href="([^"]+)"', block) if h.startswith(DATA_URL)]
            shown = SHA256.findall(block)
            if len(links) == 1 and shown:
                file = data() / links[0][len(DATA_URL) :]
                assert shown == [sha256(file)], (page, file.name)
                size = shown_bytes(block)
                assert size is not None
                assert size[0] <= file.stat().st_size <= size[1], (page, file.name)
                checked.add(file.name)
    assert {f"sources.{i}.txt" for i in IDS} <= checked
    assert len([n for n in checked if ".csv." in n]) > len(IDS) * 5


@pytest.fixture(scope="module")
def preview() -> Iterator[str]:
    with serving(site(), data(), (0, DATA_PORT)) as addresses:
        yield addresses[0]


def test_the_preview_serves_the_source_text_a_page_links(preview: str) -> None:
    with urllib.request.urlopen(f"{preview}disclosures/{IDS[0]}/", timeout=30) as response:
        page = response.read().decode("utf-8")
    link = f"{DATA_URL}sources.{IDS[0]}.txt"
    assert f'href="{link}"' in page
    with urllib.request.urlopen(link, timeout=30) as response:
        served = response.read()
    assert served == (ROOT / "datasets" / "sources" / f"{IDS[0]}.txt").read_bytes()


def test_data_json_is_on_the_data_host_linked_with_its_sha256_and_served_by_the_preview(
    preview: str,
) -> None:
    assert not (site() / "data.json").exists()
    hosted = data() / "data.json"
    catalogue = json.loads(hosted.read_text(encoding="utf-8"))
    assert len(catalogue["dataset"]) == len(IDS) + 1  # and the portal-wide package
    with urllib.request.urlopen(f"{preview}data/", timeout=30) as response:
        page = response.read().decode("utf-8")
    item = re.search(rf'<li><a href="{re.escape(DATA_URL)}data\.json">.*?</li>', page, re.S)
    assert item, "the download page links data.json at the data host"
    assert SHA256.findall(item.group(0)) == [sha256(hosted)]
    size = shown_bytes(item.group(0))
    assert size is not None
    assert size[0] <= hosted.stat().st_size <= size[1]
    with urllib.request.urlopen(f"{DATA_URL}data.json", timeout=30) as response:
        assert response.read() == hosted.read_bytes()


def test_back_to_bulk_the_texts_and_csvs_return_to_the_site(tmp_path: Path) -> None:
    output = tmp_path / "out"
    shutil.copytree(built(), output, symlinks=True)
    build(copy_seeds(tmp_path / "sources", BUNDLED), output, DATA_URL, "bulk")
    assert (output / "site" / "sources" / f"{IDS[0]}.txt").is_file()
    assert (output / "site" / "downloads" / IDS[0] / "csv" / "three_public_costs.csv").is_file()
    names = {p.name for p in (output / "site-data").iterdir()}
    assert not [n for n in names if n.startswith(("sources.", *(f"{i}.csv." for i in IDS)))]
    page = (output / "site" / "disclosures" / IDS[0] / "index.html").read_text(encoding="utf-8")
    assert f"{DATA_URL}sources." not in page
    assert (output / "site" / "data.json").is_file()
    assert not (output / "site-data" / "data.json").exists()
    assert f"{DATA_URL}{IDS[0]}.zip" in page


# --------------------------------------------------------------------------- small parts


def test_the_scope_all_moves_source_texts_and_table_csvs_too() -> None:
    hosting = Hosting("https://h.example/d/", "all")
    assert hosting.written("sources/x.txt") == ".data/sources.x.txt"
    assert hosting.address("sources/x.txt") == "https://h.example/d/sources.x.txt"
    assert hosting.written("downloads/x/csv/t.csv") == ".data/x.csv.t.csv"
    assert hosting.written("downloads/x.zip") == ".data/x.zip"
    assert not hosting.published("downloads/x/parquet/t.parquet")  # still in the zip only
    bulk = Hosting("https://h.example/d/")
    assert bulk.written("sources/x.txt") == "sources/x.txt"
    assert bulk.written("downloads/x/csv/t.csv") == "downloads/x/csv/t.csv"
    assert Hosting(scope="all").written("sources/x.txt") == "sources/x.txt"  # no data host


def test_the_scope_changes_the_pages_key_only_when_it_moves_something() -> None:
    assert Hosting().key == Hosting(scope="all").key == ()
    assert Hosting("https://h.example/d/").key == ("https://h.example/d/",)
    assert Hosting("https://h.example/d/", "all").key == ("https://h.example/d/", "all")


def test_the_scope_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATA_URL", "https://h.example/d")
    monkeypatch.delenv("DATA_HOST_SCOPE", raising=False)
    assert hosting_setting() == Hosting("https://h.example/d/", "bulk")
    monkeypatch.setenv("DATA_HOST_SCOPE", "all")
    assert hosting_setting() == Hosting("https://h.example/d/", "all")
    monkeypatch.setenv("DATA_HOST_SCOPE", "everything")
    with pytest.raises(DisclosureError, match="DATA_HOST_SCOPE: the data host scope"):
        hosting_setting()


def test_the_size_benchmark_names_the_texts_and_csvs_of_the_data_folder() -> None:
    _, counts = measure(data(), flat=True)
    csvs = [p for p in data().iterdir() if p.name.startswith(tuple(f"{i}.csv." for i in IDS))]
    assert counts["source texts"] == len(IDS)
    assert counts["disclosure table CSVs"] == len(csvs) > 0
