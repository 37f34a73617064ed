"""Publishing: the data packages of the five seeds (golden files) and the writers' rules.

Golden files: ``tests/cases/<seed id>/expected/package/`` holds each disclosure's
``datapackage.json`` and ``README.md``; ``tests/cases/portal/expected/package/`` the portal-wide
descriptor, README and its catalogue CSVs. The descriptor lists every CSV's sha256, so a change
in any published table shows up there. Parquet and xlsx checksums depend on library versions
(pyarrow's ``created_by``, zlib), so they are masked in the golden descriptors; their content
is checked by ``python -m builder validate`` (Parquet equals CSV) and the tests below.
"""

from __future__ import annotations

import atexit
import copy
import hashlib
import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import markdown
import openpyxl
import pyarrow.parquet as pq
import pytest
from frictionless import Schema
from hypothesis import given
from hypothesis import strategies as st

from builder import declarations
from builder.parse.catalogue import load_catalogue
from builder.pipeline import build_data, load_disclosures
from builder.publish.disclosure import disclosure_package
from builder.publish.files import arrow_table, csv_cell, csv_text, write_csv, write_parquet
from builder.publish.inputs import Disclosure, unit_id
from builder.publish.packages import write_packages
from builder.publish.readme import CSV_FORMULA_NOTE, portal_readme
from builder.publish.readme_markup import code, markdown_text, web_link
from builder.publish.resources import (
    Resource,
    as_declared,
    convert,
    order_rows,
    shape_row,
    shape_rows,
)
from builder.publish.schemas import (
    decimal_type,
    load_fiscal,
    public_schema,
    resource_declaration,
    table_declaration,
    with_disclosure_id,
)
from builder.publish.verify import Problem, check_package, value_problems
from builder.publish.workbook import workbook_bytes
from tests.conftest import CASES, SEED_IDS, SOURCES, copy_seeds

PORTAL = "portal"
MASK = "(depends on library versions; checked by python -m builder validate)"
PORTAL_GOLDEN_CSVS = ("units.csv", "disclosures.csv", "tables.csv")
SEED_000, SEED_001, SEED_002 = (
    "000_127416229ccdc025",
    "001_417cec5d1b5bc998",
    "002_6a7fbe393d7e6d53",
)
INCOME = "income_by_function"  # table 02 of seed 001; its row 2 is 201 一般公共服务支出


