"""The table schemas and the variants file agree with each other and with the parser."""

import pytest

from builder.parse.catalogue import load_catalogue
from builder.parse.tables import LAYOUTS

CATALOGUE = load_catalogue()
KINDS = sorted(CATALOGUE.kinds)


def test_both_families_are_complete() -> None:
    assert [k.number for k in CATALOGUE.family("final")] == [f"{n:02d}" for n in range(1, 11)]
    assert [k.number for k in CATALOGUE.family("budget")] == [str(n) for n in range(1, 16)]
    # tables some publishers print on their own (Shanghai): expected only when announced
    assert [k.number for k in CATALOGUE.expected("budget")] == [str(n) for n in range(1, 14)]


@pytest.mark.parametrize("stem", KINDS)
def test_schema_declares_what_the_parser_reads(stem: str) -> None:
    kind = CATALOGUE.kinds[stem]
    names = kind.field_names
    assert kind.layout in LAYOUTS
    assert len(set(names)) == len(names)
    assert {"row_number", "source_line"} <= set(names)
    columns = kind.columns if isinstance(kind.columns, dict) else {"": kind.columns}
    for block in columns.values():
        for column in block:
            assert column in names or column == "value", f"{stem}: {column} not a field"
    for field in kind.fields:
        assert field["title"], f"{stem}.{field['name']} has no Chinese title"
        if field["name"].endswith("_10k_yuan"):
            assert field["type"] == "number"
            assert field["unit"] == "万元"


@pytest.mark.parametrize("stem", KINDS)
def test_title_variants_resolve_to_their_kind(stem: str) -> None:
    kind = CATALOGUE.kinds[stem]
    for title in kind.titles:
        assert CATALOGUE.kind_for_title(f"2024年{title}", kind.family) is kind


def test_variant_titles_only_name_known_kinds() -> None:
    assert set(CATALOGUE.variants["titles"]) <= set(CATALOGUE.kinds)
