"""The search index (builder/pages/search.py): terms, searchable sections, the files written."""

from __future__ import annotations

import gzip
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Protocol

import markdown
from mkdocs.config import load_config

from builder.pages.search import (
    _MARKUP,
    DIGITS,
    HEADINGS,
    PAGE_TEXT_LIMIT,
    SECTION_TEXT_MIN,
    SHARD_BYTES,
    SKIPPED_TAGS,
    VOID_TAGS,
    Section,
    _attributes,
    count_terms,
    encode_numbers,
    index_page,
    page_file,
    page_sections,
    shard_count,
    shard_of,
    terms_of,
    write_index,
)
from tests.conftest import CASES, ROOT, SEED_IDS

PAGE = """<html><head><title>x</title></head><body>
<nav>首页 单位</nav>
<article class="md-content__inner md-typeset">
<h1 id="title">山西省投资促进局 2024年度单位决算<a class="headerlink" href="#title">¶</a></h1>
<p>本页整理自原文。</p>
<h2 id="三公">（一）“三公”经费支出情况<a class="headerlink" href="#三公">¶</a></h2>
<p>公务接待费支出1.87万元。</p>
<div class="portal-table-wrap" data-search-exclude><!--portal-raw
<table><tr><td>5,837.92</td></tr></table>
--></div>
<table><tr><td>公务用车</td></tr></table>
<p>主键：<code>row_number</code>。<span lang="en">Order of the row.</span></p>
</article>
<footer>Made with Material</footer>
</body></html>"""


def test_terms_are_counted_as_they_are_cut() -> None:
    for text in (
        "公务接待费",
        "“三公”经费支出 “三公”经费",
        "ＲＯＷ_Number 2024年",
        "a 1 。，",
        "单\n位 单",
        "",
    ):
        assert count_terms(text) == Counter(terms_of(text)), text
        assert count_terms(text, 3) == Counter(
            {t: 3 * n for t, n in Counter(terms_of(text)).items()}
        )


def test_terms_are_pairs_of_characters_and_ascii_words() -> None:
    assert terms_of("公务接待费") == ["公务", "务接", "接待", "待费"]
    assert terms_of("“三公”经费") == terms_of("三公经费") == ["三公", "公经", "经费"]
    assert terms_of("《预算法》") == ["预算", "算法"]  # marks at the ends are not terms
    assert terms_of("单") == ["单"]
    assert terms_of("ＲＯＷ_Number 2024年") == ["row", "number", "2024", "年"]
    assert terms_of("a 1 。，") == []


def test_sections_leave_out_tables_code_english_and_marks() -> None:
    sections = page_sections(PAGE)
    assert [(s.anchor, s.heading) for s in sections] == [
        ("title", "山西省投资促进局 2024年度单位决算"),
        ("三公", "（一）“三公”经费支出情况"),
    ]
    assert sections[0].body() == "本页整理自原文。"
    assert sections[1].body() == "公务接待费支出1.87万元。 主键：。"


def test_title_and_headings_weigh_more_than_text() -> None:
    page = index_page("disclosures/x/", "山西省投资促进局", PAGE)
    assert page.counts["公务"] == 1  # text only
    assert page.counts["三公"] == 2  # a heading
    assert page.counts["促进"] == 5 + 2  # the page title and the h1
    assert "row" not in page.counts
    assert "87" in page.counts  # numbers of the text are terms too


def test_shards_are_the_same_for_the_same_term() -> None:
    assert shard_of("经费", 1) == 0
    assert shard_of("经费", 64) == shard_of("经费", 64) < 64
    assert len({shard_of(term, 64) for term in terms_of("财政拨款三公经费支出决算表")}) > 4
    assert shard_count(0, 0) == 1
    assert shard_count(SHARD_BYTES * 5, 1000) == 8
    assert shard_count(SHARD_BYTES * 5, 9) == 4  # at least two terms a shard


def test_the_index_files_give_back_every_page_of_a_term(tmp_path: Path) -> None:
    first = index_page("a/", "公务接待费", "<article><p>公务接待费</p></article>")
    second = index_page("b/", "其他", "<article><p>公务用车</p></article>")
    stats = write_index([second, first], str(tmp_path / "search"))
    # 公务 务接 接待 待费, 其他, 务用 用车
    assert stats == {"pages": 2, "terms": 7, "shards": 1}
    meta = json.loads((tmp_path / "search" / "meta.json").read_text(encoding="utf-8"))
    assert meta == {"pages": 2, "shards": 1}
    shard = unpacked(tmp_path / "search" / "terms" / "0.json.gz")
    pages = [unpacked(tmp_path / "search" / "pages" / f"{n}.json.gz") for n in range(2)]
    assert [page["url"] for page in pages] == ["a/", "b/"]  # sorted by address
    assert pages[0]["sections"] == [["", "", "公务接待费"]]
    # Postings: id delta, weight, …; 公务 is on both pages (ids 0 and 1), 接待 on a/ only.
    both, first_only = decode(shard["公务"]), decode(shard["接待"])
    assert both[0::2] == [0, 1]
    assert first_only[0::2] == [0]
    assert all(weight >= 1 for weight in both[1::2])


