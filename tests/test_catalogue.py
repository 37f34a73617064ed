"""The table schemas and the variants file agree with each other and with the parser."""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder import declarations
from builder.parse import catalogue
from builder.parse.catalogue import Catalogue, load_catalogue, load_layouts
from builder.parse.columns import header_text
from builder.parse.document import parse_source
from builder.parse.generic import read_other_table
from builder.parse.patterns import MONEY_FACTORS, MONEY_SCALES, Patterns
from builder.parse.recognise import is_title_like, strip_continuation
from builder.parse.summary import layout_line, to_json
from builder.parse.tables import LAYOUTS, is_column_numbers
from builder.sources.reading import Line, clean_line, read_source
from builder.validate import claims, text
from tests.conftest import BUNDLED

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


# --------------------------------------------------------------------------- every key read


def parses_of_the_bundled_texts() -> list[str]:
    """The whole parse of every bundled text (seeds and Shanghai), or the error it raised."""
    out = []
    for path in BUNDLED:
        try:
            out.append(to_json(parse_source(read_source(path))))
        except Exception as error:  # the mutation may break anything: that counts
            out.append(f"raised {error!r}")
    return out


def reload_catalogue() -> None:
    load_catalogue.cache_clear()
    load_layouts.cache_clear()


@pytest.fixture(scope="module")
def unmutated() -> list[str]:
    return parses_of_the_bundled_texts()


VARIANTS = yaml.safe_load((Path(catalogue.__file__).parent / "variants.yaml").read_text("utf-8"))
LAYOUT_FILES = sorted((Path(catalogue.__file__).parent / "layouts").glob("*.yaml"))


# Keys whose words no bundled text prints where they matter (a title-like 说明…表 line; a
# 栏次 line that the header words would not skip anyway): read, as the named test shows.
SHOWN_INLINE = {
    "note_words": "test_a_note_that_looks_like_a_title_is_known_by_the_declared_words",
    "column_number_labels": "test_a_line_of_column_numbers_is_known_by_the_declared_label",
}


@pytest.mark.parametrize("key", sorted(set(VARIANTS) - set(SHOWN_INLINE)))
def test_every_key_of_the_variants_is_read(
    key: str, unmutated: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleting a key of variants.yaml changes (or breaks) the parse of a bundled text: no
    key is data that nothing reads (kinds, scopes and meta_labels once were)."""
    real = catalogue._load_yaml

    def without(name: str, package: str) -> Any:
        data = real(name, package)
        if name == "variants.yaml":
            del data[key]
        return data

    monkeypatch.setattr(catalogue, "_load_yaml", without)
    reload_catalogue()
    try:
        assert parses_of_the_bundled_texts() != unmutated, f"nothing reads variants {key!r}"
    finally:
        monkeypatch.undo()
        reload_catalogue()


@pytest.mark.parametrize("path", LAYOUT_FILES, ids=lambda path: path.stem)
def test_every_key_of_a_layout_file_is_read(path: Path) -> None:
    """A layout file holds only keys the parser reads (evidence, titles, variants; name and
    title name the family in the parse summary)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) == {"name", "title", "evidence", "titles", "variants"}
    assert set(data["variants"]) <= set(VARIANTS)
    assert set(data["titles"]) <= set(CATALOGUE.kinds)


def test_the_parse_summary_names_the_layout_family_by_its_title() -> None:
    line = layout_line({"layout": {"family": "shanghai", "evidence": ["^上海市"]}})
    assert line == "shanghai 上海市区级部门预算、决算 (evidence: ^上海市)"


# The layout words once written into regexes, now read from variants.yaml: altering each
# (not only deleting it) changes the parse of the bundled texts, and nothing raises.
ALTERED = {
    "contents_headings": ["目次"],  # 目录 no longer ends the cover
    "part_heading": {"before": "第", "after": "章"},  # 第三部分 no longer a part heading
    "definition_verbs": ["是对", "指"],  # “基本支出是指…” splits before 指: term 基本支出是
    "section_kinds": {"mandate": ["职能范围"], "organisation": ["机构设置"]},  # 职责 unknown
    "lone_year_header": "数额",  # a column headed 2024年 no longer matches 金额
}


