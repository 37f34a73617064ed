"""The site's Chinese search index, written in small pieces (an MkDocs hook, ``mkdocs.yml``).

What a reader types is matched as written: both the pages and the query are cut into the
same terms, overlapping pairs of Chinese characters (``公务接待费`` → 公务 务接 接待 待费)
and ASCII words, and a page is a hit only when it holds *every* term of the query. The pairs
need no dictionary, so the index and the browser always cut a text the same way, and a word
of four characters is found only where its three pairs stand together (a page that matches
on 经 alone is never a hit for 三公经费). Quotation marks inside a run of Chinese do not
break it (“三公”经费 holds the pairs of 三公经费). The browser (``search.js``) then ranks the
pages that hold the query's exact words first and highlights those words only.

The index is files that a query fetches a few at a time, so its cost per query stays flat as
the portal grows:

- ``search/meta.json``: the number of pages and of term shards;
- ``search/terms/<n>.json.gz``: the postings of the terms whose hash falls in shard ``n``, each
  the numbers ``page id, weight, page id - previous id, weight, …`` in one string
  (:func:`encode_numbers`; the weight is BM25's term-frequency part for that page, times
  10; headings and the page title count more than text);
- ``search/pages/<page id>.json.gz``: a page's address, title and searchable sections (anchor,
  heading, text), fetched only for the hits shown, for their excerpts (a long page's file
  is cut to about 36 KB: :func:`page_file`).

The term and page files are stored gzipped (zlib's level 9, no time or name in the header:
the same index gives the same bytes), a third of their JSON, and decoded in the browser as
the parts of a page and the chart values are (``gunzip.js``); a server that sends them
decoded (``Content-Encoding: gzip``) is recognised by their first bytes. At 10,000
disclosures that is the index's 249 MB of JSON down to about 95 MB of the Pages artifact
(BENCHMARKS.md, "artifact-gb"); a static host compressed the JSON on the wire anyway, so a
query transfers about what it did.

What is searchable: the page's article, without the elements marked ``data-search-exclude``
(data tables, downloads, the per-disclosure glossary), tables, code, and anything marked
``lang="en"`` (field names and English descriptions are not what a citizen searches for).

MkDocs loads this module from its path (``hooks:`` lists it before ``site_hooks.py``, so a
data table is still one comment here, passed over in one step): it imports nothing of
``builder``.
"""

from __future__ import annotations

import functools
import gzip
import json
import logging
import math
import operator
import os
import re
import shutil
import time
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.pages import Page

SEARCH_DIR = "search"
SHARD_BYTES = 8 * 1024  # the raw size a term shard aims at
TITLE_WEIGHT = 5  # a term in the page title counts as this many in its text
HEADING_WEIGHT = 2
BM25_K1 = 1.2
BM25_B = 0.75
WEIGHT_SCALE = 10
DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Marks that may stand inside a Chinese term as printed: “三公”经费, 《预算法》.
TRANSPARENT = "“”‘’\"'《》〈〉「」『』"
_TRANSPARENT = re.compile(f"(?<=[{HAN}])[{TRANSPARENT}]+(?=[{HAN}])")
_TOKEN = re.compile(f"[{HAN}]+|[a-z0-9]+")
SKIPPED_TAGS = {"table", "code", "pre", "script", "style", "svg", "nav", "button", "form"}
VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "wbr", "col", "source", "area"}
HEADINGS = {"h1", "h2", "h3", "h4"}
# Pages for data users rank after the citizens' pages that use the same words: their term
# weights are multiplied by this (the dictionary names every table in every heading).
BOOSTS = {"dictionary/": 0.3, "quality/": 0.3, "data/": 0.3}
GZIP_LEVEL = 9
PAGE_TEXT_LIMIT = 12_000  # characters of a page file (about 36 KB): see page_file
SECTION_TEXT_MIN = 200