def unpacked(path: Path) -> Any:
    """An index file as the browser reads it: gzip (no time or name in its header), JSON."""
    data = path.read_bytes()
    assert data[:9] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02"  # no name, mtime 0, level 9
    return json.loads(gzip.decompress(data).decode("utf-8"))


def decode(text: str) -> list[int]:
    """The numbers of a posting string, read by the rule of encode_numbers' docstring."""
    numbers, value, shift = [], 0, 0
    for char in text:
        digit = DIGITS.index(char)
        value |= (digit & 0b11111) << shift
        shift += 5
        if digit < 0b100000:
            numbers.append(value)
            value, shift = 0, 0
    return numbers


def test_page_ids_far_apart_are_delta_coded_past_the_looked_up_numbers(tmp_path: Path) -> None:
    """A term on pages 0 and 1,500 only: a delta past the 1,024 numbers write_entries looks
    up (a weight never is: BM25 bounds it by 22)."""
    pages = [index_page(f"p{n:04d}/", "", "<article><p>甲乙</p></article>") for n in range(1501)]
    pages = [index_page("p0000/", "", "<article><p>公务</p></article>"), *pages[1:1500]]
    pages.append(index_page("p1500/", "", "<article><p>公务</p></article>"))
    write_index(pages, str(tmp_path / "search"))
    meta = json.loads((tmp_path / "search" / "meta.json").read_text(encoding="utf-8"))
    shards = [
        unpacked(tmp_path / "search" / "terms" / f"{n}.json.gz") for n in range(meta["shards"])
    ]
    postings = decode(next(shard["公务"] for shard in shards if "公务" in shard))
    assert postings[0::2] == [0, 1500]  # ids 0 and 0 + 1500
    assert postings[1] == postings[3] >= 1  # the same page text, the same weight


def test_postings_are_short_strings() -> None:
    assert encode_numbers([0, 1, 31]) == "AB" + DIGITS[31]
    assert encode_numbers([32]) == DIGITS[32] + "B"  # 0 with more to come, then 1 × 32
    numbers = [0, 5, 31, 32, 1023, 1024, 20_079, 2**30 + 7]
    assert decode(encode_numbers(numbers)) == numbers


def test_a_long_page_file_is_cut_but_keeps_each_definition() -> None:
    definition = "指单位从同级财政部门取得的财政预算资金。"
    sources = "出处：" + "某某单位 2024年度单位决算，" * 400  # the glossary at 1,000 disclosures
    html = "<article>" + "".join(
        f'<h2 id="t{n}">术语{n}</h2><p>{definition}{sources}</p>' for n in range(30)
    )
    page = index_page("glossary/", "名词解释", html + "</article>")
    stored = page_file(page)
    assert stored["cut"] is True
    sections = stored["sections"]
    assert isinstance(sections, list)
    assert sum(len(h) + len(t) for _, h, t in sections) <= PAGE_TEXT_LIMIT + 2 * SECTION_TEXT_MIN
    assert all(text.startswith(definition) for _, _, text in sections)
    assert page.counts["术语"] == 30 * 2  # every heading still indexed
    short = index_page("a/", "短", "<article><p>公务接待费</p></article>")
    assert "cut" not in page_file(short)