@pytest.mark.parametrize("key", sorted(ALTERED))
def test_an_altered_layout_word_changes_the_parse(
    key: str, unmutated: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = catalogue._load_yaml

    def altered(name: str, package: str) -> Any:
        data = real(name, package)
        if name == "variants.yaml":
            assert key in data
            data[key] = ALTERED[key]
        return data

    monkeypatch.setattr(catalogue, "_load_yaml", altered)
    reload_catalogue()
    try:
        parses = parses_of_the_bundled_texts()
        assert not [p for p in parses if isinstance(p, str) and p.startswith("raised")]
        assert parses != unmutated, f"nothing reads the words of variants {key!r}"
    finally:
        monkeypatch.undo()
        reload_catalogue()


def test_the_glossary_splits_at_the_declared_verbs() -> None:
    patterns = CATALOGUE.patterns
    assert patterns.definition_split.split("基本支出是指人员经费和公用经费", 1) == [
        "基本支出",
        "是指人员经费和公用经费",
    ]
    assert patterns.definition_split.split("三公经费指因公出国（境）费", 1) == [
        "三公经费",
        "指因公出国（境）费",
    ]


def test_a_continued_title_is_known_by_the_declared_marks(monkeypatch: pytest.MonkeyPatch) -> None:
    """续表 / (续) around a title (variants ``continuation``): stripped, so the continued
    table is recognised as its kind; with the marks altered it is not."""
    title = "收入支出决算总表(续表)"
    stripped = strip_continuation(title, CATALOGUE)
    assert stripped == "收入支出决算总表"
    assert strip_continuation("续表收入支出决算总表", CATALOGUE) == stripped
    assert (
        CATALOGUE.kind_for_title(stripped, "final") is CATALOGUE.kinds["income_expenditure_summary"]
    )
    real = catalogue._load_yaml

    def altered(name: str, package: str) -> Any:
        data = real(name, package)
        if name == "variants.yaml":
            data["continuation"] = {"before": ["接上表"], "after": ["(接上表)"]}
        return data

    monkeypatch.setattr(catalogue, "_load_yaml", altered)
    reload_catalogue()
    try:
        other = load_catalogue()
        assert strip_continuation(title, other) == title
        assert strip_continuation("收入支出决算总表(接上表)", other) == stripped
    finally:
        monkeypatch.undo()
        reload_catalogue()


# --------------------------------------------------------------------------- declared once

OWN_TITLE = "本单位政府采购执行情况表"


def own_table(meta: str, patterns: Patterns = CATALOGUE.patterns) -> dict[str, Any]:
    """A table of no standard kind with one meta line and one note under its title."""
    rows = [OWN_TITLE, meta, "说明：按实际发生数填列", "类别\t金额", "货物\t12.50"]
    lines = [Line(n, row, *clean_line(row)) for n, row in enumerate(rows, start=1)]
    record, _ = read_other_table(lines[0], lines[1:], patterns)
    return record


@pytest.mark.parametrize(
    ("meta", "unit"),
    [
        ("编制部门：某局 单位：千元", "千元"),
        ("金额单位：亿元", "亿元"),
        ("单位名称：某局", None),
        ("单位：万元（元）", "万元"),  # the published unit first, then a longer one than 元
    ],
)
def test_a_table_of_no_standard_kind_reads_its_meta_line_by_the_declared_words(
    meta: str, unit: str | None
) -> None:
    """The labels of variants ``meta_labels`` (compiler included) mark a meta line, not a
    note; its money unit is one of the declared money units (fiscal.yaml)."""
    record = own_table(meta)
    assert record["notes"] == ["说明：按实际发生数填列"]
    assert record["money_unit_printed"] == unit


def test_an_altered_meta_label_makes_the_line_a_note() -> None:
    labels = {**CATALOGUE.variants["meta_labels"], "compiler": ["编制处室"]}
    patterns = Patterns.of({**CATALOGUE.variants, "meta_labels": labels})
    meta = "编制部门：某局 单位：千元"
    assert own_table(meta, patterns)["notes"] == [meta, "说明：按实际发生数填列"]


def test_the_money_units_are_declared_once() -> None:
    """fiscal.yaml's money_units: the parser's scales into 万元, the audit's units of a
    narrative amount and the units its figures are read in all come from it."""
    assert declarations.yuan_per_unit() == {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}
    assert dict(MONEY_SCALES) == {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "亿元": 10000}
    assert str(MONEY_SCALES["亿元"] * Decimal("1.25")) == "12500.00"  # exponent as printed
    assert text.MONEY_UNITS is MONEY_FACTORS
    assert text.MONEY_UNITS["千元"] == Decimal("0.1")
    found = claims.FIGURE.findall("支出3.5千元，比上年增加2亿元，共5辆")
    assert found == [("3.5", "千元"), ("2", "亿元"), ("5", "辆")]


def altered_catalogue(key: str, value: Any) -> Catalogue:
    return Catalogue(CATALOGUE.kinds, {**CATALOGUE.variants, key: value})


def test_a_note_that_looks_like_a_title_is_known_by_the_declared_words() -> None:
    """variants ``note_words``: a title-like line starting with 注 or 说明 is no title."""
    for note in ("说明本单位无政府采购执行情况表", "注本表为空表"):
        assert not is_title_like(note, CATALOGUE)
        assert is_title_like(note, altered_catalogue("note_words", ["附注"]))
    assert is_title_like("本单位政府采购执行情况表", CATALOGUE)


def test_a_line_of_column_numbers_is_known_by_the_declared_label() -> None:
    """variants ``column_number_labels``: 栏次 | 1 | 2 | 3 is a line of column numbers, and
    a 栏次 header cell names no column."""
    cells = ["栏次", "", "1", "2", "3"]
    other = altered_catalogue("column_number_labels", ["栏号"])
    assert is_column_numbers(cells, CATALOGUE)
    assert not is_column_numbers(cells, other)
    assert is_column_numbers(["栏号", "1", "2"], other)
    assert (header_text("栏次", CATALOGUE), header_text("栏次", other)) == ("", "栏次")


def test_the_keys_shown_inline_name_their_tests() -> None:
    assert set(SHOWN_INLINE) <= set(VARIANTS)
    assert all(callable(globals().get(name)) for name in SHOWN_INLINE.values())
