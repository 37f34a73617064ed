"""MkDocs hooks (``hooks:`` in ``mkdocs.yml``): what keeps ``mkdocs build`` linear and fast.

Two things scale with the number of disclosures in a MkDocs build and are not needed:

- **Parsing the data tables three times.** MkDocs parses every raw HTML block of a page
  with Python's ``HTMLParser`` to find anchors, Python-Markdown parses it again to stash it,
  and the search index (``builder.pages.search``, the hook before this one) parses the
  rendered page a third time, only to skip the tables (they are ``data-search-exclude``).
  The generator therefore writes each data table (and other HTML left out of search) inside
  an HTML comment that starts with :data:`RAW_OPEN` (``builder.pages.markup.raw_html``,
  which also makes sure no ``--`` can end it early): the three parsers pass a comment over
  in one step, and :func:`on_post_page` takes the comment markers away from the finished
  page, so the published HTML is exactly the table.
- **Parsing finished HTML at all.** Most of a generated page is HTML blocks that Markdown
  publishes as they are (paragraphs, findings, collapsed blocks, figures): Python-Markdown
  and MkDocs still parse each of them tag by tag (``md_in_html``, MkDocs' scan for ids),
  and Markdown runs its inline patterns over the placeholder of each. :func:`seal_html`
  (``on_page_markdown``) writes each run of such blocks as one comment that starts with
  :data:`SEAL_OPEN`, which they all pass over in one step, and :func:`on_page_content`
  takes the markers away as soon as Markdown is done: the search index, the template and
  the published page see the HTML they saw without it (the blocks of a run separated as
  Markdown writes them). A block is sealed only when it is one whole element of
  Markdown's block-level tags, from the first column of a line after a blank line to the
  end of a line before a blank line (or before another such block), with nothing in it
  that Markdown would read otherwise (a ``markdown`` attribute, a comment other than a
  data table, ``<script>``, ``<style>``, ``<pre>``, ``<textarea>``). Ids inside a sealed
  block are no anchors MkDocs knows of: a Markdown link to one would fail the strict build.
- **Copying every download.** Each disclosure publishes about 35 files; copying them into
  the site costs far more than the pages. :func:`on_files` hard-links every static file of
  the docs dir into the site dir before MkDocs copies static files; MkDocs then finds the
  destination is the same file and skips it (its documented ``SameFileError`` case, "let
  plugins write directly into site_dir"). Where a link is impossible (another file system),
  MkDocs copies the file as before.

And Python-Markdown runs each of its inline patterns over each text of a page (a table cell,
a heading, a list item), some 1,000 regular-expression searches on a disclosure page, most
over text in which none can match: :func:`on_config` adds :class:`PlainTextInline`, which
gives back at once a text that holds none of the characters the patterns start with.

The theme renders its navigation drawer (``partials/nav.html``) on every page, though on a
page that is not in the navigation (the 2,000 unit and disclosure pages) it differs only by
its links, relative to the page: :func:`on_env` renders it once per distinct set of links
(:func:`nav_key`) and gives the same HTML again.

And one thing that weighs on every page: the theme's templates indent their markup, 4.4 KB of
spaces on a disclosure page (BENCHMARKS.md, "artifact-slim"). :func:`on_post_page` writes each
run of white space that holds a line break as the line break alone
(:func:`collapse_whitespace`), which a browser renders the same, outside ``<pre>``,
``<textarea>``, ``<script>`` and ``<style>``, which it leaves as they are.

This module is loaded by MkDocs from its path, so it imports nothing of ``builder``.
"""

from __future__ import annotations

import functools
import os
import re
from typing import TYPE_CHECKING, Any

from markdown import Extension, Markdown
from markdown.treeprocessors import InlineProcessor
from markdown.util import BLOCK_LEVEL_ELEMENTS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from jinja2 import Environment
    from jinja2.runtime import Context
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

CAPTION_CLASS = "portal-caption"
_CAPTION = re.compile(rf'<p class="{CAPTION_CLASS}">(.*?)</p>\s*<table>', re.DOTALL)
RAW_OPEN = "<!--portal-raw\n"
RAW_CLOSE = "\n-->"
SEAL_OPEN = "<!--portal-html\n"
SEAL_CLOSE = "\n-->"
# Inside a seal, a data table's RAW_CLOSE (which would end the seal) is written as this;
# nothing we generate contains it otherwise (raw_html writes every ``--`` as ``-&#45;``).
SEALED_RAW_CLOSE = "\n-&#45;portal-raw>"
# Python-Markdown's block-level elements, less those whose content it reads otherwise.
BLOCK_TAGS = frozenset(BLOCK_LEVEL_ELEMENTS) - {"pre", "script", "style", "textarea", "hr"}
_BLOCK_START = re.compile(r"<([a-z][a-z0-9]*)[\s>]")
_RAW = re.escape(RAW_OPEN) + ".*?" + re.escape(RAW_CLOSE)
_RAW_TABLES = re.compile(_RAW, re.DOTALL)
# An element whose white space matters (or is code); a run of white space with a line break.
_KEPT_WHITESPACE = re.compile(
    r"<(pre|textarea|script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE
)
_LINE_BREAK_RUN = re.compile(r"\n\s*")  # and the spaces and tabs before it (see below)
_UNSEALABLE = re.compile(r"<(?:script|style|pre|textarea)\b|\smarkdown[\s=>]|<!--|--!?\s*>")


