"""A disclosure whose *source text* carries script: built, opened in Chromium, inert.

The text goes through the whole pipeline (parse → packages → pages → MkDocs), so this proves
the escaping end to end, not only in the page generator.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from builder.pipeline import build
from tests.browser.conftest import _free_port, _QuietHandler, _Server
from tests.conftest import SOURCES

UNIT = "山西省投资促进局"
HOSTILE_UNIT = '<img src=x onerror="window.__xss=1">山西<script>window.__xss=2</script>局'
HOSTILE_TEXT = '[点我](javascript:window.__xss=3) <a href="javascript:window.__xss=4">链接</a>'
ID = "hostile_source"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("hostile")
    sources = root / "sources"
    sources.mkdir()
    text = (SOURCES / "000_127416229ccdc025.txt").read_text(encoding="utf-8")
    text = text.replace(UNIT, HOSTILE_UNIT).replace(
        "（一）机关运行经费支出情况说明", f"（一）机关运行经费支出情况说明\n\n{HOSTILE_TEXT}"
    )
    (sources / f"{ID}.txt").write_text(text, encoding="utf-8")
    port = _free_port()
    previous = os.environ.get("SITE_URL")
    os.environ["SITE_URL"] = f"http://127.0.0.1:{port}/"
    try:
        result = build(sources, root / "packages", root / "site")
    finally:
        if previous is None:
            del os.environ["SITE_URL"]
        else:
            os.environ["SITE_URL"] = previous
    assert result.disclosures == 1
    assert not result.skipped
    handler = functools.partial(_QuietHandler, directory=str(root / "site"))
    server = _Server(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()
    server.server_close()
    shutil.rmtree(root, ignore_errors=True)


@pytest.mark.browser
def test_script_in_the_source_never_runs(page: Page, hostile_site: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    searches = (f"?q={quote('机关运行经费')}", f"disclosures/{ID}/?h={quote('链接')}")
    for path in ("", f"disclosures/{ID}/", "units/", "quality/", *searches):
        page.goto(hostile_site + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__xss") is None, path
        # The text may appear inside JSON-LD metadata, as a JSON string: data, not code.
        carriers = page.locator("script:not([src])").evaluate_all(
            "nodes => nodes.filter(n => n.textContent.includes('__xss'))"
            ".map(n => { try { JSON.parse(n.textContent); return n.type; }"
            " catch (e) { return 'not json: ' + n.type; } })"
        )
        assert set(carriers) <= {"application/ld+json"}, carriers
        assert page.locator("img[onerror]").count() == 0
        assert page.locator("a[href^='javascript:']").count() == 0
    page.goto(hostile_site + f"disclosures/{ID}/")
    # The reader strips HTML tags as extraction noise and keeps the words, shown as text.
    expect(page.locator("h1").first).to_contain_text("山西window.__xss=2局")
    # The 情况说明 is collapsed: open every block, as a reader would, to see the text.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    expect(page.get_by_text("javascript:window.__xss=3", exact=False).first).to_be_visible()
    assert page.evaluate("window.__xss") is None
    assert errors == []
    assert dialogs == []