@cache
def built_packages() -> Path:
    """The packages of the five seeds, built once per test session into a temporary folder."""
    root = Path(tempfile.mkdtemp(prefix="obp-packages-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    build_data(copy_seeds(root / "sources"), root / "packages")
    return root / "packages"


@cache
def seed_001() -> Disclosure:
    """Seed 001 parsed and audited, to publish with crafted values."""
    root = Path(tempfile.mkdtemp(prefix="obp-seed-001-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    for suffix in (".txt", ".meta.yaml"):
        shutil.copy(SOURCES / f"{SEED_001}{suffix}", root)
    (disclosure,) = load_disclosures(root)
    return disclosure


def publish_variant(
    output: Path,
    row: dict[str, Any],
    record: dict[str, Any] | None = None,
    table_title: str | None = None,
) -> Path:
    """Seed 001's package with row 2 (and the title) of table 02 and the provenance record
    changed; a changed unit is also the document's title."""
    seed = seed_001()
    parsed = copy.deepcopy(seed.parsed)
    table = next(t for t in parsed["tables"] if t["kind"] == INCOME)
    table["rows"][1].update(row)
    table["title"] = table_title or table["title"]
    if record and "unit" in record:
        parsed["document"]["title"] = record["unit"]
    variant = Disclosure(replace(seed.record, **(record or {})), parsed, seed.findings)
    write_packages([disclosure_package(variant)], output)
    return output / SEED_001


def descriptor(package: str) -> dict[str, Any]:
    text = (built_packages() / package / "datapackage.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def masked_descriptor(package: str) -> str:
    """The descriptor as golden text: Parquet and xlsx sizes and hashes masked."""
    data = descriptor(package)
    for resource in data["resources"]:
        resource["x-parquet"]["bytes"] = resource["x-parquet"]["hash"] = MASK
    for entry in data["x-files"]:
        if entry["path"].endswith(".xlsx"):
            entry["bytes"] = entry["hash"] = MASK
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize("package", [*SEED_IDS, PORTAL])
def test_descriptor_matches_golden(package: str, golden: Callable[[Path, str], None]) -> None:
    expected = CASES / package / "expected" / "package"
    golden(expected / "datapackage.json", masked_descriptor(package))


@pytest.mark.parametrize("package", [*SEED_IDS, PORTAL])
def test_readme_matches_golden(package: str, golden: Callable[[Path, str], None]) -> None:
    readme = (built_packages() / package / "README.md").read_text(encoding="utf-8")
    golden(CASES / package / "expected" / "package" / "README.md", readme)


@pytest.mark.parametrize("name", PORTAL_GOLDEN_CSVS)
def test_portal_catalogues_match_golden(name: str, golden: Callable[[Path, str], None]) -> None:
    text = (built_packages() / PORTAL / "csv" / name).read_text(encoding="utf-8")
    golden(CASES / PORTAL / "expected" / "package" / "csv" / name, text)


# --------------------------------------------------------------------------- package layout


def test_layout_of_a_disclosure_package() -> None:
    root = built_packages() / SEED_000
    data = descriptor(SEED_000)
    names = [r["name"] for r in data["resources"]]
    assert (root / f"{SEED_000}.xlsx").is_file()
    for name in names:
        assert (root / "csv" / f"{name}.csv").is_file()
        assert (root / "parquet" / f"{name}.parquet").is_file()
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    listed = {"datapackage.json", *(e["path"] for e in data["x-files"])}
    listed |= {r["path"] for r in data["resources"]} | {
        r["x-parquet"]["path"] for r in data["resources"]
    }
    assert files == listed, "every file is listed in datapackage.json, and nothing else is there"


def test_every_table_is_listed_with_its_status() -> None:
    """Seed 003 prints no table 08; seed 004 has no body for 02 and 03."""
    statuses = {
        t["table_number"]: t["status"] for t in descriptor("003_664a31573f3e6641")["x-tables"]
    }
    assert statuses["08"] == "missing"
    assert statuses["07"] == "empty"
    resources = {r["name"]: r for r in descriptor("003_664a31573f3e6641")["resources"]}
    assert "state_capital_expenditure" not in resources, "a missing table has no resource"
    empty = resources["government_fund_expenditure"]
    assert empty["x-status"] == "empty"
    csv_file = built_packages() / "003_664a31573f3e6641" / empty["path"]
    assert csv_file.read_text(encoding="utf-8").count("\n") == 1, "header only"
    missing = {
        t["table_number"]
        for t in descriptor("004_c9b7d00ba9827a50")["x-tables"]
        if t["status"] == "missing"
    }
    assert missing == {"02", "03"}


def test_provenance_and_fiscal_metadata() -> None:
    data = descriptor(SEED_000)
    assert data["x-disclosure"]["source_sha256"].startswith("33f1803c")
    assert data["licenses"][0]["title"].startswith("Government public information")
    fiscal = data["x-fiscal"]
    assert (fiscal["currency"], fiscal["money_unit"], fiscal["factor"]) == ("CNY", "万元", 10000)
    assert fiscal["phase"] == "executed"
    assert descriptor(SEED_002)["x-fiscal"]["phase"] == "approved"
    resources = {r["name"]: r for r in data["resources"]}
    income = resources["income_by_function"]
    assert income["x-fiscal"]["direction"] == "income"
    assert income["x-fiscal"]["classified_fields"] == {
        "function_code": "function",
        "function_name": "function",
    }
    fields = {f["name"]: f for f in income["schema"]["fields"]}
    assert fields["function_code"]["columnType"] == "functional-classification:cn:code"
    assert fields["total_income_10k_yuan"]["columnType"] == "value"
    economic = {
        f["name"]: f for f in resources["basic_expenditure_by_economic"]["schema"]["fields"]
    }
    assert (
        economic["parent_code"]["columnType"] == "economic-classification:cn-department:parent:code"
    )
    assert resources["income_expenditure_summary"]["x-fiscal"]["direction_field"] == "side"
    assert "source_line" in fields


def test_descriptors_carry_no_parser_keys() -> None:
    def keys(value: Any) -> set[str]:
        if isinstance(value, dict):
            return {str(k) for k in value} | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    for package in [*SEED_IDS, PORTAL]:
        for resource in descriptor(package)["resources"]:
            assert not {k for k in keys(resource["schema"]) if k.startswith("x-")}


def test_same_unit_links_budget_and_final_accounts() -> None:
    """Seeds 000 (final 2024) and 002 (budget 2023) are one unit, 山西省投资促进局."""
    assert unit_id("山西省投资促进局") == unit_id(" 山西省投资促进局 ")
    assert (
        descriptor(SEED_000)["x-disclosure"]["unit_id"]
        == descriptor(SEED_002)["x-disclosure"]["unit_id"]
    )
    units = (built_packages() / PORTAL / "csv" / "units.csv").read_text(encoding="utf-8")
    row = next(line for line in units.splitlines() if "山西省投资促进局" in line)
    assert row.endswith(",2,2023,2024")


def test_portal_resources_lead_with_disclosure_id() -> None:
    resources = {r["name"]: r for r in descriptor(PORTAL)["resources"]}
    kinds = set(load_catalogue().kinds)
    assert kinds <= set(resources), "one resource per table kind, even without rows"
    for kind in kinds:
        schema = resources[kind]["schema"]
        assert schema["fields"][0]["name"] == "disclosure_id"
        assert schema["primaryKey"] == ["disclosure_id", "row_number"]
        assert schema["foreignKeys"][0]["reference"]["resource"] == "disclosures"
    indicators = resources["performance_evaluation_indicators"]["schema"]["foreignKeys"]
    assert indicators[1] == {
        "fields": ["disclosure_id", "evaluation_number"],
        "reference": {
            "resource": "performance_evaluations",
            "fields": ["disclosure_id", "evaluation_number"],
        },
    }


# --------------------------------------------------------------------------- declarations


def test_every_table_kind_has_a_direction() -> None:
    assert set(load_fiscal()["directions"]) == set(load_catalogue().kinds)


DECLARATIONS = Path(__file__).parent.parent / "builder" / "declarations"


def test_one_folder_declares_every_table() -> None:
    files = sorted(p.name.removesuffix(".schema.yaml") for p in DECLARATIONS.glob("*.schema.yaml"))
    assert files == sorted(declarations.names())
    assert sorted(declarations.table_kinds()) == sorted(load_catalogue().kinds)
    assert {"units", "disclosures", "findings", "performance_evaluations"} <= set(
        declarations.resource_names()
    )
    assert not set(declarations.table_kinds()) & set(declarations.resource_names())


@pytest.mark.parametrize("name", declarations.resource_names())
def test_resource_declarations_are_table_schemas(name: str) -> None:
    declared = resource_declaration(name)
    assert declared["name"] == name
    Schema.from_descriptor(public_schema(declared))  # raises when not a valid Table Schema
    for field in declared["fields"]:
        assert field.get("title"), f"{name}.{field['name']} has no Chinese title"


def test_table_schemas_publish_as_table_schemas() -> None:
    for kind in load_catalogue().kinds:
        Schema.from_descriptor(with_disclosure_id(public_schema(table_declaration(kind))))


# --------------------------------------------------------------------------- writers

AMOUNT = Resource(
    "amounts",
    "金额",
    "",
    {
        "fields": [
            {"name": "row_number", "type": "integer", "constraints": {"required": True}},
            {"name": "name", "type": "string", "title": "名称"},
            {"name": "amount_10k_yuan", "type": "number", "title": "金额", "unit": "万元"},
            {"name": "flag", "type": "boolean", "title": "标记"},
        ]
    },
    [
        {"row_number": 1, "name": "=100%", "amount_10k_yuan": Decimal("3621.803"), "flag": True},
        {
            "row_number": 2,
            "name": '合计, 含"引号"',
            "amount_10k_yuan": Decimal("5408.80"),
            "flag": None,
        },
        {"row_number": 3, "name": None, "amount_10k_yuan": None, "flag": False},
    ],
)


def test_csv_is_exact_text() -> None:
    assert csv_text(AMOUNT) == (
        "row_number,name,amount_10k_yuan,flag\n"
        "1,=100%,3621.803,true\n"
        '2,"合计, 含""引号""",5408.80,\n'
        "3,,,false\n"
    )
    assert csv_cell(Decimal("1E+2")) == "100"
    with pytest.raises(TypeError, match="float"):
        csv_cell(0.1)


def test_parquet_amounts_are_decimal128(tmp_path: Path) -> None:
    path = tmp_path / "amounts.parquet"
    write_parquet(AMOUNT, path)
    table = pq.read_table(path)
    assert str(table.schema.field("amount_10k_yuan").type) == "decimal128(18, 3)"
    assert table.column("amount_10k_yuan").to_pylist() == [
        Decimal("3621.803"),
        Decimal("5408.800"),
        None,
    ]
    assert table.schema.metadata is None
    assert not table.schema.field("row_number").nullable


def test_decimal_type_widens_never_rounds() -> None:
    assert str(decimal_type([Decimal("0.06"), None])) == "decimal128(18, 3)"
    assert str(decimal_type([Decimal("1.23456")])) == "decimal128(20, 5)"


@given(
    st.lists(
        st.decimals(
            min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=3, allow_nan=False
        ),
        min_size=1,
        max_size=20,
    )
)
def test_amounts_round_trip_through_csv_and_parquet(amounts: list[Decimal]) -> None:
    rows = [{"row_number": n, "amount": a} for n, a in enumerate(amounts, start=1)]
    schema = {
        "fields": [{"name": "row_number", "type": "integer"}, {"name": "amount", "type": "number"}]
    }
    resource = Resource("r", "r", "", schema, rows)
    text_values = [line.split(",")[1] for line in csv_text(resource).splitlines()[1:]]
    assert [Decimal(v) for v in text_values] == amounts
    assert arrow_table(resource).column("amount").to_pylist() == amounts


def test_convert_keeps_numbers_exact() -> None:
    assert convert("78.197", "number", "x") == Decimal("78.197")
    assert convert(["01", "03"], "string", "x") == "01, 03"
    assert convert([], "string", "x") is None
    with pytest.raises(ValueError, match="not an exact number"):
        convert(0.1, "number", "x")


@pytest.mark.parametrize("kind", ["number", "integer", "boolean", "string", "date", "year"])
def test_as_declared_is_convert(kind: str) -> None:
    values: list[Any] = [None, "", " ", "12", " 7 ", "1.50", "x", 0, 5, -3, True, False]
    values += [Decimal("1.50"), Decimal("-0.00"), ["a", 1], (), 0.5, date(2024, 1, 2)]
    for value in values:
        try:
            expected = ("value", convert(value, kind, "f"))
        except ValueError as error:
            expected = ("error", str(error))
        try:
            got = ("value", as_declared(value, kind, "f"))
        except ValueError as error:
            got = ("error", str(error))
        assert got == expected, (kind, value)
        assert type(got[1]) is type(expected[1]), (kind, value)


@pytest.mark.parametrize("kind", ["number", "integer", "boolean", "string", "date", "year"])
def test_shape_rows_is_shape_row_and_tells_when_nothing_changed(kind: str) -> None:
    values: list[Any] = [None, "", " ", "12", "x", 0, 5, True, Decimal("1.50"), ["a", 1]]
    values += [Decimal("-0.00"), date(2024, 1, 2)]
    schema = {"fields": [{"name": "f", "type": kind}, {"name": "g", "type": "string"}]}
    for value in values:
        try:
            expected = ("value", shape_row(schema, {"f": value, "g": "a"}))
        except ValueError as error:
            expected = ("error", str(error))
        try:
            rows, kept = shape_rows(schema, [{"f": value, "g": "a"}])
            got = ("value", rows[0])
        except ValueError as error:
            got = ("error", str(error))
        assert got == expected, (kind, value)
        if got[0] == "value":
            assert type(got[1]["f"]) is type(expected[1]["f"]), (kind, value)
            assert kept == (got[1]["f"] is value), (kind, value)
    assert shape_rows(schema, [{"g": "a"}]) == ([{"f": None, "g": "a"}], False)
    assert shape_rows(schema, []) == ([], True)


def test_workbook_keeps_text_as_text_and_amounts_as_numbers() -> None:
    data = workbook_bytes([("标题", "测试")], [("01 金额表", AMOUNT)])
    sheet = openpyxl.load_workbook(io.BytesIO(data))["01 金额表"]
    assert [c.value for c in sheet[1]] == ["row_number", "名称", "金额", "标记"]
    formula_like = sheet["B2"]
    assert (formula_like.value, formula_like.data_type) == ("=100%", "s")
    assert sheet["C2"].value == pytest.approx(3621.803)
    assert sheet["C2"].data_type == "n"
    assert sheet["C4"].value is None


def test_workbook_bytes_are_stable() -> None:
    first = workbook_bytes([("标题", "测试")], [("金额", AMOUNT)])
    second = workbook_bytes([("标题", "测试")], [("金额", AMOUNT)])
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    archive = zipfile.ZipFile(io.BytesIO(first))
    properties = archive.read("docProps/app.xml") + archive.read("docProps/core.xml")
    assert b"openpyxl" not in properties.lower(), "no library name or version in the file"
    assert b"1980-01-01T00:00:00Z" in properties, "fixed dates, not the build time"
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --------------------------------------------------------------------------- values kept


def test_a_negative_zero_is_zero_in_csv_parquet_and_workbook(tmp_path: Path) -> None:
    """decimal128 is a scaled integer without a negative zero: every file writes 0."""
    schema = {"fields": [{"name": "amount", "type": "number"}]}
    resource = Resource("zeros", "零", "", schema, [{"amount": Decimal("-0.00")}])
    assert csv_text(resource) == "amount\n0.00\n"
    assert arrow_table(resource).column("amount").to_pylist() == [Decimal("0.000")]
    archive = zipfile.ZipFile(io.BytesIO(workbook_bytes([], [("零", resource)])))
    xml = archive.read("xl/worksheets/sheet2.xml").decode()
    assert '<c r="A2"><v>0</v></c>' in xml, "0, not -0"


def test_validate_finds_a_negative_zero_the_parquet_file_cannot_hold(tmp_path: Path) -> None:
    schema = {"fields": [{"name": "amount", "type": "number"}, {"name": "name", "type": "string"}]}
    rows = [{"amount": Decimal("0.00"), "name": "-0"}, {"amount": Decimal("1.50"), "name": "a"}]
    resource = Resource("zeros", "零", "", schema, rows)
    write_parquet(resource, tmp_path / "zeros.parquet")
    table = pq.read_table(tmp_path / "zeros.parquet")
    write_csv(resource, tmp_path / "zeros.csv")
    assert value_problems(tmp_path / "zeros.csv", "zeros", table) == []
    (tmp_path / "zeros.csv").write_text("amount,name\n-0.00,-0\n1.5,a\n", encoding="utf-8")
    assert value_problems(tmp_path / "zeros.csv", "zeros", table) == [
        Problem(
            "zeros",
            "1 negative zero in the CSV, which the Parquet decimals cannot hold (0 there)",
            field="amount",
        )
    ]
    (tmp_path / "zeros.csv").write_text("amount,name\n0,-0\n1.51,a\n", encoding="utf-8")
    assert value_problems(tmp_path / "zeros.csv", "zeros", table) == [
        Problem("zeros", "Parquet values differ from the CSV", field="amount")
    ]


def test_an_amount_of_more_than_15_digits_is_exact_everywhere(tmp_path: Path) -> None:
    """99999999999999.99 as an Excel number would be 99999999999999.98: it is text there."""
    package = publish_variant(
        tmp_path / "packages",
        {
            "total_income_10k_yuan": Decimal("99999999999999.99"),
            "fiscal_appropriation_income_10k_yuan": Decimal("-0.00"),
        },
    )
    lines = (package / "csv" / f"{INCOME}.csv").read_text(encoding="utf-8").splitlines()
    assert lines[2] == "2,201,一般公共服务支出,类,,99999999999999.99,0.00,,,,,,132"
    parquet = pq.read_table(package / "parquet" / f"{INCOME}.parquet")
    assert parquet.column("total_income_10k_yuan")[1].as_py() == Decimal("99999999999999.990")
    assert parquet.column("fiscal_appropriation_income_10k_yuan")[1].as_py() == Decimal("0.000")
    book = openpyxl.load_workbook(package / f"{SEED_001}.xlsx")
    cell = book["02 收入决算表"]["F3"]
    assert (cell.value, cell.data_type) == ("99999999999999.99", "s")
    assert book["02 收入决算表"]["G3"].value == 0
    about = [(a.value, b.value) for a, b in book["说明"].iter_rows(max_col=2)]
    assert about[-2][0] == "写为文本的数值"
    assert about[-1] == ("'02 收入决算表'!F3", "99999999999999.99")
    readme = (package / "README.md").read_text(encoding="utf-8")
    assert "- `income_by_function` line 3, `total_income_10k_yuan`: 99999999999999.99\n" in readme
    assert "A negative zero printed as `-0.00` is published as `0.00` in every file" in readme
    check = check_package(package, {})
    assert (check.problems, check.resources) == ([], 10 + 5)


# --------------------------------------------------------------------------- formula-like text

HYPERLINK = '=HYPERLINK("http://x","y")'


def test_a_formula_like_row_name_is_exact_data_in_csv_and_text_in_the_workbook(
    tmp_path: Path,
) -> None:
    """OWASP's `'` prefix is not added to the CSV (it is the exact data); the README says so."""
    package = publish_variant(tmp_path / "packages", {"function_name": HYPERLINK})
    lines = (package / "csv" / f"{INCOME}.csv").read_text(encoding="utf-8").splitlines()
    assert lines[2] == '2,201,"=HYPERLINK(""http://x"",""y"")",类,,904.39,904.39,,,,,,132'
    parquet = pq.read_table(package / "parquet" / f"{INCOME}.parquet")
    assert parquet.column("function_name")[1].as_py() == HYPERLINK
    archive = zipfile.ZipFile(package / f"{SEED_001}.xlsx")
    sheet = archive.read("xl/worksheets/sheet3.xml").decode()  # 说明, 01, then 02 收入决算表
    assert re.search(r'<c r="C3" t="s"><v>[0-9]+</v></c>', sheet), "a shared string"
    assert "<f>" not in sheet, "no formula element"
    assert '<t>=HYPERLINK("http://x","y")</t>' in archive.read("xl/sharedStrings.xml").decode()
    book = openpyxl.load_workbook(package / f"{SEED_001}.xlsx")
    cell = book["02 收入决算表"]["C3"]
    assert (cell.value, cell.data_type) == (HYPERLINK, "s")
    readme = (package / "README.md").read_text(encoding="utf-8")
    assert "without the `'` prefix OWASP advises for CSV exports" in readme
    assert (
        f"{CSV_FORMULA_NOTE} This package holds 43 such text cells "
        "(`income_by_function` 1, `performance_evaluation_indicators` 42).\n"
    ) in readme


# --------------------------------------------------------------------------- README as text

LICENCE = "[x](javascript:alert(1)) ![i](http://evil/x.png) <script>alert(1)</script>"
LICENCE_MD = (
    "\\[x\\](javascript:alert(1)) \\!\\[i\\](http://evil/x.png) "
    "&lt;script&gt;alert(1)&lt;/script&gt;"
)
UNIT = "<img src=x onerror=alert(1)>**粗体**_单位_[链接](javascript:alert(1))"
UNIT_MD = (
    "&lt;img src=x onerror=alert(1)&gt;\\*\\*粗体\\*\\*\\_单位\\_\\[链接\\](javascript:alert(1))"
)
UNIT_SHOWN = "&lt;img src=x onerror=alert(1)&gt;**粗体**_单位_[链接](javascript:alert(1))"


def test_markdown_text_escapes_markup_and_keeps_plain_text() -> None:
    assert markdown_text("Government public information (政府信息公开)") == (
        "Government public information (政府信息公开)"
    )
    assert markdown_text(LICENCE) == LICENCE_MD
    assert markdown_text(UNIT) == UNIT_MD
    assert markdown_text("a & b <!-- c --> `d` ~~e~~ $f$ {#g} | h") == (
        "a &amp; b &lt;\\!-- c --&gt; \\`d\\` \\~\\~e\\~\\~ \\$f\\$ \\{\\#g\\} \\| h"
    )
    assert markdown_text("# 标题\n- 一\r\n===") == "\\# 标题 - 一 ==="
    assert markdown_text("- 项") == "\\- 项"
    assert markdown_text("2024. 年") == "2024\\. 年"
    assert markdown_text("=100%") == "\\=100%"


def test_code_spans_and_links() -> None:
    assert code("001_x.txt") == "`001_x.txt`"
    assert code("a`b") == "``a`b``"
    assert code("`a") == "`` `a ``"
    assert web_link("https://czt.shanxi.gov.cn/a_b.html?x=1&y=2") == (
        "<https://czt.shanxi.gov.cn/a_b.html?x=1&y=2>"
    )
    assert web_link("javascript:alert(1)") == (
        "javascript:alert(1) (not an http(s) address: not linked)"
    )
    assert web_link("http://") == "http:// (not an http(s) address: not linked)"
    assert web_link("https://x.org/<script>") == (
        "https://x.org/&lt;script&gt; (not an http(s) address: not linked)"
    )
    assert web_link("https://x.org/a b") == (
        "https://x.org/a b (not an http(s) address: not linked)"
    )


def test_texts_of_the_record_and_document_reach_the_readme_as_text(tmp_path: Path) -> None:
    """A hostile licence, source URL, unit name (also the title) and table title."""
    package = publish_variant(
        tmp_path / "packages",
        {},
        {"licence": LICENCE, "unit": UNIT, "source_url": "javascript:alert(1)"},
        table_title="收入决算表 <b>粗</b> | `码`",
    )
    readme = (package / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    assert lines[0] == f"# {UNIT_MD}"
    assert f"**{UNIT_MD}** 2024年度单位决算公开文件的开放数据：" in readme
    assert f"Open data of one disclosure: **{UNIT_MD}**, 2024, final accounts (单位决算)" in readme
    assert "| 02 | 收入决算表 &lt;b&gt;粗&lt;/b&gt; \\| \\`码\\` | `income_by_function` |" in readme
    assert (
        "- 原文地址 published at: javascript:alert(1) (not an http(s) address: not linked)" in lines
    )
    assert f"{LICENCE_MD}." in lines
    assert f"{UNIT_MD}. {UNIT_MD}. 2024. Data package `{SEED_001}`, " in readme
    html = markdown.markdown(readme, extensions=["tables"])
    assert "<script" not in html
    assert "<img" not in html
    assert "<b>" not in html
    assert "<em>" not in html
    assert re.findall(r"<a [^>]*>", html) == ['<a href="https://datapackage.org/">']
    assert re.findall(r"<strong>(.*?)</strong>", html) == [UNIT_SHOWN, UNIT_SHOWN]
    assert re.findall(r"<h1>(.*?)</h1>", html) == [UNIT_SHOWN]


def test_the_portal_readme_writes_units_and_licences_as_text() -> None:
    record = replace(seed_001().record, unit=UNIT, licence=LICENCE)
    properties = {
        "title": "门户",
        "description": "所有公开文件",
        "x-fiscal": {"money_unit": "万元", "factor": 10000, "currency": "CNY"},
        "x-citation": "开放预算门户",
    }
    lines = portal_readme(properties, [], [(record, 2)]).splitlines()
    assert f"| `{SEED_001}` | {UNIT_MD} | 2024 | 决算 | 2 |" in lines
    assert f"- {LICENCE_MD}" in lines


def test_order_rows_puts_values_in_schema_order_and_refuses_other_fields() -> None:
    schema = {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "integer"}]}
    assert [list(row.items()) for row in order_rows("t", schema, [{"b": 2, "a": "x"}])] == [
        [("a", "x"), ("b", 2)]
    ]
    with pytest.raises(ValueError, match=r"t row 2: .*missing \['b'\], unexpected \['c'\]"):
        order_rows("t", schema, [{"a": "x", "b": 1}, {"a": "y", "c": 3}])