# Python-Markdown's inline patterns (by name, as it registers them) and the regular expression
# of each: none matches a text without one of the characters of _INLINE_MARKUP (a backtick,
# a backslash, ``[``, ``<``, ``&``, ``*``, ``_``) or two spaces before a line break.
INLINE_PATTERNS = {
    "backtick": r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)",
    "escape": r"\\(.)",
    "reference": r"(?<!\!)\[",
    "link": r"(?<!\!)\[",
    "image_link": r"\!\[",
    "image_reference": r"\!\[",
    "short_reference": r"(?<!\!)\[",
    "short_image_ref": r"\!\[",
    "autolink": r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>",
    "automail": r"<([^<> !]+@[^@<> ]+)>",
    "linebreak": r"  \n",
    "html": None,  # starts with "<" (its expression is long: checked by its start)
    "entity": r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)",
    "em_strong": r"\*|_",
}
_INLINE_MARKUP = re.compile(r"[`\\\[<&*_]|  \n")


class PlainTextInline(InlineProcessor):  # type: ignore[misc]
    """Python-Markdown's inline processor, which passes over a text that no inline pattern
    can match (:data:`INLINE_PATTERNS`): the same tree, without a search per pattern."""

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803 - the method it overrides
        if _INLINE_MARKUP.search(data) is None:
            return data
        handled: str = super()._InlineProcessor__handleInline(data, patternIndex)
        return handled


def _known_patterns(md: Markdown) -> bool:
    """Markdown's inline patterns are those of :data:`INLINE_PATTERNS`, as written there."""
    found = {
        item.name: md.inlinePatterns[item.name].compiled_re.pattern
        for item in md.inlinePatterns._priority
    }
    return found.keys() == INLINE_PATTERNS.keys() and all(
        found[name] == written if written is not None else found[name].startswith("(<")
        for name, written in INLINE_PATTERNS.items()
    )


class PlainTextExtension(Extension):  # type: ignore[misc]
    """Puts :class:`PlainTextInline` in place of Python-Markdown's inline processor when
    the inline patterns are the ones it knows (else leaves Markdown as it is)."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Markdown's name
        if _known_patterns(md):
            md.treeprocessors.register(PlainTextInline(md), "inline", 20)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Python-Markdown with :class:`PlainTextExtension` (the last extension: it sees the
    patterns of all the others)."""
    config.markdown_extensions.append(PlainTextExtension())
    return config


NAV_TEMPLATE = "partials/nav.html"


def _nav_items(items: list[Any]) -> Iterator[Any]:
    for item in items:
        yield item
        yield from _nav_items(item.children or [])


def nav_key(context: Context) -> tuple[object, ...] | None:
    """What the navigation drawer of the page of ``context`` depends on, when the page is
    not in the navigation (else None): each item's title and metadata, and each address it
    links to (the items', the home page's, the logo's) as the ``url`` filter writes it on
    this page. Every other value it reads (the config, the theme's features and words) is
    the same on every page of a run."""
    page, nav, config = context.get("page"), context.get("nav"), context.get("config")
    if page is None or nav is None or config is None:
        return None
    from mkdocs.utils import normalize_url  # noqa: PLC0415 - only inside MkDocs

    items = list(_nav_items(nav.items))
    if any(item is page or item.active for item in items):
        return None
    addresses = [config.theme.get("logo") or "", config.extra.get("homepage") or ""]
    addresses += [getattr(item, "url", None) or "" for item in items]
    if nav.homepage is not None:
        addresses.append(nav.homepage.url)
    return (
        tuple(normalize_url(address, page=page) for address in addresses),
        tuple((item.title, repr(getattr(item, "meta", None))) for item in items),
    )


