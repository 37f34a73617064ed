"""The glossary page (``glossary.md``): every 名词解释 term of every disclosure.

Terms are merged by name. Where disclosures define a term in different words, every
wording is shown with the disclosures that use it: the documents are the authority, not us.
"""

from __future__ import annotations

from builder.pages.catalog import DisclosureEntry, Portal, link
from builder.pages.markup import front_matter, md_link, text

GLOSSARY = "glossary.md"


def glossary_page(portal: Portal) -> str:
    terms: dict[str, dict[str, list[DisclosureEntry]]] = {}
    for entry in sorted(portal.disclosures, key=lambda e: (e.unit_name, e.order)):
        for item in entry.parsed["narrative"].get("glossary") or []:
            wordings = terms.setdefault(" ".join(str(item["term"]).split()), {})
            wordings.setdefault(" ".join(str(item["definition"]).split()), []).append(entry)
    out = [front_matter("名词解释", "预算和决算公开文件中的名词解释")]
    out.append("# 名词解释\n")
    out.append(
        f"<p>以下 {len(terms)} 个名词解释摘自各公开文件的“名词解释”部分。"
        "同一名词在不同文件中表述不同时，分别列出并注明出处。</p>\n"
    )
    for term, wordings in terms.items():
        out.append(f"### {text(term)}\n")
        for definition, entries in wordings.items():
            sources = "，".join(md_link(e.title, link(GLOSSARY, e.page)) for e in entries)
            out.append(f"<p>{text(definition)}</p>\n")
            out.append(f"出处：{sources}\n")
    return "\n".join(out)