def terms_of(text: str) -> list[str]:
    """The search terms of ``text``: pairs of Chinese characters, and ASCII words.

    The browser cuts a query with the same rules (``search.js``, ``termsOf``): NFKC (full-
    width letters and digits become ASCII), lower case, quotation marks inside Chinese
    dropped; a run of one Chinese character is its own term; an ASCII word needs two
    characters.
    """
    normal = _TRANSPARENT.sub("", unicodedata.normalize("NFKC", text).lower())
    out: list[str] = []
    for run in _TOKEN.findall(normal):
        if len(run) == 1:
            if not run.isascii():
                out.append(run)
        elif run.isascii():
            out.append(run)
        else:
            out += map(operator.add, run, run[1:])  # the overlapping pairs
    return out


# The terms of a normalised text (terms_of): the overlapping pairs of each run of Chinese
# characters, a run of one character, and ASCII words of two characters or more.
_PAIRS = re.compile(f"(?=([{HAN}]{{2}}))")
_SINGLES = re.compile(f"(?<![{HAN}])[{HAN}](?![{HAN}])")
_WORDS = re.compile("(?<![a-z0-9])[a-z0-9]{2,}")
_WHITESPACE = re.compile(r"\s+")


# The full-width forms (U+FF01-FF5E: ，（）：； and full-width letters and digits) as NFKC
# writes each (its ASCII character): a text of Chinese with them written so is most often
# NFKC already, which ``normalize`` finds in one pass, where it would recompose the text.
_FULL_WIDTH = {code: unicodedata.normalize("NFKC", chr(code)) for code in range(0xFF01, 0xFF5F)}


def _nfkc(text: str) -> str:
    """``unicodedata.normalize("NFKC", text)`` (a character replaced by its compatibility
    decomposition first normalises the same)."""
    return unicodedata.normalize("NFKC", text.translate(_FULL_WIDTH))


def count_terms(text: str, weight: int = 1) -> Counter[str]:
    """``Counter(terms_of(text))``, each count times ``weight``: the terms found by three
    patterns over the whole text instead of run by run (the index counts some 1,500 terms
    a page; the order of the terms is not kept)."""
    normal = _TRANSPARENT.sub("", _nfkc(text).lower())
    counts: Counter[str] = Counter(_PAIRS.findall(normal))
    counts.update(_SINGLES.findall(normal))
    counts.update(_WORDS.findall(normal))
    if weight != 1:
        for term in counts:
            counts[term] *= weight
    return counts


def encode_numbers(numbers: list[int]) -> str:
    """Whole numbers ≥ 0 as one string, five bits a character, low bits first: a character
    of :data:`DIGITS` at index 32 or more says more bits follow (``search.js``,
    ``decodeNumbers``). A posting (id delta, weight) is mostly two characters, against five
    or six as JSON numbers."""
    out: list[str] = []
    for number in numbers:
        rest = number
        while rest >= 32:  # noqa: PLR2004 - five bits a character
            out.append(DIGITS[32 | (rest & 31)])
            rest >>= 5
        out.append(DIGITS[rest])
    return "".join(out)


def shard_of(term: str, shards: int) -> int:
    """The shard of ``term``: 32-bit FNV-1a of its UTF-8 bytes, modulo ``shards``."""
    value = 0x811C9DC5
    for byte in term.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value % shards


@dataclass
class Section:
    """A part of a page under one heading: its anchor, heading and text."""

    anchor: str
    heading: str
    text: list[str] = field(default_factory=list)
    _body: str | None = field(default=None, repr=False, compare=False)

    def body(self) -> str:
        """The text, its white space runs as one space (worked out once: the text is whole
        when it is first asked for)."""
        if self._body is None:
            self._body = _WHITESPACE.sub(" ", "".join(self.text)).strip()
        return self._body