class MarkupHandler(Protocol):
    """What :func:`read_markup` gives the markup to (``HTMLParser``'s handler methods)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None: ...

    def handle_endtag(self, tag: str) -> None: ...

    def handle_data(self, data: str) -> None: ...


def read_markup(html: str, parser: MarkupHandler) -> None:
    """Give ``parser`` the start tags, end tags and text of ``html`` in order, as
    ``HTMLParser(convert_charrefs=True).feed`` would (text with its references resolved;
    comments passed over; a self-closing tag is a start and an end)."""
    position = 0
    for found in _MARKUP.finditer(html):
        if found.start() > position:
            text = html[position : found.start()]
            parser.handle_data(unescape(text) if "&" in text else text)
        position = found.end()
        cdata, cdata_attributes, content, closing, tag, attributes = found.groups()
        if cdata:
            parser.handle_starttag(cdata.lower(), _attributes(cdata_attributes))
            if content:
                parser.handle_data(content)
            parser.handle_endtag(cdata.lower())
        elif closing:
            parser.handle_endtag(tag.lower())
        elif tag:
            parser.handle_starttag(tag.lower(), _attributes(attributes))
            if attributes.endswith("/"):
                parser.handle_endtag(tag.lower())
    if position < len(html):
        text = html[position:]
        parser.handle_data(unescape(text) if "&" in text else text)


class _Events(HTMLParser):
    """What an ``HTMLParser`` gives its handler, text joined between tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[object, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", tag, tuple(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if self.events and self.events[-1][0] == "text":
            self.events[-1] = ("text", f"{self.events[-1][1]}{data}")
        else:
            self.events.append(("text", data))


def _read_both(html: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    expected = _Events()
    expected.feed(html)
    expected.close()
    found = _Events()
    read_markup(html, found)
    return expected.events, found.events


MARKUP = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><script>var a = "<p>" && b < c;</script>
<style>p > a { color: red }</style></head><body>
<article class="md-typeset">
<h2 id="a&amp;b" data-search-exclude title='单 "引号"'>标题&amp;&#40;1&#41;</h2>
<img src="x.png" alt=x><br/><input disabled><svg><path d="M0 0"/></svg>
<!-- 注释 <p>不是标签</p> --><p>甲 &lt;乙&gt; &nbsp;丙</p>
<!--portal-raw
<table><tr><td>5,837.92</td></tr></table>
-->
</article></body></html>"""


def test_the_markup_is_read_as_python_s_html_parser_reads_it() -> None:
    expected, found = _read_both(MARKUP)
    assert found == expected
    heading = (
        "start",
        "h2",
        (("id", "a&b"), ("data-search-exclude", None), ("title", '单 "引号"')),
    )
    assert heading in found
    assert ("text", "标题&(1)") in found
    assert not any("不是标签" in str(event) for event in found)  # a comment is passed over


def _seed_pages_html() -> Iterator[tuple[str, str]]:
    """Each seed's disclosure page (its golden Markdown) as the site's Markdown makes it."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config = load_config(str(ROOT / "mkdocs.yml"))
    for seed in SEED_IDS:
        page = (CASES / seed / "expected" / "pages" / "disclosure.md").read_text(encoding="utf-8")
        md = markdown.Markdown(
            extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"]
        )
        yield seed, md.convert(page.split("---\n", 2)[2])


def test_the_seeds_pages_are_read_as_python_s_html_parser_reads_them() -> None:
    for seed, html in _seed_pages_html():
        expected, found = _read_both(html)
        assert found == expected, seed


class _ReferenceSections(HTMLParser):
    """The sections of a page's article as ``HTMLParser`` reads it, an event at a time: what
    ``page_sections`` reads in one loop."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections = [Section("", "")]
        self.article = self.skip = 0
        self.heading: list[str] | None = None
        self.heading_id = ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS:
            return
        if not self.article:
            self.article = int(tag == "article")
            return
        self.article += 1
        if self.skip:
            self.skip += 1
            return
        values = dict(attrs)
        if (
            tag in SKIPPED_TAGS
            or "data-search-exclude" in values
            or (values.get("lang") or "").lower().startswith("en")
            or "headerlink" in (values.get("class") or "").split()
        ):
            self.skip = 1
        elif tag in HEADINGS:
            self.heading, self.heading_id = [], values.get("id") or ""
        elif tag in {"p", "li", "dt", "dd", "div", "br", "summary", "figcaption"}:
            self.sections[-1].text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS or not self.article:
            return
        self.article -= 1
        if self.skip:
            self.skip -= 1
        elif tag in HEADINGS and self.heading is not None:
            heading = re.sub(r"\s+", " ", "".join(self.heading)).strip()
            self.sections.append(Section(self.heading_id, heading))
            self.heading = None
        elif tag in {"p", "li", "dt", "dd", "td", "summary"}:
            self.sections[-1].text.append(" ")

    def handle_data(self, data: str) -> None:
        if self.article and not self.skip:
            (self.heading if self.heading is not None else self.sections[-1].text).append(data)


def _sections(html: str) -> list[tuple[str, str, str]]:
    return [(s.anchor, s.heading, s.body()) for s in page_sections(html)]


def _reference_sections(html: str) -> list[tuple[str, str, str]]:
    parser = _ReferenceSections()
    start, end = html.find("<article"), html.rfind("</article>")
    parser.feed(html[start : end + len("</article>")] if 0 <= start < end else html)
    parser.close()
    return [(s.anchor, s.heading, s.body()) for s in parser.sections if s.heading or s.body()]


TRICKY = """<article>
<h2 id="a">标题<a class="headerlink" href="#a">¶</a></h2><p>甲<br/>乙</p>
<div data-search-exclude><div><p>不要</p><img src=x><br></div><h3 id="x">不要</h3></div>
<svg><path d="M0"/></svg><p>丙<script>var x = "</p>";</script>丁</p>
<h3 id="b" title="&quot;q&quot;"/><p class="&#104;eaderlink">戊</p><p lang="EN-us">no</p>
<details><summary>己</summary><p>庚 &amp; 辛</p></details><h4 id="c">壬</h4>癸"""


def test_sections_are_read_as_html_parser_reads_them() -> None:
    for html in (PAGE, MARKUP, TRICKY, TRICKY + "</article>", "<p>无文章</p>"):
        assert _sections(html) == _reference_sections(html), html
    for seed, converted in _seed_pages_html():
        html = f"<article>{converted}</article>"
        assert _sections(html) == _reference_sections(html), seed
