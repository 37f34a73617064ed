"""The glossary (``glossary.md``): every 名词解释 term of every disclosure.

Terms are merged by name. Where disclosures define a term in different words, every
wording is shown with the disclosures that use it: the documents are the authority, not us.
The glossary names the first :data:`INLINE_SOURCES` of a wording's disclosures and links to
the rest, listed a page at a time (``glossary/sources.md``, ``builder.pages.paging``): with a
link per source on the page, the glossary of 10,000 disclosures weighed 12.6 MB.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.pages.catalog import DisclosureEntry, Portal, link
from builder.pages.markup import front_matter, md_link, text
from builder.pages.paging import Listing
from builder.pages.templating import render

GLOSSARY = "glossary.md"
SOURCES = "glossary/sources.md"
SOURCES_TITLE = "名词解释的出处"
SOURCES_DESCRIPTION = "每个名词解释的每种表述出自哪些公开文件"
INLINE_SOURCES = 5  # a wording's disclosures named on the glossary; all on the sources pages
SOURCES_PER_PAGE = 800  # a source's row is about 250 bytes of HTML
EXCERPT = 16  # characters of a wording that name it in the list of sources


@dataclass(frozen=True)
class Source:
    """One disclosure that defines ``term`` in the words of wording ``wording`` (its
    ``anchor`` is set on the first source of each wording)."""

    term: str
    definition: str
    entry: DisclosureEntry
    anchor: str


def _terms(portal: Portal) -> dict[str, dict[str, list[DisclosureEntry]]]:
    terms: dict[str, dict[str, list[DisclosureEntry]]] = {}
    for entry in sorted(portal.disclosures, key=lambda e: (e.unit_name, e.order)):
        for item in entry.parsed["narrative"].get("glossary") or []:
            wordings = terms.setdefault(" ".join(str(item["term"]).split()), {})
            wordings.setdefault(" ".join(str(item["definition"]).split()), []).append(entry)
    return terms


def _excerpt(definition: str) -> str:
    return definition if len(definition) <= EXCERPT else definition[:EXCERPT] + "…"


def _source_cells(source: Source, page: str) -> list[str]:
    anchor = f'<span id="{source.anchor}"></span>' if source.anchor else ""
    return [
        anchor + text(source.term),
        text(_excerpt(source.definition)),
        md_link(source.entry.title, link(page, source.entry.page)),
    ]


def glossary_pages(portal: Portal) -> dict[str, str]:
    """The glossary and the pages of its sources: docs path → Markdown."""
    terms = _terms(portal)
    sources = [
        Source(term, definition, entry, f"w{t}-{w}" if i == 0 else "")
        for t, (term, wordings) in enumerate(terms.items(), start=1)
        for w, (definition, entries) in enumerate(wordings.items(), start=1)
        for i, entry in enumerate(entries)
    ]
    listing = Listing(
        SOURCES,
        sources,
        lambda source: source.term,
        _source_cells,
        ["名词", "表述", "公开文件"],
        ["left", "left", "left"],
        caption=SOURCES_TITLE,
        per_page=SOURCES_PER_PAGE,
    )
    where = {
        s.anchor: listing.path(listing.number_of(i)) for i, s in enumerate(sources) if s.anchor
    }
    body = render(
        "glossary.md.j2",
        terms=[
            {
                "term": term,
                "wordings": [
                    {
                        "definition": definition,
                        "count": len(entries),
                        "sources": [
                            {"title": e.title, "link": link(GLOSSARY, e.page)}
                            for e in entries[:INLINE_SOURCES]
                        ],
                        "all": link(GLOSSARY, where[f"w{t}-{w}"]) + f"#w{t}-{w}"
                        if len(entries) > INLINE_SOURCES
                        else "",
                    }
                    for w, (definition, entries) in enumerate(wordings.items(), start=1)
                ],
            }
            for t, (term, wordings) in enumerate(terms.items(), start=1)
        ],
    )
    glossary = front_matter("名词解释", "预算和决算公开文件中的名词解释") + body
    back = md_link("返回名词解释", link(SOURCES, GLOSSARY))
    first = (
        front_matter(SOURCES_TITLE, SOURCES_DESCRIPTION, search={"exclude": True})
        + f"# {SOURCES_TITLE}\n\n{back}。按名词和表述排列，共 {len(sources)} 处。\n\n"
        + listing.table(1)
    )
    intro = f"按名词和表述排列，共 {len(sources)} 处。"
    return {GLOSSARY: glossary, SOURCES: first, **listing.other_pages(SOURCES_TITLE, intro)}
