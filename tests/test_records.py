"""Provenance records that are hostile or wrong are refused with the file named, cheaply.

A record is a few lines of YAML (``builder.sources.provenance``): anchors and aliases (a
"billion laughs" expands nine lines to gigabytes) and records over the size cap are refused
before anything is built from them.
"""

from __future__ import annotations

import shutil
import tracemalloc
from pathlib import Path

import pytest

from builder.errors import DisclosureError
from builder.pipeline import build
from builder.sources.provenance import is_safe_id, read_record
from tests.conftest import SOURCES, run_builder

GOOD = "000_127416229ccdc025"
OTHER = "001_417cec5d1b5bc998"
BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""
PEAK_BYTES = 2**20  # reading a record needs kilobytes; the bomb would need gigabytes


def record_beside_text(folder: Path, body: str) -> Path:
    text = folder / f"{GOOD}.txt"
    shutil.copy(SOURCES / f"{GOOD}.txt", text)
    (folder / f"{GOOD}.meta.yaml").write_text(body, encoding="utf-8")
    return text


def test_the_billion_laughs_is_refused_with_little_memory(tmp_path: Path) -> None:
    text = record_beside_text(tmp_path, BILLION_LAUGHS)
    tracemalloc.start()
    try:
        with pytest.raises(DisclosureError) as caught:
            read_record(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.path == tmp_path / f"{GOOD}.meta.yaml"
    assert caught.value.line == 1
    assert "anchors and aliases (& and *) are not allowed" in caught.value.message
    assert peak < PEAK_BYTES


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("licence: &terms CC-BY\n", 1),
        ("published: 2025-03-01\nlicence: *terms\n", 2),
    ],
)
def test_an_anchor_or_an_alias_alone_is_refused(tmp_path: Path, body: str, line: int) -> None:
    text = record_beside_text(tmp_path, body)
    with pytest.raises(DisclosureError, match="anchors and aliases") as caught:
        read_record(text)
    assert caught.value.line == line


def test_an_oversized_record_is_refused_without_parsing_it(tmp_path: Path) -> None:
    text = record_beside_text(tmp_path, "# a comment line of a record\n" * 4000)
    with pytest.raises(DisclosureError) as caught:
        read_record(text)
    assert caught.value.path == tmp_path / f"{GOOD}.meta.yaml"
    assert caught.value.message == "the provenance record is over 64 KB (a record is a few lines)"


def test_a_build_skips_the_disclosure_of_a_bomb_and_builds_the_others(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    record_beside_text(sources, BILLION_LAUGHS)
    shutil.copy(SOURCES / f"{OTHER}.txt", sources)
    result = build(sources, tmp_path / "packages", None)
    assert result.disclosures == 1
    assert [(item.file, item.line) for item in result.skipped] == [(f"{GOOD}.meta.yaml", 1)]
    assert (tmp_path / "packages" / OTHER / "datapackage.json").is_file()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("published: 2025-13-45", "published '2025-13-45' is not a date such as 2025-03-01"),
        ("published: 2025-02-30", "published '2025-02-30' is not a date such as 2025-03-01"),
        ("published: !!timestamp 2025-02-30", "published '2025-02-30' is not a date such as"),
        ("year: 2025-13-45", "year '2025-13-45' is not a year such as 2024"),
    ],
)
def test_an_invalid_unquoted_date_skips_its_disclosure_only(
    tmp_path: Path, line: str, message: str
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    record_beside_text(sources, f"{line}\n")
    shutil.copy(SOURCES / f"{OTHER}.txt", sources)
    result = build(sources, tmp_path / "packages", None)
    assert result.disclosures == 1
    assert [item.file for item in result.skipped] == [f"{GOOD}.meta.yaml"]
    assert result.skipped[0].message.startswith(message)
    assert (tmp_path / "packages" / OTHER / "datapackage.json").is_file()


def test_the_cli_names_the_record_of_an_invalid_date_and_exits_3(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    record_beside_text(sources, "published: 2025-13-45\n")
    shutil.copy(SOURCES / f"{OTHER}.txt", sources)
    result = run_builder("build", "--no-site", "--sources", sources, "--output", tmp_path / "out")
    assert result.returncode == 3, result.stderr
    assert (
        f"  {GOOD}.meta.yaml: published '2025-13-45' is not a date such as 2025-03-01"
        in result.stdout
    )
    assert (tmp_path / "out" / "packages" / OTHER / "datapackage.json").is_file()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "published: 2025-01-01 10:00:00",
            "published '2025-01-01 10:00:00' is not a date such as 2025-03-01 (YYYY-MM-DD)",
        ),
        (
            "published: 2025W011",
            "published '2025W011' is not a date such as 2025-03-01 (YYYY-MM-DD)",
        ),
        (
            "published: 20250101",
            "published '20250101' is not a date such as 2025-03-01 (YYYY-MM-DD)",
        ),
        ('source_url: "http://"', "source_url 'http://' is not a web address: it names no host"),
        (
            'source_url: "https://example.org/a\\nb"',
            "source_url 'https://example.org/a\\nb' is not a web address: it holds '\\n'",
        ),
        (
            'source_url: "https://example.org/<script>"',
            "source_url 'https://example.org/<script>' is not a web address: it holds < >",
        ),
        (
            'source_url: https://example.org/"onmouseover',
            "source_url 'https://example.org/\"onmouseover' is not a web address: it holds \"",
        ),
        (
            "source_url: javascript:alert(1)",
            "source_url 'javascript:alert(1)' is not a web address (http:// or https://)",
        ),
    ],
)
def test_a_loose_date_or_address_in_a_record_is_refused(
    tmp_path: Path, line: str, message: str
) -> None:
    text = record_beside_text(tmp_path, f"{line}\n")
    with pytest.raises(DisclosureError) as caught:
        read_record(text)
    assert caught.value.path == tmp_path / f"{GOOD}.meta.yaml"
    assert caught.value.message == message


def test_a_plain_date_and_address_are_kept(tmp_path: Path) -> None:
    address = "https://www.example.gov.cn/zwgk/2025-03/01/content_1.htm?id=7&page=(2)"
    text = record_beside_text(tmp_path, f"published: 2025-03-01\nsource_url: {address}\n")
    assert read_record(text) == {"published": "2025-03-01", "source_url": address}


@pytest.mark.parametrize("name", ["con", "prn", "aux", "nul", "com1", "com9", "lpt1", "lpt9"])
def test_device_names_windows_reserves_are_not_ids(name: str) -> None:
    assert not is_safe_id(name)


def test_a_source_named_like_a_windows_device_is_skipped(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SOURCES / f"{GOOD}.txt", sources / "con.txt")
    shutil.copy(SOURCES / f"{OTHER}.txt", sources)
    result = build(sources, tmp_path / "packages", None)
    assert result.disclosures == 1
    assert [item.file for item in result.skipped] == ["con.txt"]
    assert result.skipped[0].message.startswith("'con' cannot be a disclosure id: ids are")
    assert "con, prn, aux, nul, com1-9, lpt1-9" in result.skipped[0].message


@pytest.mark.parametrize("name", ["portal", "index", "quality"])
def test_names_the_site_uses_beside_the_disclosures_are_not_ids(name: str) -> None:
    assert not is_safe_id(name)  # downloads/portal/, disclosures/index.md, downloads/quality/
