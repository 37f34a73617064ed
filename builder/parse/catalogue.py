"""The catalogue of table kinds and publisher variants, loaded from data files.

Table kinds come from ``builder/declarations/<stem>.schema.yaml`` (one declaration per kind:
fields, titles and, under ``x-table``, the printed layout). Publisher variation (title
variants, table-number formats, item aliases, traditional characters) comes from
``builder/parse/variants.yaml``. Nothing here restates a column list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

from builder import declarations
from builder.parse.patterns import Patterns

NAME_CACHE = 1 << 16  # distinct texts whose folded name is remembered
LAYOUT_PACKAGE = "builder.parse.layouts"

_ORDINAL_PREFIX = re.compile(
    r"^(?:[一二三四五六七八九十]+、|\(\s*[一二三四五六七八九十]+\s*\)|\d+[.、．])\s*"
)
_CIRCLED = re.compile(r"^[\u2460-\u2473]")
_YEAR_PREFIX = re.compile(r"^\d{4}\s*年(?:度)?")
# A title may carry the scope before its name (部门收支总表, 单位财务收支预算总表: the
# variants' scopes, ``Patterns.scope_prefix``) and its quotes may be printed in another font
# and lost ("三公" → 三公): both are dropped.
_TITLE_QUOTES = re.compile(r"[\"']")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})


@dataclass(frozen=True)
class TableKind:
    """One kind of standard table, as declared in its schema file."""

    stem: str
    family: str
    number: str
    title: str
    layout: str
    columns: Any
    options: dict[str, Any]
    fields: list[dict[str, Any]]
    titles: tuple[str, ...]

    @property
    def optional(self) -> bool:
        """Printed by some publishers only: not expected unless announced."""
        return bool(self.options.get("optional", False))

    @property
    def field_names(self) -> list[str]:
        return list(self._field_names)

    @property
    def amount_fields(self) -> list[str]:
        return list(self._amount_fields)

    @cached_property
    def _field_names(self) -> tuple[str, ...]:  # read once: the rules ask for them per row
        return tuple(field["name"] for field in self.fields)

    @cached_property
    def _amount_fields(self) -> tuple[str, ...]:
        return tuple(f["name"] for f in self.fields if declarations.is_amount(f))


@dataclass(frozen=True)
class Catalogue:
    """All table kinds and the publisher variants."""

    kinds: dict[str, TableKind]
    variants: dict[str, Any]
    # folded names remembered: table texts repeat a great deal (bounded, see ``name``)
    folded: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    # titles folded (``normalise_title``) remembered, as names are (bounded)
    folded_titles: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    # the kind of each title-like text already looked up, by text and family (bounded)
    titled: dict[tuple[str, str | None], TableKind | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def expected(self, family: str) -> list[TableKind]:
        """The kinds every disclosure of the family should print."""
        return [kind for kind in self.family(family) if not kind.optional]

    def family(self, family: str) -> list[TableKind]:
        kinds = [kind for kind in self.kinds.values() if kind.family == family]
        return sorted(kinds, key=lambda kind: int(kind.number))

    def kind_for_title(self, text: str, family: str | None) -> TableKind | None:
        """The table kind whose title variant equals ``text`` (normalised, year dropped), or
        equals what follows the unit and year a title may start with
        (``上海市XX局2024年度收入支出决算总表``). Remembered: every line of a disclosure
        is looked up as a possible title."""
        key = (text, family)
        if key in self.titled:
            return self.titled[key]
        if len(self.titled) >= NAME_CACHE:
            self.titled.clear()
        found = self.titled[key] = self._kind_for_title(text, family)
        return found

    def _kind_for_title(self, text: str, family: str | None) -> TableKind | None:
        name = self.title_name(text)
        candidates = self.family(family) if family else list(self.kinds.values())
        for kind in candidates:
            if name in kind.titles:
                return kind
        prefixed = self.patterns.unit_year_prefix.match(normalise_name(text, self.traditional))
        if prefixed:
            rest = self.title_name(prefixed["rest"])
            return next((kind for kind in candidates if rest in kind.titles), None)
        return None

    def kind_for_number(self, number: int, family: str) -> TableKind | None:
        for kind in self.family(family):
            if int(kind.number) == number:
                return kind
        return None

    @cached_property
    def patterns(self) -> Patterns:
        """The layout words of the variants as compiled patterns (``builder.parse.patterns``)."""
        return Patterns.of(self.variants)

    @cached_property
    def total_names(self) -> frozenset[str]:
        """The labels of a total row (variants ``total_names``), folded."""
        return frozenset(self.name(label) for label in self.variants["total_names"])

    @cached_property
    def column_number_labels(self) -> frozenset[str]:
        """The labels of a line of column numbers (variants ``column_number_labels``: 栏次)."""
        return frozenset(self.variants["column_number_labels"])

    def is_note(self, name: str) -> bool:
        """Whether a title-like ``name`` is a note (variants ``note_words``: 注, 说明)."""
        return name.startswith(tuple(self.variants["note_words"]))

    def is_contents_heading(self, text: str) -> bool:
        """Whether ``text`` is the heading of a table of contents (variants
        ``contents_headings``: 目录)."""
        return self.name(text) in {self.name(word) for word in self.variants["contents_headings"]}

    def is_total(self, text: str) -> bool:
        """Whether ``text`` labels a table's total row (合计, 总计)."""
        return self.name(text) in self.total_names

    @property
    def traditional(self) -> dict[str, str]:
        table: dict[str, str] = self.variants["traditional"]
        return table

    def name(self, text: str) -> str:
        """``text`` folded for comparison (``normalise_name``), remembered."""
        found = self.folded.get(text)
        if found is None:
            if len(self.folded) >= NAME_CACHE:
                self.folded.clear()
            found = self.folded[text] = normalise_name(text, self.traditional)
        return found

    def title_name(self, text: str) -> str:
        """``text`` folded as a title (``normalise_title``), remembered: every line of a
        disclosure is tried as a possible title."""
        found = self.folded_titles.get(text)
        if found is None:
            if len(self.folded_titles) >= NAME_CACHE:
                self.folded_titles.clear()
            found = normalise_title(text, self.traditional, self.patterns)
            self.folded_titles[text] = found
        return found

    def alias(self, table: str, text: str) -> str | None:
        """Look ``text`` up in the alias table ``table`` of the variants file."""
        aliases: dict[str, str] = self.variants[table]
        return aliases.get(self.name(text))