def on_env(env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
    """The theme's navigation drawer rendered once per :func:`nav_key` (by each process):
    ``{% include %}`` renders a template by its ``root_render_func``, which is wrapped."""
    template = env.get_template(NAV_TEMPLATE)
    render = template.root_render_func
    rendered: dict[tuple[object, ...], str] = {}

    def root(context: Context) -> Iterator[str]:
        key = nav_key(context)
        if key is None:
            yield from render(context)
            return
        html = rendered.get(key)
        if html is None:
            html = rendered[key] = "".join(render(context))
        yield html

    template.root_render_func = root
    return env


def unwrap_raw(html: str) -> str:
    """``html`` with each ``RAW_OPEN … RAW_CLOSE`` comment replaced by what it holds."""
    return _open_comments(html, RAW_OPEN, RAW_CLOSE, "portal-raw", lambda body: body)


def _open_comments(
    html: str, opening: str, closing: str, name: str, inner: Callable[[str], str]
) -> str:
    """``html`` with each ``opening … closing`` comment replaced by ``inner`` of what it holds."""
    if opening not in html:
        return html
    head, *fragments = html.split(opening)
    out = [head]
    for fragment in fragments:
        body, closed, rest = fragment.partition(closing)
        if not closed:
            raise ValueError(f"a {name} comment is not closed")
        out += [inner(body), rest]
    return "".join(out)


def _element_end(text: str, start: int) -> int:
    """Where the block-level element that starts at ``start`` ends, if at a line's end;
    else -1. Data tables (:data:`RAW_OPEN`) inside it are passed over whole."""
    found = _BLOCK_START.match(text, start)
    if found is None or found.group(1) not in BLOCK_TAGS:
        return -1
    depth = 0
    for token in _tag_tokens(found.group(1)).finditer(text, start):
        if token.group().startswith(RAW_OPEN):
            continue
        depth += -1 if token.group().startswith("</") else 1
        if depth == 0:
            end = token.end()
            return end if text.startswith("\n", end) or end == len(text) else -1
    return -1


@functools.cache
def _tag_tokens(tag: str) -> re.Pattern[str]:
    """The start and end tags of ``tag``, and whole data tables."""
    return re.compile(rf"{_RAW}|<{tag}[\s>]|</{tag}>", re.DOTALL)


# What a match of _UNSEALABLE holds (a pattern with no fixed start is tried at every
# character of a block; these are looked for as strings first).
_UNSEALABLE_PARTS = ("<script", "<style", "<pre", "<textarea", "markdown", "<!--", "--")


def _sealable(block: str) -> bool:
    if SEALED_RAW_CLOSE in block:
        return False
    outside = _RAW_TABLES.sub("", block) if RAW_OPEN in block else block
    return not any(part in outside for part in _UNSEALABLE_PARTS) or not _UNSEALABLE.search(outside)


def _blocks(markdown: str) -> list[tuple[bool, str]]:
    """``markdown`` cut into sealable blocks (True) and the rest (False), in order."""
    out: list[tuple[bool, str]] = []
    start = position = 0  # the rest not yet cut, and the line looked at
    blank, fenced = True, False  # the line before is blank (or none); inside a code fence
    while position < len(markdown):
        line_end = markdown.find("\n", position)
        line_end = len(markdown) if line_end < 0 else line_end
        line = markdown[position:line_end]
        if line.startswith(("```", "~~~")):
            fenced = not fenced
        # (an element starts with "<": no chain starts elsewhere)
        chain = _chain(markdown, position) if blank and not fenced and line[:1] == "<" else []
        if chain:
            for first, last in chain:  # elements on consecutive lines, then a blank line
                out += [(False, markdown[start:first]), (True, markdown[first:last])]
                start = last
            position = chain[-1][1]
            blank = False
            continue
        blank = not line.strip()
        position = line_end + 1
    out.append((False, markdown[start:]))
    return out


def _chain(text: str, start: int) -> list[tuple[int, int]]:
    """The sealable elements from ``start`` on, each on the line after the one before,
    the last followed by a blank line (or the end); none if they are not that."""
    chain: list[tuple[int, int]] = []
    while True:
        end = _element_end(text, start)
        if end < 0 or not _sealable(text[start:end]):
            return []
        chain.append((start, end))
        if _blank_after(text, end):
            return chain
        start = end + 1


def _blank_after(text: str, end: int) -> bool:
    """The line after the one that ends at ``end`` is blank, or there is none."""
    if end >= len(text) - 1:
        return True
    after = text.find("\n", end + 1)
    return not text[end + 1 : len(text) if after < 0 else after].strip()


def seal_html(markdown: str) -> str:
    """``markdown`` with each run of finished HTML blocks sealed (see the module)."""
    pieces = _blocks(markdown)  # the rest, a block, the rest, …, the rest
    out: list[str] = [pieces[0][1]]
    run: list[str] = []
    for index in range(1, len(pieces), 2):
        run.append(pieces[index][1])
        between = pieces[index + 1][1]
        if index + 2 < len(pieces) and not between.strip():
            # Markdown writes blocks on consecutive lines so, and blank lines as one.
            run.append("\n" if between == "\n" else "\n\n")
            continue
        sealed = "".join(run).replace(RAW_CLOSE, SEALED_RAW_CLOSE)
        out += [SEAL_OPEN, sealed, SEAL_CLOSE, between]
        run = []
    return "".join(out)


def unseal_html(html: str) -> str:
    """``html`` with each sealed run (:func:`seal_html`) in place, its data tables raw."""
    return _open_comments(
        html,
        SEAL_OPEN,
        SEAL_CLOSE,
        "portal-html",
        lambda body: body.replace(SEALED_RAW_CLOSE, RAW_CLOSE),
    )


def caption_tables(html: str) -> str:
    """Each caption paragraph just before a Markdown table moved into it as ``<caption>``."""
    return _CAPTION.sub(r"<table>\n<caption>\1</caption>", html)


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """The page's Markdown with its finished HTML sealed (:func:`seal_html`)."""
    return seal_html(markdown)


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """The rendered page with its sealed HTML in place and its Markdown tables captioned."""
    return caption_tables(unseal_html(html))


def collapse_whitespace(html: str) -> str:
    """``html`` with each run of white space that holds a line break written as the line
    break alone, except inside ``<pre>``, ``<textarea>``, ``<script>`` and ``<style>``.

    The runs between those elements are each replaced in one ``re.sub`` with a plain
    string (no Python call per run: a disclosure page has some 2,000 of them)."""
    out: list[str] = []
    position = 0
    for kept in _KEPT_WHITESPACE.finditer(html):
        out += [_collapse_runs(html[position : kept.start()]), kept.group()]
        position = kept.end()
    out.append(_collapse_runs(html[position:]))
    return "".join(out)


def _collapse_runs(text: str) -> str:
    """``re.sub(r"[ \\t]*\\n\\s*", "\\n", text)``, in less than half its time: a pattern
    that starts with a line break is looked for as a string is (one that starts with a
    space is tried at every space of the page), and the spaces and tabs before each line
    break left are then taken off its line."""
    lines = _LINE_BREAK_RUN.sub("\n", text).split("\n")
    last = lines.pop()  # not followed by a line break: as it is
    return "\n".join([line.rstrip(" \t") for line in lines] + [last])


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    """The finished page with its raw fragments in place (after search has indexed it) and
    its indentation gone (:func:`collapse_whitespace`)."""
    return collapse_whitespace(unwrap_raw(output))


def _same_file(first: str, second: str) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def link_file(source: str, destination: str, folders: set[str] | None = None) -> bool:
    """Hard-link ``source`` at ``destination`` (replacing another file); False if impossible.

    ``folders``: the destination folders already made (each is made once).
    """
    if os.path.lexists(destination):
        if _same_file(source, destination):
            return True
        os.unlink(destination)
    folder = os.path.dirname(destination)
    if folders is None or folder not in folders:
        os.makedirs(folder, exist_ok=True)
        if folders is not None:
            folders.add(folder)
    try:
        os.link(source, destination)
    except OSError:  # another file system, or links not supported: MkDocs copies it
        return False
    return True


# The static files that on_files linked, by site dir (for the site's runner: linked_files).
_LINKED: dict[str, set[str]] = {}


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Hard-link the docs dir's static files into the site dir (MkDocs then skips them)."""
    from mkdocs.structure.files import InclusionLevel  # noqa: PLC0415 - only inside MkDocs

    docs = os.path.abspath(config.docs_dir) + os.sep
    folders: set[str] = set()
    linked = _LINKED[config.site_dir] = set()
    for file in files:
        source = file.abs_src_path
        if (
            source is None
            or file.is_documentation_page()
            or file.inclusion.value <= InclusionLevel.DRAFT.value  # not published
            or not source.startswith(docs)
        ):
            continue
        if not link_file(source, file.abs_dest_path, folders):
            break  # the first failure means none will work: leave the rest to MkDocs
        linked.add(file.src_uri)
    return files


def linked_files(*, config: MkDocsConfig) -> set[str]:
    """The static files (``src_uri``) that :func:`on_files` linked into the site dir: the
    site's runner (``builder.siterun.mkdocs_run``) does not ask MkDocs to copy them, which
    would only find each the same file (29 µs a file: two ``makedirs``, three ``stat``)."""
    return _LINKED.pop(config.site_dir, set())