# The markup of a page as Python's HTMLParser reads it (its tag and attribute patterns), for
# the well-formed HTML that Markdown and the theme write: a comment (a data table), a
# declaration, a ``<script>`` or ``<style>`` with its content (text, not markup), or a
# start or end tag.
_ATTRIBUTES = r"""([^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*)"""  # up to the tag's ">"
_MARKUP = re.compile(
    r"<!--.*?--\s*>|<![^>]*>|<\?[^>]*>"
    rf"|<(script|style)(?=[\s/>]){_ATTRIBUTES}>(.*?)</\1\s*>"
    rf"|<(/?)([a-zA-Z][^\t\n\r\f />\x00]*){_ATTRIBUTES}>",
    re.DOTALL | re.IGNORECASE,
)
_ATTRIBUTE = re.compile(
    r"((?<=[\'\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*(\'[^\']*\'|\"[^\"]*\"|(?![\'\"])[^>\s]*))?"
    r"(?:\s|/(?!>))*"
)


def _attributes(text: str) -> list[tuple[str, str | None]]:
    """A start tag's attributes, as ``HTMLParser.handle_starttag`` is given them. Half the
    tags of a page have none, and nine in ten of the others are written alike (``class="num"``,
    ``data-search-exclude``): those are read once."""
    return list(_read_attributes(text)) if text else []


@functools.lru_cache(maxsize=4096)
def _read_attributes(text: str) -> tuple[tuple[str, str | None], ...]:
    out: list[tuple[str, str | None]] = []
    for name, has_value, written in _ATTRIBUTE.findall(text):
        if not has_value:
            out.append((name.lower(), None))
            continue
        quoted = len(written) > 1 and written[:1] == written[-1:] and written[:1] in "'\""
        value = written[1:-1] if quoted else written
        out.append((name.lower(), unescape(value) if "&" in value else value))
    return tuple(out)


_BLOCK_START_SPACE = frozenset({"p", "li", "dt", "dd", "div", "br", "summary", "figcaption"})
_BLOCK_END_SPACE = frozenset({"p", "li", "dt", "dd", "td", "summary"})
# Attribute text that may make an element skipped (it is read only then; ``&``: a reference
# in a value could spell any of these).
_MAYBE_SKIPPED = re.compile(r"data-search-exclude|lang|headerlink|&", re.IGNORECASE)


def _skipped(tag: str, attributes: str) -> bool:
    """An element left out of search: a skipped tag, marked ``data-search-exclude``, English,
    or a heading's permalink."""
    if tag in SKIPPED_TAGS:
        return True
    if not attributes or not _MAYBE_SKIPPED.search(attributes):
        return False
    values = dict(_attributes(attributes))
    return (
        "data-search-exclude" in values
        or (values.get("lang") or "").lower().startswith("en")
        or "headerlink" in (values.get("class") or "").split()
    )


def _passed_over(tokens: Iterator[re.Match[str]]) -> int:
    """Read ``tokens`` (of :data:`_MARKUP`) to the end tag of the element whose start tag
    was the last read: its depth counted over every start and end tag but the void ones
    (``HTMLParser`` gives no more); where it ends, or -1 if it does not."""
    depth = 1
    for found in tokens:
        _, _, _, closing, tag, attributes = found.groups()
        if tag is None or tag.lower() in VOID_TAGS:
            continue
        if closing:
            depth -= 1
            if not depth:
                return found.end()
        elif not attributes.endswith("/"):
            depth += 1
    return -1


