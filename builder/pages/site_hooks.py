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
- **Copying every download.** Each disclosure publishes about 35 files; copying them into
  the site costs far more than the pages. :func:`on_files` hard-links every static file of
  the docs dir into the site dir before MkDocs copies static files; MkDocs then finds the
  destination is the same file and skips it (its documented ``SameFileError`` case, "let
  plugins write directly into site_dir"). Where a link is impossible (another file system),
  MkDocs copies the file as before.

This module is loaded by MkDocs from its path, so it imports nothing of ``builder``.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.pages import Page

CAPTION_CLASS = "portal-caption"
_CAPTION = re.compile(rf'<p class="{CAPTION_CLASS}">(.*?)</p>\s*<table>', re.DOTALL)
RAW_OPEN = "<!--portal-raw\n"
RAW_CLOSE = "\n-->"


def unwrap_raw(html: str) -> str:
    """``html`` with each ``RAW_OPEN … RAW_CLOSE`` comment replaced by what it holds."""
    if RAW_OPEN not in html:
        return html
    head, *fragments = html.split(RAW_OPEN)
    out = [head]
    for fragment in fragments:
        body, closed, rest = fragment.partition(RAW_CLOSE)
        if not closed:
            raise ValueError("a portal-raw comment is not closed")
        out += [body, rest]
    return "".join(out)


def caption_tables(html: str) -> str:
    """Each caption paragraph just before a Markdown table moved into it as ``<caption>``."""
    return _CAPTION.sub(r"<table>\n<caption>\1</caption>", html)


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
    """The rendered page with its Markdown tables captioned."""
    return caption_tables(html)


def on_post_page(output: str, *, page: Page, config: MkDocsConfig) -> str:
    """The finished page with its raw fragments in place (after search has indexed it)."""
    return unwrap_raw(output)


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


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Hard-link the docs dir's static files into the site dir (MkDocs then skips them)."""
    from mkdocs.structure.files import InclusionLevel  # noqa: PLC0415 - only inside MkDocs

    docs = os.path.abspath(config.docs_dir) + os.sep
    folders: set[str] = set()
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
    return files
