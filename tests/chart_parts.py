"""The charts of a generated page as the browser draws them: template and values put together.

A page embeds each chart as ``<div class="vega-chart" data-spec-template=… data-spec-values=…>``
(``builder/pages/embed.py``); ``charts.js`` fetches the two files (the values gzipped) and
fills the template in.
:func:`fill_template` does here what ``fillTemplate`` in ``charts.js`` does, written from its
rules (a string that is a slot marker becomes the slot's value, keys too; a marker inside a
longer string is replaced by the value's text; values are put in as given), not by calling
the builder's ``Template``, so the tests compare two implementations.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

CHART_DIV = re.compile(
    r'<div class="vega-chart" data-spec-template="([^"]+)" data-spec-values="([^"]+)" '
    r'data-chart-name="([^"]+)"></div>'
)
SLOT = re.compile("\ue000([a-z_]+)\ue001")


def fill_template(node: Any, values: dict[str, Any]) -> Any:
    """The template ``node`` with every slot filled in from ``values`` (by slot name)."""
    if isinstance(node, str):
        whole = SLOT.fullmatch(node)
        if whole:
            return values[whole.group(1)]
        return SLOT.sub(lambda match: _text(values[match.group(1)]), node)
    if isinstance(node, list):
        return [fill_template(item, values) for item in node]
    if isinstance(node, dict):
        return {
            fill_template(key, values): fill_template(item, values) for key, item in node.items()
        }
    return node


def _text(value: Any) -> str:
    assert isinstance(value, str), f"a slot inside a string needs text, not {value!r}"
    return value


def site_file(docs: Path, url: str) -> Path:
    """The docs file a page's root-relative URL (``../../assets/…``) names."""
    return docs / re.sub(r"^(\.\./|\./)+", "", url)


def page_charts(docs: Path, page: Path) -> dict[str, dict[str, Any]]:
    """The spec of each chart on the generated Markdown ``page``, by chart id."""
    specs = {}
    for template_url, values_url, name in CHART_DIV.findall(page.read_text(encoding="utf-8")):
        template = json.loads(site_file(docs, template_url).read_text(encoding="utf-8"))
        values = json.loads(gzip.decompress(site_file(docs, values_url).read_bytes()))  # .gz
        specs[name] = fill_template(template, values)
    return specs


def docs_charts(docs: Path) -> dict[str, dict[str, Any]]:
    """The spec of every chart on every generated page of ``docs``, by chart id."""
    specs: dict[str, dict[str, Any]] = {}
    for page in sorted(docs.rglob("*.md")):
        if ".staging" not in page.parts:
            specs.update(page_charts(docs, page))
    return specs
