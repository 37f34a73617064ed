"""Parts of a page loaded when the reader opens them: data tables and other collapsed blocks.

A disclosure page used to carry every data table, the chart data, the per-table files and
the self-assessments in its HTML, collapsed: most of its bytes, which a reader who only
reads the summary and the charts never opens. Such a block is now written as a small
static file beside the page, ``<page folder>/parts/<name>.html``, and the page keeps only
the collapsed block with its summary and a link to that file:

- with JavaScript, ``parts.js`` fetches the file when the block is opened (or when the
  address names the block, ``#<id>``, or before printing) and puts its content in place;
- without JavaScript, the link opens the file itself: a complete little page (UTF-8, the
  portal's stylesheet, a link back) that can be read, printed and shared on its own.

The file's ``<base>`` is the page's folder, so every relative link in the part means the
same in the file and on the page. Only blocks left out of the search index are deferred:
the index reads the page, and it finds on it exactly what it found before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from builder.pages.catalog import url_root
from builder.pages.markup import attr, text
from builder.pages.site_hooks import unwrap_raw

PARTS = "parts"  # the folder of a page's parts, inside the page's own folder
STYLESHEET = "assets/stylesheets/portal.css"
PART_CLASS = "portal-part"  # the paragraph with the link, replaced by the part when loaded
OPEN_LABEL = "打开此部分（单独页面）"
BACK_LABEL = "返回所在页面"


def page_folder(page: str) -> PurePosixPath:
    """The folder of a page's URL in the site: ``disclosures/x.md`` → ``disclosures/x``,
    ``units/index.md`` → ``units``, ``index.md`` → ``.``."""
    path = PurePosixPath(page).with_suffix("")
    return path.parent if path.name == "index" else path


def page_href(from_page: str, to_page: str) -> str:
    """A link from one page's URL to another's, for raw HTML (which MkDocs leaves as it is):
    ``index.md`` → ``units/u1.md`` is ``units/u1/``."""
    folder = page_folder(to_page).as_posix()
    return url_root(from_page) + ("" if folder == "." else folder + "/")


def part_document(page: str, title: str, body: str) -> str:
    """The part as a page of its own: ``body`` (safe HTML) under ``title`` and a link back."""
    root = url_root(page)  # from the page's folder (the part's <base>) to the site root
    return (
        "<!doctype html>\n"
        '<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width,initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        '<base href="../">\n'
        f"<title>{text(title)}</title>\n"
        f'<link rel="stylesheet" href="{attr(root + STYLESHEET)}">\n'
        "</head>\n<body>\n"
        f'<p><a href="./">{BACK_LABEL}</a></p>\n'
        f'<main class="md-typeset" data-portal-part>\n<h1>{text(title)}</h1>\n'
        f"{unwrap_raw(body).strip()}\n</main>\n</body>\n</html>\n"
    )


def deferred_details(  # noqa: PLR0913 - the block, where it lives and what it is called
    summary: str,
    body: str,
    *,
    docs_dir: Path,
    page: str,
    name: str,
    title: str,
    anchor: str = "",
) -> str:
    """A collapsed block whose ``body`` (safe HTML) is loaded when it is opened.

    ``body`` is written to ``<page folder>/parts/<name>.html`` under ``docs_dir``, as a
    page titled ``title`` (which says what it is without the page around it); the
    returned block holds the summary (escaped) and a link to that file. ``anchor`` gives the
    block an id, so that ``#<anchor>`` opens it. The block is left out of search.
    """
    relative = f"{PARTS}/{name}.html"
    target = docs_dir / page_folder(page) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(part_document(page, title, body), encoding="utf-8")
    ident = f' id="{attr(anchor)}"' if anchor else ""
    return (
        f'<details{ident} data-search-exclude data-part="{attr(relative)}">\n'
        f"<summary>{text(summary)}</summary>\n"
        f'<p class="{PART_CLASS}"><a href="{attr(relative)}">{OPEN_LABEL}</a></p>\n'
        "</details>\n"
    )


@dataclass(frozen=True)
class Parts:
    """Where the parts of one page go: the docs folder and the page."""

    docs_dir: Path
    page: str

    def details(self, summary: str, body: str, *, name: str, title: str, anchor: str = "") -> str:
        """:func:`deferred_details` of this page."""
        return deferred_details(
            summary,
            body,
            docs_dir=self.docs_dir,
            page=self.page,
            name=name,
            title=title,
            anchor=anchor,
        )
