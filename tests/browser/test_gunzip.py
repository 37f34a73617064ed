"""``gunzip.js`` in Chromium: what Python's gzip writes, decoded byte for byte.

The parts of a page and the chart values are stored gzipped (``builder.pages.parts``,
``builder.charts.files``) and decoded by ``site_src/assets/javascripts/gunzip.js``. zlib
writes stored blocks at level 0, fixed Huffman blocks for short inputs and dynamic ones
otherwise; each is decoded here, and damaged data fails instead of decoding to something.
"""

from __future__ import annotations

import gzip
import io
import random

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

TEXT = "".join(
    f"<tr><td>{i}</td><td>一般公共服务支出 {i * 7.31:,.2f}</td></tr>\n" for i in range(900)
)
NOISE = random.Random(16).randbytes(70_000)  # incompressible: stored blocks even at level 9
DECODE = "bytes => Array.from(portalGunzip(new Uint8Array(bytes)))"


def _named(data: bytes) -> bytes:
    """gzip with a file name in the header (FNAME), as the gzip command writes it."""
    out = io.BytesIO()
    with gzip.GzipFile(filename="parts.html", mode="wb", fileobj=out, mtime=0) as file:
        file.write(data)
    return out.getvalue()


@pytest.mark.parametrize("level", [0, 1, 6, 9])
@pytest.mark.parametrize(
    "data", [b"", b"a", TEXT.encode("utf-8"), NOISE], ids=["empty", "one", "html", "noise"]
)
def test_gunzip_decodes_what_python_writes(
    page: Page, base_url: str, level: int, data: bytes
) -> None:
    page.goto(base_url)
    packed = gzip.compress(data, level, mtime=0)
    assert bytes(page.evaluate(DECODE, list(packed))) == data


def test_gunzip_reads_a_named_header(page: Page, base_url: str) -> None:
    page.goto(base_url)
    data = TEXT.encode("utf-8")
    assert bytes(page.evaluate(DECODE, list(_named(data)))) == data


def test_gunzip_refuses_damaged_data(page: Page, base_url: str) -> None:
    page.goto(base_url)
    packed = bytearray(gzip.compress(TEXT.encode("utf-8"), 9, mtime=0))
    cut = bytes(packed[: len(packed) // 2])
    packed[len(packed) // 2] ^= 0xFF
    for damaged in (cut, bytes(packed), b"<!doctype html>"):
        error = page.evaluate(
            "bytes => { try { portalGunzip(new Uint8Array(bytes)); return ''; }"
            " catch (e) { return String(e); } }",
            list(damaged),
        )
        assert error.startswith("Error: gunzip: "), error
