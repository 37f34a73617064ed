"""The narrative of a disclosure page: the unit's duties (near the top) and the 情况说明
(collapsed, one block per numbered part).

Two repairs of what the PDF text did to the narrative, both shown, never hidden:

- a numbered item of a list (``（八）提出……使用建``) that a page or line break turned into
  a heading is joined back to the list it belongs to (the section before it is in the
  middle of the same kind of numbered list), heading and continuation as one line;
- a part whose text is only its sub-sections prints no "no text" note.
"""

from __future__ import annotations

import re
from typing import Any

from builder.pages.markup import details, paragraphs, text

Section = dict[str, Any]
_LIST_ITEM = re.compile(r"^\s*[（(][一二三四五六七八九十]+[)）]")
NO_TEXT = "（原文此节无正文）"


def _is_list_item(line: str) -> bool:
    return bool(_LIST_ITEM.match(line))


def join_broken_items(sections: list[Section]) -> list[Section]:
    """Sections with each list item that became a heading joined back to the section before.

    A heading is a broken list item when it is numbered ``（n）`` and the section before
    ends with an item numbered the same way (it was in the middle of that list).
    """
    out: list[Section] = []
    for section in sections:
        heading = str(section.get("heading") or "")
        before = out[-1] if out else None
        last = str((before or {}).get("text") or "").rstrip().rsplit("\n", 1)[-1]
        if before is not None and _is_list_item(heading) and _is_list_item(last):
            rest = str(section.get("text") or "")
            first, _, tail = rest.partition("\n")
            joined = f"{before['text'].rstrip()}\n{heading}{first}"
            out[-1] = {**before, "text": f"{joined}\n{tail}" if tail else joined}
            continue
        out.append(section)
    return out


def overview_section(parsed: dict[str, Any]) -> str:
    """职责 and 机构设置, after the summary, open: what the unit is for."""
    sections = join_broken_items(list(parsed["narrative"].get("overview") or []))
    if not sections:
        return ""
    out = ["## 单位职责与机构\n"]
    for section in sections:
        body = paragraphs(section.get("text"))
        # A publisher may print the text with no heading of its own (Shanghai).
        heading = section.get("heading") or "单位概况"
        out.append(details(str(heading), body or f"<p>{text(NO_TEXT)}</p>"))
    return "\n".join(out)


def explanations_section(parsed: dict[str, Any]) -> str:
    """The 情况说明, one collapsed block per part (its sub-sections inside it)."""
    sections = join_broken_items(list(parsed["narrative"].get("explanations") or []))
    if not sections:
        return ""
    parts: list[tuple[str, list[str]]] = []
    for index, section in enumerate(sections):
        level = section.get("level", 1)
        body = paragraphs(section.get("text"))
        has_children = index + 1 < len(sections) and sections[index + 1].get("level", 1) > level
        if not body and not has_children:
            body = f'<p class="portal-muted">{text(NO_TEXT)}</p>'
        if level == 1 or not parts:
            parts.append((str(section.get("heading") or "说明"), [body] if body else []))
        else:
            parts[-1][1].append(f"<p><strong>{text(section['heading'])}</strong></p>\n{body}")
    out = ["## 情况说明\n"]
    out += [details(heading, "\n".join(bodies)) for heading, bodies in parts]
    return "\n".join(out)