def page_sections(html: str) -> list[Section]:  # noqa: PLR0912, PLR0915 - one loop (see below)
    """The sections of ``html``'s ``<article>`` with a heading or text (the part before the
    first heading has an empty anchor and heading).

    The article's markup is read as ``HTMLParser`` reads it (its tags and text, by
    :data:`_MARKUP`; ``tests/test_search_index.py`` holds the two equal), in one loop: text
    outside headings goes to the current section, a heading starts the next, and an element
    left out (:func:`_skipped`) is passed over to its end tag, its depth counted over every
    tag but the void ones, its text and attributes not read. The loop is one function: a call
    per token (some 550 a disclosure page) would cost more than most tokens' work."""
    # Only the article is read: the header, navigation and table of contents are skipped
    # unparsed (the reading is most of the index's time).
    start = html.find("<article")
    end = html.rfind("</article>")
    if 0 <= start < end:
        html = html[start : end + len("</article>")]
    sections = [Section("", "")]
    text = sections[0].text  # where the text goes: the section's, or the heading's
    article = 0  # depth inside the article (0: outside)
    heading_id: str | None = None  # inside a heading: its anchor
    position = 0
    tokens = _MARKUP.finditer(html)
    for found in tokens:
        if article and found.start() > position:
            data = html[position : found.start()]
            text.append(unescape(data) if "&" in data else data)
        position = found.end()
        cdata, cdata_attributes, _, closing, tag, attributes = found.groups()
        if cdata:  # <script> or <style>: a start tag, text, an end tag (in the article,
            tag, attributes, closing = cdata, cdata_attributes, ""  # it is skipped)
        elif tag is None:  # a comment (a data table), a declaration
            continue
        name = tag.lower()
        ends = bool(closing or cdata or attributes.endswith("/"))
        if name in VOID_TAGS or (closing and not article):
            continue
        if closing:
            pass
        elif not article:
            article = int(name == "article")
        elif _skipped(name, attributes):
            position = position if ends else _passed_over(tokens)
            if position < 0:
                break  # its end never comes: the rest is in it
            continue
        else:
            article += 1
            if name in HEADINGS:
                heading_id = dict(_attributes(attributes)).get("id") or ""
                text = []
            elif name in _BLOCK_START_SPACE:
                sections[-1].text.append(" ")
        if not ends or not article:
            continue
        article -= 1
        if name in HEADINGS and heading_id is not None:
            heading = _WHITESPACE.sub(" ", "".join(text)).strip()
            sections.append(Section(heading_id, heading))
            text = sections[-1].text
            heading_id = None
        elif name in _BLOCK_END_SPACE:
            sections[-1].text.append(" ")
    else:
        if article and position < len(html):
            data = html[position:]
            text.append(unescape(data) if "&" in data else data)
    return [s for s in sections if s.heading or s.body()]


@dataclass
class IndexedPage:
    """One page of the index: its address, title, sections and weighted term counts."""

    url: str
    title: str
    sections: list[Section]
    counts: Counter[str]
    boost: float = 1.0


def index_page(url: str, title: str, html: str) -> IndexedPage:
    """The page's sections and its terms counted (:func:`count_terms`): the title's
    :data:`TITLE_WEIGHT` times, the headings' :data:`HEADING_WEIGHT` times, the text's once.
    The headings (and the texts) are counted in one string, a line each: a line break is
    no part of a term and ends a run, so that counts what counting each apart counts."""
    sections = page_sections(html)
    counts = Counter(count_terms(title, TITLE_WEIGHT))
    counts.update(count_terms("\n".join(s.heading for s in sections), HEADING_WEIGHT))
    counts.update(count_terms("\n".join(s.body() for s in sections)))
    return IndexedPage(url, title, sections, counts, BOOSTS.get(url, 1.0))


