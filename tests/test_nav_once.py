"""The theme's navigation drawer rendered once per distinct set of links
(``builder.pages.site_hooks.on_env``): every page's HTML is what the theme writes without it,
whatever the order the pages are rendered in."""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.commands.build import get_context
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files, get_files
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import Page

from builder.pages.site_hooks import NAV_TEMPLATE, nav_key, on_env
from tests.conftest import ROOT

PAGES = {
    "index.md": "# 首页\n",
    "units/index.md": "# 单位\n",
    "units/unit-a.md": "# 甲\n\n## 历年\n",
    "units/unit-b.md": "# 乙\n",
    "disclosures/index.md": "# 公开文件\n",
    "disclosures/x.md": "# 某某 2024年度单位决算\n",
    "disclosures/y.md": "# 某某 2025年度单位预算\n",
    "methodology.md": "# 方法说明\n",
}


def _site(tmp_path: Path) -> tuple[MkDocsConfig, Files, Navigation, dict[str, Page]]:
    """A small site of :data:`PAGES` with the portal's config, its pages read and rendered."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    docs = tmp_path / "docs"
    for name, text in PAGES.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {docs}\nsite_dir: {tmp_path / 'site'}\n"
        "nav:\n  - 首页: index.md\n  - 单位: units/index.md\n"
        "  - 公开文件: disclosures/index.md\n  - 方法说明: methodology.md\n",
        encoding="utf-8",
    )
    config = load_config(str(config_file))
    files = get_files(config)
    nav = get_navigation(files, config)
    pages: dict[str, Page] = {}
    for file in files.documentation_pages():
        assert file.page is not None
        pages[file.src_uri] = file.page
        file.page.read_source(config)
        file.page.render(config, files)
    return config, files, nav, pages


def _pages_html(tmp_path: Path, *, once: bool, order: list[str]) -> dict[str, str]:
    config, files, nav, pages = _site(tmp_path)
    env = config.theme.get_env()
    if once:
        env = on_env(env, config=config, files=files)
    html: dict[str, str] = {}
    for name in order:
        page = pages[name]
        page.active = True
        context = get_context(nav, files, config, page)
        html[name] = env.get_template("main.html").render(context)
        page.active = False
    return html


def test_every_page_has_the_navigation_the_theme_writes(tmp_path: Path) -> None:
    names = sorted(PAGES)
    expected = _pages_html(tmp_path / "plain", once=False, order=names)
    assert _pages_html(tmp_path / "once", once=True, order=names) == expected
    backwards = _pages_html(tmp_path / "backwards", once=True, order=names[::-1])
    assert backwards == expected
    assert 'class="md-nav__link md-nav__link--active"' in expected["methodology.md"]
    assert 'href="../../units/"' in expected["disclosures/x.md"]  # relative to the page
    assert 'href="../"' in expected["units/unit-a.md"]


def test_pages_outside_the_navigation_share_a_key_by_their_links(tmp_path: Path) -> None:
    config, files, nav, pages = _site(tmp_path)
    env = config.theme.get_env()
    template = env.get_template(NAV_TEMPLATE)

    def key(name: str) -> tuple[object, ...] | None:
        pages[name].active = True
        context = template.new_context(get_context(nav, files, config, pages[name]))
        pages[name].active = False
        return nav_key(context)

    assert key("index.md") is None  # in the navigation: its item is active
    assert key("methodology.md") is None
    assert key("disclosures/x.md") == key("disclosures/y.md") is not None
    assert key("units/unit-a.md") == key("units/unit-b.md") != key("disclosures/x.md")
