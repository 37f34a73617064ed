"""The glossary page (``glossary.md``): every 名词解释 term of every disclosure.

Terms are merged by name. Where disclosures define a term in different words, every
wording is shown with the disclosures that use it: the documents are the authority, not us.
"""

from __future__ import annotations

from builder.pages.catalog import DisclosureEntry, Portal, link
from builder.pages.markup import front_matter
from builder.pages.templating import render

GLOSSARY = "glossary.md"


def glossary_page(portal: Portal) -> str:
    terms: dict[str, dict[str, list[DisclosureEntry]]] = {}
    for entry in sorted(portal.disclosures, key=lambda e: (e.unit_name, e.order)):
        for item in entry.parsed["narrative"].get("glossary") or []:
            wordings = terms.setdefault(" ".join(str(item["term"]).split()), {})
            wordings.setdefault(" ".join(str(item["definition"]).split()), []).append(entry)
    body = render(
        "glossary.md.j2",
        terms=[
            {
                "term": term,
                "wordings": [
                    {
                        "definition": definition,
                        "sources": [
                            {"title": e.title, "link": link(GLOSSARY, e.page)} for e in entries
                        ],
                    }
                    for definition, entries in wordings.items()
                ],
            }
            for term, wordings in terms.items()
        ],
    )
    return front_matter("名词解释", "预算和决算公开文件中的名词解释") + body
