"""Parts of a page loaded when the reader opens them: data tables and other collapsed blocks.

A disclosure page used to carry every data table, the chart data, the per-table files and
the self-assessments in its HTML, collapsed: most of its bytes, which a reader who only
reads the summary and the charts never opens. Such a block is now written as a section of
one static file beside the page, ``<page folder>/parts.html`` (every part of the page, one
file: a file per part cost each disclosure 26 files and 12.7 KB of their heads, BENCHMARKS.md
"artifact-slim"), and the page keeps only the collapsed block with its summary and a link to
its section, ``parts.html#<name>``:

- with JavaScript, ``parts.js`` fetches the file (once a page) when a block is opened (or
  when the address names the block, ``#<id>``, or before printing) and puts the content of
  the block's section in place;
- without JavaScript, the link opens the file itself at that section: a complete little page
  (UTF-8, the portal's stylesheet, a link back) that can be read, printed and shared.

The file lives in the page's folder, so every relative link in a part means the same in
the file and on the page. Only blocks left out of the search index are deferred: the index
reads the page, and it finds on it exactly what it found before.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from builder.pages.catalog import url_root
from builder.pages.markup import attr, text
from builder.pages.site_hooks import unwrap_raw
from builder.written import write_noted

PARTS_FILE = "parts.html.gz"  # a page's parts, gzipped, in the page's own folder
STYLESHEET = "assets/stylesheets/portal.css"
PART_CLASS = "portal-part"  # the paragraph with the link, replaced by the part when loaded
OPEN_LABEL = "下载此部分（压缩的网页）"
BACK_LABEL = "返回所在页面"
TITLE_SUFFIX = "：展开内容"  # the parts file's title: the page's, and this


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


@dataclass(frozen=True)
class Part:
    """One deferred block's content: its section id, its title and its body (safe HTML)."""

    name: str
    title: str
    body: str


def parts_document(page: str, title: str, parts: list[Part]) -> str:
    """Every part of a page as one page of its own, under the page's ``title``: each part a
    ``<section id="<name>">`` under its title (escaped; less the page's title before a
    ``：``, which the page's heading above says once), and a link back to the page."""
    root = url_root(page)  # from the page's folder (the file's) to the site root
    sections = "".join(
        f'<section id="{attr(part.name)}" data-portal-part>\n'
        f"<h2>{text(part.title.removeprefix(title + '：'))}</h2>\n"
        f"{unwrap_raw(part.body).strip()}\n</section>\n"
        for part in parts
    )
    return (
        "<!doctype html>\n"
        '<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width,initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{text(title + TITLE_SUFFIX)}</title>\n"
        f'<link rel="stylesheet" href="{attr(root + STYLESHEET)}">\n'
        "</head>\n<body>\n"
        f'<p><a href="./">{BACK_LABEL}</a></p>\n'
        f'<main class="md-typeset">\n<h1>{text(title)}</h1>\n{sections}</main>\n</body>\n</html>\n'
    )


@dataclass(frozen=True)
class Parts:
    """The parts of one page: where they go (the docs folder and the page), the page's title
    and, as the page is written, their content; :meth:`write` writes them once it is done."""

    docs_dir: Path
    page: str
    title: str
    parts: list[Part] = field(default_factory=list)
    shared: Path | None = None  # the docs dir ``docs_dir`` is moved into (a staging folder's)

    def details(self, summary: str, body: str, *, name: str, title: str, anchor: str = "") -> str:
        """A collapsed block whose ``body`` (safe HTML) is loaded when it is opened.

        ``body`` becomes the section ``name`` of the page's parts file, titled ``title``
        (which says what it is without the page around it); the returned block holds the
        summary (escaped), the section's name (``data-part``) and a link to the file (the
        same for every block of the page: the name is not repeated in it). ``anchor`` gives
        the block an id, so that ``#<anchor>`` opens it. The block is left out of search.
        """
        self._add(Part(name, title, body))
        ident = f' id="{attr(anchor)}"' if anchor else ""
        return (
            f'<details{ident} data-search-exclude data-part="{attr(name)}">\n'
            f"<summary>{text(summary)}</summary>\n"
            f'<p class="{PART_CLASS}">{self._link()}</p>\n'
            "</details>\n"
        )

    def searched_details(self, summary: str, body: str, rest: str, *, name: str, title: str) -> str:
        """A collapsed block whose ``rest`` (safe HTML) is on the page, searched, and whose
        ``body`` (safe HTML, left out of search) is loaded before it when the block is opened:
        a project's funding table, above its targets and results.

        ``body`` becomes the section ``name`` of the parts file, titled ``title``, as for
        :meth:`details`; its placeholder, the link to the file, is left out of search, so
        the search index reads what it read when the table was on the page (it left the
        table out).
        """
        self._add(Part(name, title, body))
        return (
            f'<details data-part="{attr(name)}">\n<summary>{text(summary)}</summary>\n'
            f'<p class="{PART_CLASS}" data-search-exclude>{self._link()}</p>\n'
            f"{rest.strip()}\n</details>\n"
        )

    def _add(self, part: Part) -> None:
        if any(known.name == part.name for known in self.parts):
            raise ValueError(f"{self.page}: two parts named {part.name!r}")
        self.parts.append(part)

    @staticmethod
    def _link() -> str:
        return f'<a href="{PARTS_FILE}" download>{OPEN_LABEL}</a>'

    def write(self) -> None:
        """Write the page's parts file, gzipped (none if the page has no part). The same
        parts give the same bytes: no time or name in the gzip header, zlib's level 6 (level
        9 took 1.8 ms a disclosure's 72 KB, level 6 1.0 ms, for 0.9% more bytes)."""
        if not self.parts:
            return
        target = self.docs_dir / page_folder(self.page) / PARTS_FILE
        target.parent.mkdir(parents=True, exist_ok=True)
        html = parts_document(self.page, self.title, self.parts)
        write_noted(target, gzip.compress(html.encode("utf-8"), compresslevel=6, mtime=0))


def read_parts(folder: Path) -> str | None:
    """The HTML of the parts file in a page's folder (of the docs or of the site), or None."""
    file = folder / PARTS_FILE
    return gzip.decompress(file.read_bytes()).decode("utf-8") if file.is_file() else None
