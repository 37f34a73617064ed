"""Long listings cut into pages, so a portal-wide page weighs the same at any size.

A listing with a row per disclosure, unit or source (the list of disclosures, of units, of
data packages, of the disclosures that define a glossary term) grew with the portal: at
10,000 disclosures the glossary page was 12.6 MB of HTML, too much for a phone. A
:class:`Listing` shows at most ``per_page`` rows on a page: the first page is the listing's
own (``disclosures/index.md``), the others are pages of their own in a ``pages`` folder
beside it (``disclosures/pages/2.md``; ``glossary/sources.md`` →
``glossary/sources/pages/2.md``). Each page carries a pager: the previous and next pages,
and a block that opens on every page named by the labels of its first and last rows (years,
unit names, terms), so a reader goes straight to the page of a year or a name. Its links
are plain links and the block a ``<details>``: both work without JavaScript. Rows keep
their order, so a disclosure whose figures change rewrites only the page that holds its row
(a file whose bytes are unchanged is left as it is: ``builder.pages.outputs.staged``).

The split pages are left out of the search index (they hold tables, which search skips)
and out of the sidebar (``not_in_nav`` in ``mkdocs.yml``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from builder.pages.markup import front_matter, md_table, text
from builder.pages.parts import page_folder, page_href

T = TypeVar("T")

PAGE_ROWS = 500  # rows of a page, unless a list says otherwise: a row is 250-400 bytes of HTML
PAGES_FOLDER = "pages"
PAGER_CLASS = "portal-pager"
PREVIOUS, NEXT = "上一页", "下一页"
ALL_PAGES = "各页的起止"  # the block that lists every page


def split_page(page: str, number: int) -> str:
    """The docs path of page ``number`` (from 1) of the listing whose first page is ``page``."""
    if number == 1:
        return page
    folder = page_folder(page)
    return (folder / PAGES_FOLDER / f"{number}.md").as_posix()


@dataclass(frozen=True)
class Listing(Generic[T]):
    """A table with a row per item, cut into pages of at most ``per_page`` rows.

    ``cells`` gives an item's cells on a page (safe Markdown; links relative to that page,
    which is why it takes the page), ``label`` what the pager calls the item (plain text).
    Each list names its ``per_page`` as a constant of its module (tests set it small).
    """

    page: str
    items: Sequence[T]
    label: Callable[[T], str]
    cells: Callable[[T, str], list[str]]
    headers: Sequence[str]
    align: Sequence[str]
    caption: str
    per_page: int

    @property
    def count(self) -> int:
        """How many pages (at least one, for an empty listing)."""
        return max(1, -(-len(self.items) // self.per_page))

    def items_of(self, number: int) -> Sequence[T]:
        start = (number - 1) * self.per_page
        return self.items[start : start + self.per_page]

    def number_of(self, index: int) -> int:
        """The page that shows item ``index`` (from 0)."""
        return index // self.per_page + 1

    def path(self, number: int) -> str:
        return split_page(self.page, number)

    def pager(self, number: int) -> str:
        """Links to the previous and next pages, and to every page, each named by its first
        and last rows, in a block that opens (none for one page)."""
        if self.count == 1:
            return ""
        here = self.path(number)

        def href(other: int) -> str:
            return page_href(here, self.path(other))

        names = []
        for other in range(1, self.count + 1):
            shown = self.items_of(other)
            first, last = self.label(shown[0]), self.label(shown[-1])
            name = text(f"第 {other} 页：{first}" + (f" – {last}" if last != first else ""))
            if other == number:
                names.append(f'<strong aria-current="page">{name}</strong>')
            else:
                names.append(f'<a href="{href(other)}">{name}</a>')
        steps = [f"第 {number} / {self.count} 页"]
        if number > 1:
            steps.append(f'<a href="{href(number - 1)}" rel="prev">{PREVIOUS}</a>')
        if number < self.count:
            steps.append(f'<a href="{href(number + 1)}" rel="next">{NEXT}</a>')
        label = text(f"{self.caption}：共 {len(self.items)} 行，{self.count} 页")
        items = "".join(f"<li>{one}</li>" for one in names)
        return (
            f'<nav class="{PAGER_CLASS}" aria-label="{label}">'
            f"<p>{label}。{' '.join(steps)}</p>"
            f"<details><summary>{ALL_PAGES}</summary><ol>{items}</ol></details></nav>\n"
        )

    def rows_table(self, number: int) -> str:
        """Page ``number``'s rows as a Markdown table."""
        here = self.path(number)
        caption = self.caption if self.count == 1 else f"{self.caption}（第 {number} 页）"
        rows = [self.cells(item, here) for item in self.items_of(number)]
        return md_table(self.headers, rows, self.align, caption=caption)

    def table(self, number: int) -> str:
        """Page ``number``'s rows as a Markdown table, after the pager."""
        return self.pager(number) + "\n" + self.rows_table(number)

    def pages(self, title: str, description: str, intro: str) -> dict[str, str]:
        """A list that is a page of its own: the first page (``intro`` then the table) and
        :meth:`other_pages`; docs path → Markdown (``intro`` is plain text, escaped here)."""
        first = [
            front_matter(title, description),
            f"# {text(title)}\n",
            f"<p>{text(intro)}</p>\n",
            self.table(1),
        ]
        return {self.page: "\n".join(first), **self.other_pages(title, intro)}

    def other_pages(self, title: str, intro: str = "") -> dict[str, str]:
        """Pages 2 and on, each complete (front matter, heading, a link back to the first
        page, the table and pager): docs path → Markdown."""
        pages = {}
        for number in range(2, self.count + 1):
            here = self.path(number)
            back = page_href(here, self.page)
            name = f"{title}（第 {number} 页）"
            head = front_matter(name, self.caption, search={"exclude": True})
            pages[here] = (
                f"{head}# {text(name)}\n\n"
                f'<p><a href="{back}">{text("返回" + title)}</a>。{intro}</p>\n\n'
                f"{self.table(number)}"
            )
        return pages