def normalise_name(text: str, traditional: dict[str, str]) -> str:
    """Fold a printed name for comparison: NFKC, no spaces, unified quotes, simplified."""
    folded = unicodedata.normalize("NFKC", _CIRCLED.sub("", text.strip())).translate(_QUOTES)
    folded = "".join(traditional.get(char, char) for char in folded if not char.isspace())
    previous = None
    while previous != folded:
        previous = folded
        folded = _ORDINAL_PREFIX.sub("", folded)
    return folded


def normalise_title(text: str, traditional: dict[str, str], patterns: Patterns) -> str:
    """A table title without its leading year, ordinal, scope or dotted page reference."""
    name = normalise_name(text, traditional)
    name = patterns.table_number_prefix.sub("", name)
    name = re.sub(r"\.{2,}.*$|…+.*$", "", name)
    name = _YEAR_PREFIX.sub("", name)
    name = patterns.scope_prefix.sub("", _TITLE_QUOTES.sub("", name))
    return normalise_name(name, traditional)


def _load_yaml(name: str, package: str) -> Any:
    return declarations.load_yaml(resources.files(package).joinpath(name).read_text("utf-8"))


@cache
def load_catalogue(layout: str | None = None) -> Catalogue:
    """Load every schema file and the variants file (cached), with the data of one layout
    family (``builder/parse/layouts/<layout>.yaml``) merged in when one is named."""
    variants = _load_yaml("variants.yaml", "builder.parse")
    extra: dict[str, Any] = load_layouts()[layout] if layout else {}
    variants = merge_variants(variants, extra.get("variants", {}))
    patterns = Patterns.of(variants)
    traditional = variants["traditional"]
    kinds: dict[str, TableKind] = {}
    for name in declarations.table_kinds():
        schema = declarations.declaration(name)
        table = dict(schema["x-table"])
        stem = schema["name"]
        titles = [
            schema["title"],
            *variants["titles"].get(stem, []),
            *extra.get("titles", {}).get(stem, []),
        ]
        kinds[stem] = TableKind(
            stem=stem,
            family=table.pop("family"),
            number=str(table.pop("number")),
            title=schema["title"],
            layout=table.pop("layout"),
            columns=table.pop("columns"),
            options=table,
            fields=schema["fields"],
            titles=tuple(dict.fromkeys(normalise_title(t, traditional, patterns) for t in titles)),
        )
    return Catalogue(kinds, variants)


def merge_variants(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """The variants with a layout family's additions: mappings updated, lists extended."""
    merged = dict(base)
    for key, value in extra.items():
        if key not in base:
            raise ValueError(f"layout data names an unknown variants key: {key}")
        if isinstance(value, dict):
            merged[key] = {**base[key], **value}
        elif isinstance(value, list):
            merged[key] = [*base[key], *value]
        else:
            raise ValueError(f"layout data for {key} must be a mapping or a list")
    return merged


@cache
def load_layouts() -> dict[str, dict[str, Any]]:
    """Every layout family's data file, by name."""
    layouts: dict[str, dict[str, Any]] = {}
    folder = resources.files(LAYOUT_PACKAGE)
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            data = declarations.load_yaml(entry.read_text(encoding="utf-8"))
            layouts[str(data["name"])] = data
    return layouts


def pick_layout(texts: Sequence[str]) -> tuple[str | None, list[str]]:
    """The layout family whose evidence the texts show most (None: the generic data), and
    the evidence found."""
    joined = "\n".join("".join(text.split()) for text in texts)
    best: tuple[int, str | None, list[str]] = (0, None, [])
    tied = False
    for name, data in load_layouts().items():
        found = [p for p in data.get("evidence", []) if re.search(p, joined, re.MULTILINE)]
        if len(found) > best[0]:
            best, tied = (len(found), name, found), False
        elif found and len(found) == best[0]:
            tied = True
    if tied:
        return None, []
    return best[1], best[2]
