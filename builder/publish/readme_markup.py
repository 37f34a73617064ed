"""Text from a record or a document made safe for a package README (Markdown).

The READMEs are read as plain text and rendered by GitHub, GitLab, data portals and MkDocs,
so a licence, a source URL, a unit name or a printed title must reach them as text, never as
markup: :func:`markdown_text` backslash-escapes every character with an inline Markdown meaning
(code, emphasis, links and images, tables, headings, strikethrough, math, attribute lists,
escapes), writes HTML's ``&``, ``<`` and ``>`` as entities (no tag, comment or entity of the
text survives), joins lines, and escapes a list or heading-underline marker at its start.
Parentheses need no escape once brackets are escaped, which keeps readable text such as
``Government public information (政府信息公开)`` as it is. :func:`web_link` links only an http(s)
address; :func:`code` quotes an identifier as a code span, whatever backticks it holds.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

MARKDOWN_ESCAPES = {
    **{ord(char): "\\" + char for char in "\\`*_{}[]#|!~$"},
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
}
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
# At a line start: a bullet, a setext underline or an ordered-list number would open a block.
BLOCK_START = re.compile(r"[-+=]|\d+[.)]")
WEB_SCHEMES = ("http", "https")
# The characters of an RFC 3986 URI; anything else (space, quotes, <, >) is not linked.
URI = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
NOT_LINKED = "(not an http(s) address: not linked)"


def one_line(value: object) -> str:
    """The value as text on one line: control characters and runs of spaces as one space."""
    return " ".join(CONTROL.sub(" ", str(value)).split())


def markdown_text(value: object) -> str:
    """Inline Markdown that shows ``value`` as written and makes no markup of it."""
    escaped = one_line(value).translate(MARKDOWN_ESCAPES)
    start = BLOCK_START.match(escaped)
    if start is not None:
        marker = start.end() - 1
        escaped = f"{escaped[:marker]}\\{escaped[marker:]}"
    return escaped


def code(value: object) -> str:
    """A code span of the value (shown literally), fenced longer than any backticks in it."""
    text = one_line(value)
    runs = [len(run) for run in re.findall("`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def is_web_address(url: str) -> bool:
    """An absolute http(s) URL with a host, of URI characters only."""
    if URI.fullmatch(url) is None:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:  # such as an unbalanced [ in the host
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.hostname)


def web_link(url: str) -> str:
    """An http(s) address as an autolink; anything else as escaped text, said not linked."""
    if is_web_address(url):
        return f"<{url}>"
    return f"{markdown_text(url)} {NOT_LINKED}"
