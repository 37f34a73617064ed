"""Finished HTML sealed from Markdown (``builder.pages.site_hooks.seal_html``): Python-Markdown,
configured as the site is (``mkdocs.yml``), writes the same HTML for a page whose HTML blocks
are sealed (and unsealed after it) as for the page itself, on the seeds' golden pages and on
small inline cases."""

from __future__ import annotations

import os
import re

import markdown
import pytest
from mkdocs.config import load_config

from builder.pages.markup import HtmlTable, details
from builder.pages.site_hooks import (
    SEAL_OPEN,
    collapse_whitespace,
    seal_html,
    unseal_html,
    unwrap_raw,
)
from tests.conftest import CASES, ROOT, SEED_IDS


def _convert(text: str) -> str:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config = load_config(str(ROOT / "mkdocs.yml"))
    md = markdown.Markdown(
        extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"]
    )
    return md.convert(text)


def _same_when_sealed(text: str) -> str:
    """The sealed Markdown, after checking it renders to the HTML of ``text``."""
    sealed = seal_html(text)
    assert unseal_html(_convert(sealed)) == _convert(text)
    return sealed


def _tags_outside_seals(text: str) -> int:
    return len(re.findall(r"<[a-z]", re.sub(r"<!--portal-html\n.*?\n-->", "", text, flags=re.S)))


@pytest.mark.parametrize("seed", SEED_IDS)
def test_a_golden_disclosure_page_renders_the_same_sealed(seed: str) -> None:
    page = (CASES / seed / "expected" / "pages" / "disclosure.md").read_text(encoding="utf-8")
    body = page.split("---\n", 2)[2]  # MkDocs gives the hooks the page without front matter
    sealed = _same_when_sealed(body)
    # Most of the page's tags are sealed: Markdown and MkDocs no longer parse them.
    assert _tags_outside_seals(sealed) < _tags_outside_seals(body) / 3


def test_a_hand_written_page_renders_the_same_sealed() -> None:
    _same_when_sealed((ROOT / "site_src" / "methodology.md").read_text(encoding="utf-8"))


def test_a_run_of_blocks_is_one_seal_separated_as_markdown_writes_it() -> None:
    text = "## 标题\n\n<p>一</p>\n<ul>\n<li>二</li>\n</ul>\n\n\n<p>三</p>\n\n正文\n"
    sealed = _same_when_sealed(text)
    assert sealed.count(SEAL_OPEN) == 1
    assert "<!--portal-html\n<p>一</p>\n<ul>\n<li>二</li>\n</ul>\n\n<p>三</p>\n-->" in sealed


def test_a_data_table_inside_a_sealed_block_stays_raw() -> None:
    table = HtmlTable(headers=["名称", "金额（万元）"], numeric={1})
    table.add(["一般公共服务支出 -- 合计", "5,837.92"])
    text = "正文\n\n" + details("资金", table.render()) + "\n正文\n"
    sealed = _same_when_sealed(text)
    assert sealed.count(SEAL_OPEN) == 1
    assert sealed.count("-->") == 1  # the seal's own end: the table's is written otherwise
    html = unseal_html(_convert(sealed))
    assert "<!--portal-raw\n<table" in html  # still left out of search, then published
    assert '<td class="num">5,837.92</td>' in unwrap_raw(html)


@pytest.mark.parametrize(
    "text",
    [
        "<p>一</p>\n正文\n",  # a paragraph follows on the next line
        "正文\n<p>一</p>\n",  # no blank line before
        "<div markdown>\n\n*强调*\n\n</div>\n",  # Markdown inside
        "<p>一</p><p>二</p>\n",  # two elements on one line
        "<div>\n<script>x()</script>\n</div>\n",
        "<div>\n<!-- 注释 -->\n</div>\n",
        "<p>--></p>\n",
        "```\n\n<p>一</p>\n\n```\n",  # in a code fence
        " <p>一</p>\n",  # not at the first column
        "<span>一</span>\n",  # not a block-level element
        "<div>\n<p>一</p>\n",  # not closed
    ],
)
def test_what_markdown_would_read_is_not_sealed(text: str) -> None:
    assert seal_html(text) == text
    _same_when_sealed(text)


def test_an_unclosed_seal_is_an_error() -> None:
    with pytest.raises(ValueError, match="not closed"):
        unseal_html("<!--portal-html\n<p>")


def test_indentation_is_written_as_the_line_break_alone() -> None:
    indented = '<nav>\n    <ul>\n      <li><a href="../">首页</a></li>   \n\n    </ul>\n  </nav>\n'
    assert (
        collapse_whitespace(indented)
        == '<nav>\n<ul>\n<li><a href="../">首页</a></li>\n</ul>\n</nav>\n'
    )


@pytest.mark.parametrize(
    "text",
    ["", "a  ", "a \t\n\t b", "a\r \n \u3000\n\u3000x  ", " \n \n ", "x\u3000 \n y\xa0", "a \n"],
)
def test_each_run_with_a_line_break_is_the_line_break(text: str) -> None:
    """What collapse_whitespace does outside the kept elements, by its definition."""
    assert collapse_whitespace(text) == re.sub(r"[ \t]*\n\s*", "\n", text)


def test_white_space_inside_a_line_is_kept() -> None:
    line = "<p>本年收入 12,765.38 万元，  见 <a href>情况说明</a> 。</p>"
    assert collapse_whitespace(line) == line


@pytest.mark.parametrize("tag", ["pre", "textarea", "script", "style", "PRE"])
def test_white_space_that_matters_or_is_code_is_kept(tag: str) -> None:
    element = f'<{tag} class="x">\n  一\n      二\n</{tag}>'
    assert collapse_whitespace(f"<div>\n  {element}\n  </div>") == f"<div>\n{element}\n</div>"
