"""Where the bytes of a built site's disclosure pages go, averaged over its disclosures.

For each ``site/disclosures/<id>/``: the page (``index.html``) cut into the theme's chrome
before and after the article and each ``<h2>`` section of the article; its parts (a
``parts.html`` of sections, gzipped as ``parts.html.gz`` since "artifact-half", or the older
``parts/*.html`` files, one a part) by kind (data
tables, chart data, self-assessments, per-table files, glossary) and the bytes around the
parts' content (heads, titles, wrappers); and the white space the theme's indentation
takes (runs of white space holding a line break, less the line break). Then the Pages
artifact as its tar holds it: 512 bytes of header a file and its content padded to 512.
KB = 1,024 bytes, per disclosure. BENCHMARKS.md ("artifact-slim") has the figures.

    python -m benchmarks.page_bytes SITE
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
from collections import Counter
from pathlib import Path

KB = 1024
TAR_BLOCK = 512
_H2 = re.compile(r"<h2\b")
_TAGS = re.compile(r"<[^>]+>")
_INDENTATION = re.compile(r"[ \t]*\n\s*")
_SECTION = re.compile(
    r'<section id="([^"]+)" data-portal-part>\n<h2>.*?</h2>\n(.*?)</section>\n', re.DOTALL
)
_PART_FILE = re.compile(r"<main[^>]*>\n<h1>.*?</h1>\n(.*)</main>", re.DOTALL)


def size(text: str) -> int:
    return len(text.encode("utf-8"))


def part_kind(name: str) -> str:
    """The kind of a part from its name."""
    for prefix, kind in (("chart-", "chart data"), ("evaluation-", "self-assessments")):
        if name.startswith(prefix):
            return kind
    return name if name in ("files", "glossary") else "data tables"


def page_sections(html: str) -> Counter[str]:
    """The page's bytes: the chrome around the article, each section of the article."""
    out: Counter[str] = Counter()
    start, end = html.find("<article"), html.find("</article>")
    out["chrome before the article"] = size(html[:start])
    out["chrome after the article"] = size(html[end:])
    article = html[start:end]
    heads = [m.start() for m in _H2.finditer(article)]
    out["article: title and lead"] = size(article[: heads[0] if heads else len(article)])
    for first, last in zip(heads, [*heads[1:], len(article)], strict=True):
        heading = _TAGS.sub("", article[first : article.find("</h2>", first)])
        out["article: " + heading.replace("&para;", "").strip()] = size(article[first:last])
    out["of which indentation"] = sum(size(m.group()) - 1 for m in _INDENTATION.finditer(html))
    return out


def parts_bytes(folder: Path) -> Counter[str]:
    """The bytes of a page's parts: the content of each by kind (less its title), the bytes
    around it (heads, titles, wrappers), the files."""
    out: Counter[str] = Counter()
    for file in (folder / "parts.html", folder / "parts.html.gz"):
        if not file.is_file():
            continue
        stored = file.read_bytes()
        text = (gzip.decompress(stored) if file.suffix == ".gz" else stored).decode("utf-8")
        out["parts: file count"] += 1
        out["parts file as stored (gzipped or not)"] += len(stored)
        content = 0
        for found in _SECTION.finditer(text):
            out["parts: " + part_kind(found.group(1))] += size(found.group(2))
            content += size(found.group(2))
        out["parts: around the content"] += size(text) - content
    for path in sorted((folder / "parts").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        out["parts: file count"] += 1
        inside = _PART_FILE.search(text)
        content = size(inside.group(1)) if inside else 0
        out["parts: " + part_kind(path.stem)] += content
        out["parts: around the content"] += size(text) - content
    return out


def tar_bytes(site: Path) -> tuple[int, int]:
    """The site's files and the bytes of a tar of them (headers and padding, no folders)."""
    files = total = 0
    for directory, _, names in os.walk(site):
        for name in names:
            files += 1
            length = os.stat(os.path.join(directory, name)).st_size
            total += TAR_BLOCK + -(-length // TAR_BLOCK) * TAR_BLOCK
    return files, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built site (OUTPUT/site)")
    args = parser.parse_args()
    totals: Counter[str] = Counter()
    count = 0
    for folder in sorted(p for p in (args.site / "disclosures").iterdir() if p.is_dir()):
        count += 1
        html = (folder / "index.html").read_text(encoding="utf-8")
        totals["page"] += size(html)
        totals.update(page_sections(html))
        totals.update(parts_bytes(folder))
    totals["parts, in all"] = sum(
        value
        for key, value in totals.items()
        if key.startswith("parts: ") and key != "parts: file count"
    )
    print(f"{count} disclosures; per disclosure (KB; the parts' file count: files):\n")
    # "parts, in all" and "parts: …" are the parts' HTML; the file as stored is a line of its own.
    print("| | KB |\n|---|---:|")
    for key, value in totals.most_common():
        shown = (
            f"{value / count:.1f}" if key == "parts: file count" else f"{value / count / KB:.1f}"
        )
        print(f"| {key} | {shown} |")
    files, tar = tar_bytes(args.site)
    print(f"\nthe site in a tar: {files} files, {tar / 2**20:.1f} MB")


if __name__ == "__main__":
    main()