def shard_count(postings_bytes: int, terms: int) -> int:
    """A power of two, so that a shard holds about :data:`SHARD_BYTES`, and at least two
    terms on average (a term's postings are never split, so more shards than that would
    only be empty files)."""
    by_size = 1 << max(0, math.ceil(math.log2(max(1, postings_bytes / SHARD_BYTES))))
    by_terms = 1 << max(0, math.floor(math.log2(max(1, terms // 2))))
    return min(by_size, by_terms)


def page_file(page: IndexedPage) -> dict[str, object]:
    """What the browser fetches of a hit: address, title, sections (for the excerpts).

    A page of more than :data:`PAGE_TEXT_LIMIT` characters (the quality page and the
    glossary, which grow with the portal) keeps an equal share of that limit per section
    (at least :data:`SECTION_TEXT_MIN`, so a definition or a finding is still shown) until
    the limit is reached, and says it was cut: the page is still found by every word of it.
    """
    sections = [[s.anchor, s.heading, s.body()] for s in page.sections]
    total = sum(len(heading) + len(body) for _, heading, body in sections)
    out: dict[str, object] = {"url": page.url, "title": page.title, "sections": sections}
    if total <= PAGE_TEXT_LIMIT:
        return out
    share = max(SECTION_TEXT_MIN, PAGE_TEXT_LIMIT // len(sections))
    kept: list[list[str]] = []
    used = 0
    for anchor, heading, body in sections:
        if used >= PAGE_TEXT_LIMIT:
            break
        cut = body[:share] + ("…" if len(body) > share else "")
        kept.append([anchor, heading, cut])
        used += len(heading) + len(cut)
    return {**out, "sections": kept, "cut": True}


def packed(value: object) -> bytes:
    """``value`` as compact JSON, gzipped as the index stores it (``*.json.gz``)."""
    written = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(written.encode("utf-8"), compresslevel=GZIP_LEVEL, mtime=0)


def _dump(path: str, value: bytes) -> None:
    with open(path, "wb") as stream:
        stream.write(value)


# A page as the index needs it (plain data, kept between runs): its address, its page file
# as written (:func:`packed`: gzipped once, when the page is rendered), its terms and counts
# ("term count term count …") as UTF-8 compressed with zlib, its length (the sum of its
# counts) and its boost. A site's run holds every page's entry till the end: kept as sections
# and a ``Counter`` of terms (some 1,500), the run grew by about 160 KB a page at 1,000
# disclosures; the entry's two strings are 17 KB a page on average, compressed 7 KB.
Entry = tuple[str, bytes, bytes, int, float]
ZLIB_LEVEL = 1  # the fastest: the entry is read once
_DIGIT_BYTES = DIGITS.encode("ascii")


def entry_of(page: IndexedPage) -> Entry:
    terms = " ".join([f"{term} {count}" for term, count in page.counts.items()])
    return (
        page.url,
        packed(page_file(page)),
        zlib.compress(terms.encode(), ZLIB_LEVEL),
        sum(page.counts.values()),
        page.boost,
    )


def write_index(pages: list[IndexedPage], folder: str) -> dict[str, int]:
    """Write the index of ``pages`` into ``folder`` (replaced); returns what it wrote."""
    return write_entries([entry_of(page) for page in pages], folder)


def _encoded(number: int) -> bytes:
    """:func:`encode_numbers` of ``[number]`` as ASCII bytes (the small ones looked up)."""
    if number < len(_SMALL_NUMBERS):
        return _SMALL_NUMBERS[number]
    return encode_numbers([number]).encode("ascii")


_SMALL_NUMBERS = [encode_numbers([number]).encode("ascii") for number in range(1 << 10)]


def write_entries(entries: list[Entry], folder: str) -> dict[str, int]:
    """Write the index of the pages ``entries`` (:func:`entry_of`) into ``folder``."""
    entries = sorted(entries, key=operator.itemgetter(0))
    lengths = [entry[3] for entry in entries]
    average = sum(lengths) / len(lengths) if lengths else 1.0
    # The postings of each term as they are written (encode_numbers, page ids delta-coded:
    # small numbers, shorter JSON; the browser adds them up), a few bytes a posting, with
    # the last page id of each. This loop runs once a posting (1.9 million at 1,000
    # disclosures): a page's weights are computed once per count, deltas looked up.
    postings: dict[str, tuple[bytearray, list[int]]] = {}
    small = _SMALL_NUMBERS
    for page_id, (_, _, terms, length, boost) in enumerate(entries):
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / average)
        text = zlib.decompress(terms).decode()
        words = text.split(" ") if text else []  # a page without terms
        weights: dict[str, bytes] = {}  # by count as written
        for term, written in zip(words[0::2], words[1::2], strict=True):
            weight = weights.get(written)
            if weight is None:
                count = int(written)
                scaled = boost * WEIGHT_SCALE * count * (BM25_K1 + 1) / (count + norm)
                weight = weights[written] = _encoded(max(1, round(scaled)))
            posting = postings.get(term)
            if posting is None:
                postings[term] = (bytearray(_encoded(page_id) + weight), [page_id])
                continue
            out, last = posting
            delta = page_id - last[0]
            out += small[delta] if delta < len(small) else _encoded(delta)
            out += weight
            last[0] = page_id
    size = sum(len(term.encode()) + len(entry) for term, (entry, _) in postings.items())
    shards = shard_count(size, len(postings))
    buckets: list[dict[str, str]] = [{} for _ in range(shards)]
    for term in sorted(postings):
        buckets[shard_of(term, shards)][term] = postings[term][0].decode("ascii")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(os.path.join(folder, "terms"))
    os.makedirs(os.path.join(folder, "pages"))
    for number, bucket in enumerate(buckets):
        _dump(os.path.join(folder, "terms", f"{number}.json.gz"), packed(bucket))
    for page_id, entry in enumerate(entries):
        _dump(os.path.join(folder, "pages", f"{page_id}.json.gz"), entry[1])
    meta = {"pages": len(entries), "shards": shards}
    _dump(os.path.join(folder, "meta.json"), json.dumps(meta, separators=(",", ":")).encode())
    return {"pages": len(entries), "terms": len(postings), "shards": shards}


# The MkDocs hooks. The pages of one build are collected here (:data:`Entry`), keyed by the
# site dir and the page's address, and written when the build ends; the time spent is logged
# (``mkdocs build`` without --quiet). The site's runner (``builder.siterun.mkdocs_run``)
# takes each rendered page's entry (``page_state``, perhaps in a worker process) and gives it
# back (``restore_page_state``) with those of the pages it kept from an earlier run, so the
# index it writes is the one a clean run writes.
_BUILDS: dict[str, dict[str, Entry]] = {}
_SECONDS: dict[str, list[float]] = {}  # wall clock and CPU seconds
log = logging.getLogger("mkdocs.hooks.search")


def on_pre_build(*, config: MkDocsConfig) -> None:
    _BUILDS[config.site_dir] = {}
    _SECONDS[config.site_dir] = [0.0, 0.0]


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    """Index the finished page (its data tables are still comments: see the module)."""
    start, cpu = time.perf_counter(), time.process_time()
    options = page.meta.get("search")  # Material's front matter: search: {exclude: true}
    if not (isinstance(options, dict) and options.get("exclude")):
        title = page.meta.get("title") or page.title or ""
        entry = entry_of(index_page(page.url, str(title), output))
        _BUILDS.setdefault(config.site_dir, {})[page.url] = entry
    spent = _SECONDS.setdefault(config.site_dir, [0.0, 0.0])
    spent[0] += time.perf_counter() - start
    spent[1] += time.process_time() - cpu
    return output


def page_state(*, page: Page, config: MkDocsConfig) -> object:
    """The page's entry of the index as plain data (None: not indexed), handed to the
    runner: it is no longer here until :func:`restore_page_state` gives it back."""
    entry = _BUILDS.get(config.site_dir, {}).pop(page.url, None)
    return None if entry is None else list(entry)


def restore_page_state(state: object, *, page: Page, config: MkDocsConfig) -> None:
    """Index the page as it was rendered (``state`` from :func:`page_state`)."""
    if not isinstance(state, list):
        return
    url, written, terms, length, boost = state
    _BUILDS.setdefault(config.site_dir, {})[page.url] = (url, written, terms, length, boost)


def on_post_build(*, config: MkDocsConfig) -> None:
    start, cpu = time.perf_counter(), time.process_time()
    folder = os.path.join(config.site_dir, SEARCH_DIR)
    stats = write_entries(list(_BUILDS.pop(config.site_dir, {}).values()), folder)
    wall, used = _SECONDS.pop(config.site_dir, [0.0, 0.0])
    log.info(
        "Search index: %d pages, %d terms in %d shards, %.1f s (%.1f s CPU)",
        stats["pages"],
        stats["terms"],
        stats["shards"],
        wall + time.perf_counter() - start,
        used + time.process_time() - cpu,
    )
