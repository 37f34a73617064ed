"""Python-Markdown's inline processor that passes over plain text
(``builder.pages.site_hooks.PlainTextInline``): the site's Markdown, configured as
``mkdocs.yml`` says, writes the same HTML with it as without it."""

from __future__ import annotations

import os

import markdown
import pytest
from mkdocs.config import load_config

from builder.pages.site_hooks import PlainTextExtension, PlainTextInline
from tests.conftest import CASES, ROOT, SEED_IDS

MARKUP = """# 标题 *强调* 与 `代码`

| 项目 | 金额（万元） |
| --- | ---: |
| [单位](../units/unit-1.md) | 1,234.56 |
| a_b\\_c &amp; &#40;1&#41; | <span>12</span> |

- 第一项<BR>
  换行 __粗体__ ![图](x.png) <https://example.org> <a@b.cn>
- 纯文本：一般公共预算财政拨款支出

<div markdown>
正文 [链接][ref] 与 [ref]

[ref]: https://example.org
</div>
""".replace("<BR>", "  ")  # two spaces: a line break


def _convert(text: str, *, plain: bool) -> str:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config = load_config(str(ROOT / "mkdocs.yml"))
    names = [name for name in config["markdown_extensions"] if isinstance(name, str)]
    extensions: list[object] = [*names, PlainTextExtension()] if plain else names
    md = markdown.Markdown(extensions=extensions, extension_configs=config["mdx_configs"])
    assert isinstance(md.treeprocessors["inline"], PlainTextInline) == plain
    return md.convert(text)


@pytest.mark.parametrize("seed", SEED_IDS)
def test_a_golden_disclosure_page_renders_the_same(seed: str) -> None:
    page = (CASES / seed / "expected" / "pages" / "disclosure.md").read_text(encoding="utf-8")
    text = page.split("---\n", 2)[2]
    assert _convert(text, plain=True) == _convert(text, plain=False)


def test_every_inline_pattern_still_applies() -> None:
    html = _convert(MARKUP, plain=True)
    assert html == _convert(MARKUP, plain=False)
    for written in ("<em>", "<code>", "<strong>", "<br />", "<img", 'href="https://example.org"'):
        assert written in html, written


def test_an_unknown_inline_pattern_leaves_markdown_as_it_is() -> None:
    md = markdown.Markdown(extensions=["markdown.extensions.footnotes", PlainTextExtension()])
    assert not isinstance(md.treeprocessors["inline"], PlainTextInline)
