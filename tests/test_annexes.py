"""Annex sheets: locating them, reading real values off the five seeds, nothing lost."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder.parse import annexes as annexes_package
from builder.parse import catalogue
from builder.parse.amounts import AmountError, is_numeric_token, normalise_cell, parse_amount
from builder.parse.annexes import (
    AnnexRegion,
    locate_annexes,
    parse_annex,
    parse_performance_evaluation,
    parse_performance_target,
)
from builder.sources.reading import Line, clean_line, read_source
from tests.conftest import BUNDLED

ROOT = Path(__file__).resolve().parent.parent
SEED_DIRS = (ROOT / "datasets" / "sources", Path("/work/shared/seeds"))
STEMS = {
    "000": "000_127416229ccdc025",
    "001": "001_417cec5d1b5bc998",
    "002": "002_6a7fbe393d7e6d53",
    "003": "003_664a31573f3e6641",
    "004": "004_c9b7d00ba9827a50",
}
# Where each sheet's title is printed, read off the seed texts.
STARTS = {
    "000": [565, 615, 654, 693, 734],
    "001": [574, 609, 647, 682],
    "002": [459, 498, 530],
    "003": [476, 513, 551, 589, 624],
    "004": [528, 570, 615, 655, 692, 730, 760],
}
KINDS = {
    "000": "performance_evaluation",
    "001": "performance_evaluation",
    "002": "performance_target",
    "003": "performance_evaluation",
    "004": "performance_evaluation",
}
D = Decimal


@pytest.fixture(scope="module")
def seed_dir() -> Path:
    """The bundled seeds when the repository has them, else the shared copies."""
    for folder in SEED_DIRS:
        if folder.is_dir() and any(folder.glob("*.txt")):
            return folder
    pytest.skip("no seed disclosures found")


@cache
def _lines(folder: Path, stem: str) -> tuple[Line, ...]:
    return tuple(read_source(folder / f"{STEMS[stem]}.txt").lines)


@cache
def _records(folder: Path, stem: str) -> tuple[tuple[AnnexRegion, dict[str, Any]], ...]:
    lines = _lines(folder, stem)
    return tuple((region, parse_annex(lines, region)) for region in locate_annexes(lines))


def sheet(folder: Path, stem: str, start: int) -> dict[str, Any]:
    return next(record for region, record in _records(folder, stem) if region.start_line == start)


def indicator(record: dict[str, Any], level3: str) -> dict[str, Any]:
    return next(row for row in record["indicators"] if row["level3"] == level3)


def funding(record: dict[str, Any], line: int) -> dict[str, Any]:
    return next(row for row in record["funding"] if row["source_line"] == line)


def make_lines(rows: Sequence[str], first: int = 1) -> list[Line]:
    """Lines as the reader makes them; ``|`` stands for a tab."""
    lines = []
    for number, row in enumerate(rows, start=first):
        raw = row.replace("|", "\t")
        text, noise = clean_line(raw)
        lines.append(Line(number, raw, text, noise))
    return lines


# --------------------------------------------------------------------------- nothing lost


def cell_number(cell: str) -> Decimal | None:
    try:
        amount = parse_amount(normalise_cell(cell).removesuffix("%"))
    except AmountError:
        return None
    return amount.value


def anchored_values(value: Any) -> Iterator[tuple[int, Any]]:
    """(line, value) for every value of a dict that has a ``source_line`` (list items too)."""
    if isinstance(value, dict):
        line = value.get("source_line")
        for key, item in value.items():
            if isinstance(line, int) and key != "source_line":
                items = item if isinstance(item, list) else [item]
                for scalar in items:
                    if not isinstance(scalar, (dict, list)):
                        yield line, scalar
            yield from anchored_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from anchored_values(item)


def lost_numbers(record: dict[str, Any], lines: Sequence[Line]) -> list[tuple[int, str]]:
    """Numeric cells of the region that land nowhere: not a Decimal/int of equal value nor
    the exact text, in a dict anchored to their line, and not listed in ``unparsed``."""
    pools: dict[int, list[Any]] = {}
    for owner, value in anchored_values(record):
        pools.setdefault(owner, []).append(value)
    for entry in record["unparsed"]:
        pools.setdefault(entry["line"], []).append(entry["text"])
    lost = []
    for line in lines:
        pool = pools.get(line.number, [])
        for cell in line.cells:
            if not cell or not is_numeric_token(cell):
                continue
            number = cell_number(cell)
            for index, value in enumerate(pool):
                exact_text = isinstance(value, str) and value.strip() == cell.strip()
                same_number = (
                    isinstance(value, (int, Decimal))
                    and not isinstance(value, bool)
                    and number is not None
                    and Decimal(value) == number
                )
                if exact_text or same_number:
                    pool.pop(index)
                    break
            else:
                lost.append((line.number, cell))
    return lost


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_every_number_of_every_annex_lands_in_its_record(seed_dir: Path, stem: str) -> None:
    lines = _lines(seed_dir, stem)
    numeric = 0
    for region, record in _records(seed_dir, stem):
        own = lines[region.start_line - 1 : region.end_line]
        numeric += sum(1 for line in own for cell in line.cells if is_numeric_token(cell))
        assert lost_numbers(record, own) == [], region.title
        assert record["unparsed"] == [], region.title
    assert numeric > 30


def test_the_coverage_check_catches_a_dropped_number(seed_dir: Path) -> None:
    region, record = _records(seed_dir, "000")[0]
    lines = _lines(seed_dir, "000")[region.start_line - 1 : region.end_line]
    broken = dict(record)
    broken["indicators"] = [dict(row) for row in record["indicators"]]
    broken["indicators"][0]["weight"] = None  # 公众号发布消息数量: 分值 2, line 578
    assert lost_numbers(broken, lines) == [(578, "2")]


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_amounts_are_exact_decimals(seed_dir: Path, stem: str) -> None:
    for _, record in _records(seed_dir, stem):
        for row in record["funding"]:
            for key, value in row.items():
                assert not isinstance(value, float), key
                if key.endswith("_yuan") or key in ("executed", "full_year_budget", "score"):
                    assert value is None or isinstance(value, Decimal)
        for row in record["indicators"]:
            for key in ("weight", "score"):
                assert row.get(key) is None or isinstance(row[key], Decimal)


# --------------------------------------------------------------------------- locating


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_locates_every_sheet_and_nothing_else(seed_dir: Path, stem: str) -> None:
    regions = locate_annexes(_lines(seed_dir, stem))
    assert [r.start_line for r in regions] == STARTS[stem]
    assert {r.kind for r in regions} == {KINDS[stem]}
    for region, following in pairwise(regions):
        assert region.end_line == following.start_line - 1


def test_region_ends(seed_dir: Path) -> None:
    budget = locate_annexes(_lines(seed_dir, "002"))
    assert budget[-1].end_line == 561  # 562 is 十一、国有资产占有使用情况
    assert budget[0].title == "山西省省级预算部门（单位）项目支出绩效目标申报表"
    final = locate_annexes(_lines(seed_dir, "000"))
    assert final[0].end_line == 614
    assert final[-1].end_line == len(_lines(seed_dir, "000"))
    titles = [r.title for r in locate_annexes(_lines(seed_dir, "004"))]
    assert titles[2] == "山西省民营企业工程系列高级职称任职资格评审项目支出绩效自评表"


def test_mentions_in_the_narrative_are_not_sheets(seed_dir: Path) -> None:
    lines = _lines(seed_dir, "001")
    assert lines[537].text == "附件：二级项目绩效自评表"
    assert 538 not in {r.start_line for r in locate_annexes(lines)}
    lines = _lines(seed_dir, "003")
    assert lines[452].text == "附件：项目绩效自评表"
    assert 453 not in {r.start_line for r in locate_annexes(lines)}


def test_a_title_without_a_project_row_is_not_a_sheet() -> None:
    lines = make_lines(
        [
            "详见招商引资专项经费项目支出绩效自评表",
            "",
            "正文继续。",
            "",
            "招商引资专项经费项目支出绩效自评表",
            "(2024年度)",
            "项目名称||招商引资专项经费",
        ]
    )
    regions = locate_annexes(lines)
    assert [(r.start_line, r.end_line) for r in regions] == [(5, 7)]


def test_a_title_split_over_two_lines_and_the_boundaries() -> None:
    lines = make_lines(
        [
            "第五部分 附件",
            "网络运行维护费项目支出绩效",
            "自评表",
            "项目名称||网络运行维护费",
            "总分|||98.18|优",
            "第六部分 其他",
            "山西省省级预算部门（单位）项目支出绩效目标申报表",
            "项目名称||招商引资专项经费",
            "负责人:|张三",
            "",
            "十一、国有资产占有使用情况",
            "车辆2辆。",
        ]
    )
    regions = locate_annexes(lines)
    assert regions == [
        AnnexRegion("performance_evaluation", "网络运行维护费项目支出绩效自评表", 2, 5),
        AnnexRegion(
            "performance_target", "山西省省级预算部门（单位）项目支出绩效目标申报表", 7, 10
        ),
    ]


# --------------------------------------------------------------------------- seed 000


def test_seed_000_investment_promotion_sheet(seed_dir: Path) -> None:
    record = sheet(seed_dir, "000", 565)
    assert record["title"] == "招商引资专项经费项目支出绩效自评表"
    assert (record["start_line"], record["end_line"]) == (565, 614)
    assert record["project_name"] == "招商引资专项经费"
    assert record["competent_department"] == "216-山西省商务厅"
    assert record["budget_unit"] == "216103001-山西省投资促进局"
    assert record["year"] == 2024
    assert record["money_unit"] == "万元"
    assert [row["source"] for row in record["funding"]] == ["资金总额:", "省级财政资金"]
    total = funding(record, 573)
    assert total["initial_budget_declared"] == D("3700")
    assert total["initial_budget"] == D("3700")
    assert total["full_year_budget"] == D("3700")
    assert total["executed"] == D("3621.803")
    assert total["balance"] == D("78.197")
    assert total["execution_rate"] == D("97.89")
    assert total["score"] == D("9.79")
    assert not total["columns_inferred"]
    assert funding(record, 574)["deviation_reason"].startswith("结转资金78.186万元")
    assert record["total_score"] == D("98.59")
    assert record["grade"] == "优"
    assert len(record["indicators"]) == 22
    first = indicator(record, "公众号发布消息数量")
    assert (first["level1"], first["level2"]) == ("产出指标", "数量指标")
    assert (first["weight"], first["score"]) == (D("2"), D("2"))
    assert (first["initial_target"], first["adjusted_target"], first["actual"]) == (
        "≥条",
        "≥2000条",
        "≥3224条",
    )
    # line 588 is shifted left by two cells; its 分值 1 and 得分 0 are found all the same
    liaison = indicator(record, "设立投资促进联络处")
    assert (liaison["weight"], liaison["score"]) == (D("1"), D("0"))
    assert liaison["deviation_reason"].startswith("规范招商引资行为相关文件出台后")
    assert (liaison["level1"], liaison["level2"]) == ("产出指标", "数量指标")
    assert liaison["carried"] == ["level1", "level2"]
    # line 593: only the 三级 name is printed, both levels are carried down
    deadline = indicator(record, "课题完成时间")
    assert (deadline["level2"], deadline["adjusted_target"], deadline["score"]) == (
        "时效指标",
        "≤1年",
        D("5"),
    )
    # line 595: an empty 年初指标值 stays empty instead of pulling the name into it
    effect = indicator(record, "对投资者了解山西的作用")
    assert effect["initial_target"] is None
    assert (effect["adjusted_target"], effect["actual"]) == ("促进", "达成预期指标")
    assert sum(row["score"] for row in record["indicators"]) + total["score"] == D("98.59")
    assert record["annual_targets"].startswith("中国(太原)国际能源产业博览会致力于")
    assert record["actual_results"].startswith("2024年全省共签约招商引资项目3128个")


def test_seed_000_analysis_has_no_markup(seed_dir: Path) -> None:
    record = sheet(seed_dir, "000", 565)
    headings = [entry["heading"] for entry in record["analysis"]]
    assert headings[1:] == [
        "产出情况及分析",
        "效益情况及分析",
        "满意度情况及分析",
        "主要经验做法",
        "项目管理中存在的问题及原因分析",
        "下一步改进措施及管理建议",
    ]
    assert record["analysis"][0]["text"].startswith("项目实施和预算执行情况 一、项目实施情况")
    for _, each in _records(seed_dir, "000"):
        for entry in each["analysis"]:
            assert "<p>" not in entry["text"]
            assert "</p>" not in entry["text"]


def test_seed_000_targets_and_results_printed_in_one_cell(seed_dir: Path) -> None:
    record = sheet(seed_dir, "000", 693)
    assert record["annual_targets"].startswith("中国(太原)国际能源产业博览会致力于")
    assert record["annual_targets"].endswith("知名品牌展会。")
    assert record["actual_results"].startswith("本届能博会总体展出面积5万平方米")
    assert record["grade"] == "差"
    assert record["total_score"] == D("59.06")
    central = funding(record, 702)
    assert central["source"] == "中央财政资金"
    assert (central["initial_budget_declared"], central["full_year_budget"]) == (D("1500"), 0)


def test_seed_000_sheet_with_a_qualitative_column(seed_dir: Path) -> None:
    record = sheet(seed_dir, "000", 615)
    # line 628 sits one column to the right, with two empty cells before 分值
    row = indicator(record, "会议服务人次")
    assert (row["initial_target"], row["adjusted_target"], row["actual"]) == (
        "≥人次",
        "≥6000人次",
        "≥6306人次",
    )
    assert (row["weight"], row["score"]) == (D("10"), D("10"))
    # line 632 has lost its 一级 cell: 时效指标 is the 二级, 产出指标 is carried
    timely = indicator(record, "活动按时完成")
    assert (timely["level1"], timely["level2"], timely["adjusted_target"]) == (
        "产出指标",
        "时效指标",
        "按时",
    )
    assert funding(record, 624)["balance"] == D("0.625")
    assert record["total_score"] == D("99.82")


# --------------------------------------------------------------------------- seed 001


def test_seed_001_rows_with_missing_funding_cells(seed_dir: Path) -> None:
    record = sheet(seed_dir, "001", 682)
    assert record["competent_department"] == "200-山西省人民政府办公厅"
    assert record["budget_unit"] == "200007-山西省政府驻广州办事处"
    # line 690 prints 45 45 45 0 100 10 for seven columns: 目标申报数 is the blank one
    total = funding(record, 690)
    assert total["columns_inferred"]
    assert total["initial_budget_declared"] is None
    assert (total["initial_budget"], total["executed"], total["balance"]) == (D(45), D(45), 0)
    assert (total["execution_rate"], total["score"]) == (D(100), D(10))
    signed = indicator(record, "招商引资签约项目数")
    assert (signed["weight"], signed["score"]) == (D(8), None)
    assert signed["deviation_reason"].startswith("2024年促成签约项目24个")
    assert (record["total_score"], record["grade"]) == (D(91), "优")
    assert len(record["indicators"]) == 22
    # line 655: the 资金总额 row stops after 结余; rate and score are left empty
    running = sheet(seed_dir, "001", 647)
    short = funding(running, 655)
    assert (short["full_year_budget"], short["balance"]) == (D(40), 0)
    assert (short["execution_rate"], short["score"]) == (None, None)
    assert funding(running, 656)["execution_rate"] == D("100.00")


# --------------------------------------------------------------------------- seed 002


def test_seed_002_target_declaration(seed_dir: Path) -> None:
    record = sheet(seed_dir, "002", 459)
    assert record["kind"] == "performance_target"
    assert record["project_name"] == "招商引资专项经费"
    assert record["competent_department"] == "216-山西省商务厅"
    assert record["implementing_unit"] == "山西省投资促进局"
    assert record["project_attribute"] == "经常性项目（长期开展）"
    assert record["project_period"] == "3年"
    assert record["money_unit"] == "元"
    assert record["year"] == 2023
    rows = {row["source"]: row for row in record["funding"]}
    assert rows["实施期资金总额："]["period_total_yuan"] == D("111000000")
    assert rows["实施期资金总额："]["annual_yuan"] == D("37000000")
    assert rows["实施期资金总额："]["annual_source"] == "年度资金总额："
    assert rows["其中：中央财政资金"]["annual_yuan"] == 0
    assert rows["其他资金"]["period_total_yuan"] is None
    assert record["basis"] == "《关于改革和创新招商引资工作若干意见》（晋政办发〔2017〕39号）"
    assert record["implementation_plan"].startswith("按照省委、省政府、省商务厅")
    assert record["overall_target_period"].startswith("为认真贯彻落实")
    assert record["overall_target_annual"] is None
    assert record["contact"] == {
        "responsible_person": "杨晋权",
        "handler": None,
        "phone": "0351-4189135",
        "filled_on": "20210730170012",
        "source_line": 496,
    }
    first = record["indicators"][0]
    assert (first["level1"], first["level2"], first["level3"]) == (
        "产出指标",
        "数量指标",
        "参展企业数量",
    )
    assert (first["period_target"], first["annual_target"]) == ("≥100家", "≥70家")
    area = next(row for row in record["indicators"] if row["level3"] == "参展面积")
    assert (area["period_target"], area["annual_target"], area["level2"]) == (
        "≥1500平方米",
        "≥500平方米",
        "数量指标",
    )
    cost = next(row for row in record["indicators"] if row["level3"] == "业务成本")
    assert (cost["period_target"], cost["annual_target"]) == ("≤11100万元", "≤3700万元")
    assert len(record["indicators"]) == 16


def test_seed_002_shifted_rows_and_contacts(seed_dir: Path) -> None:
    record = sheet(seed_dir, "002", 498)
    assert funding(record, 505)["period_total_yuan"] == D("2313300")
    assert funding(record, 505)["annual_yuan"] == D("771100")
    # line 523 is printed one column to the left and has lost its 效益指标 cell
    row = next(r for r in record["indicators"] if r["source_line"] == 523)
    assert (row["level1"], row["level2"], row["level3"]) == (
        "效益指标",
        "社会效益指标",
        "对我省招商引资的作用",
    )
    assert row["inferred"] == ["level1"]
    assert (row["period_target"], row["annual_level3"], row["annual_target"]) == (
        "积极",
        "对我省招商引资的作用",
        "积极",
    )
    satisfied = next(r for r in record["indicators"] if r["source_line"] == 527)
    assert (satisfied["level1"], satisfied["period_target"]) == ("满意度指标", "≥90%")
    assert record["contact"]["handler"] == "朱照亮"
    assert record["contact"]["responsible_person"] is None
    assert record["contact"]["phone"] == "4189135"
    last = sheet(seed_dir, "002", 530)
    assert last["project_attribute"] == "经营类项目（长期开展）"
    assert funding(last, 537)["source"] == "申报期资金总额:"
    assert funding(last, 537)["annual_yuan"] == D("160600")
    assert last["contact"]["filled_on"] == "20210705113442"


# --------------------------------------------------------------------------- seed 003


def test_seed_003_sheets(seed_dir: Path) -> None:
    secrets = sheet(seed_dir, "003", 589)
    assert (secrets["total_score"], secrets["grade"]) == (D(80), "良")
    assert funding(secrets, 597)["full_year_budget"] == D("0.2")
    assert funding(secrets, 597)["execution_rate"] == D("0.00")
    rate = indicator(secrets, "培训合格率")
    assert (rate["initial_target"], rate["adjusted_target"]) == ("90", "90")  # as printed
    assert (rate["weight"], rate["score"]) == (D(5), D(5))
    running = sheet(seed_dir, "003", 551)
    assert running["year"] == 2023
    assert funding(running, 559)["full_year_budget"] == D(2)
    assert funding(running, 559)["executed"] == D("0.847")
    # line 571: 社会效益指标 under a lost 效益指标 cell
    level = indicator(running, "提高部门招商管理水平")
    assert (level["level1"], level["level2"], level["inferred"]) == (
        "效益指标",
        "社会效益指标",
        ["level1"],
    )
    # line 574 sits one column to the right
    last = indicator(running, "受培训人员满意度")
    assert (last["level1"], last["level2"]) == ("满意度指标", "服务对象满意度")
    assert (last["initial_target"], last["actual"], last["score"]) == ("≥95%", "≥100%", D(10))
    support = sheet(seed_dir, "003", 513)
    assert funding(support, 520)["initial_budget"] == D("14000")
    assert funding(support, 520)["executed"] == D("5923.369")


# --------------------------------------------------------------------------- seed 004


def test_seed_004_misaligned_rows(seed_dir: Path) -> None:
    record = sheet(seed_dir, "004", 570)
    assert len(record["indicators"]) == 21
    # line 594 follows a page break and carries the 绩效指标 label in its first cell
    park = indicator(record, "组织开发区建设中小企业园推进培训")
    assert (park["weight"], park["score"]) == (D(1), D(0))
    assert park["level2"] == "数量指标"
    assert park["deviation_reason"] == "因机构改革，该工作未能开展"
    # line 599 prints 10 | 10 | 10: the third one stands in the 偏差原因 column
    fee = indicator(record, "培训费用标准")
    assert (fee["level2"], fee["weight"], fee["score"]) == ("成本指标", D(10), D(10))
    assert fee["deviation_reason"] == "10"
    assert fee["initial_target"] == "≤元/人、天"
    unknown = indicator(record, "高质量发展示范县考核个数")
    assert (unknown["weight"], unknown["score"]) == (D(1), None)
    # this sheet prints no 二级 for its 效益/满意度 rows
    aware = indicator(record, "企业家能力提升培训班企业家知晓度")
    assert (aware["level1"], aware["level2"]) == ("效益指标", None)
    assert (record["total_score"], record["grade"]) == (D("96.16"), "优")


def test_seed_004_funding_rows_that_do_not_fit(seed_dir: Path) -> None:
    record = sheet(seed_dir, "004", 730)
    total = funding(record, 738)  # six numbers for seven columns
    assert total["columns_inferred"]
    assert (total["initial_budget_declared"], total["initial_budget"]) == (0, D(50))
    assert (total["full_year_budget"], total["executed"], total["score"]) == (0, 0, None)
    province = funding(record, 739)  # eight numbers for seven columns
    assert province["columns_inferred"]
    assert (province["initial_budget"], province["execution_rate"]) == (D(50), D("0.00"))
    assert province["unassigned_values"] == [0]
    assert any(note["source_line"] == 739 for note in record["notes"])
    training = sheet(seed_dir, "004", 655)
    assert (training["total_score"], training["grade"]) == (D("59.19"), "差")
    assert funding(training, 663)["execution_rate"] == D("11.86")
    assert sheet(seed_dir, "004", 615)["grade"] == "中"


# --------------------------------------------------------------------------- small sheets

EVALUATION_HEAD = [
    "测试项目项目支出绩效自评表",
    "(2024年度)",
    "项目名称||测试项目",
    "主管部门及代码||101-某厅|||预算单位|101001-某局",
    "项目资金预算安排及执行进度(万元)|年初预算数||全年预算数|全年执行数|资金结转/结余|执行率|得分|偏差原因",
    "|目标申报数|预算编制数",
]
INDICATOR_HEADER = (
    "绩效指标|一级指标|二级指标|三级指标|年初指标值|调整后指标值|实际完成值"
    "|分值|得分|偏差原因分析及改进措施"
)


def evaluation(rows: Sequence[str]) -> dict[str, Any]:
    return parse_performance_evaluation(make_lines([*EVALUATION_HEAD, *rows]))


def test_inline_rows_shifted_left_and_right() -> None:
    record = evaluation(
        [
            "|资金总额:|10|10|10|8|2|80|8",
            INDICATOR_HEADER,
            "|产出指标|数量指标|培训人数|≥人|≥10人|≥12人|10|10",
            "||||参训次数|≥次|≥2次|≥2次|10|9|少一次",  # shifted right by one
            "质量指标|合格率|≥%|≥90%|≥95%|10|10",  # shifted left, 一级 lost
            "满意度|||≥%|≥90%|≥80%|5||4|偏低",  # only the 三级 name, 分值 | | 得分
            "总分|||||||71|中",
        ]
    )
    rows = record["indicators"]
    assert [r["level3"] for r in rows] == ["培训人数", "参训次数", "合格率", "满意度"]
    assert [(r["weight"], r["score"]) for r in rows] == [
        (D(10), D(10)),
        (D(10), D(9)),
        (D(10), D(10)),
        (D(5), D(4)),
    ]
    assert rows[1]["deviation_reason"] == "少一次"
    assert (rows[1]["level1"], rows[1]["level2"]) == ("产出指标", "数量指标")
    assert (rows[2]["level1"], rows[2]["level2"], rows[2]["actual"]) == (
        "产出指标",
        "质量指标",
        "≥95%",
    )
    assert (rows[3]["level2"], rows[3]["initial_target"], rows[3]["deviation_reason"]) == (
        "质量指标",
        "≥%",
        "偏低",
    )
    assert (record["total_score"], record["grade"]) == (D(71), "中")
    assert funding(record, 7)["balance"] == D(2)
    assert record["unparsed"] == []


def test_inline_lone_number_goes_to_the_column_it_sits_in() -> None:
    record = evaluation(
        [
            INDICATOR_HEADER,
            "|产出指标|数量指标|甲|≥人|≥1人|≥0人||0|未开展",  # 得分 only
            "|||乙|≥人|≥1人|≥0人|5||未评",  # 分值 only
        ]
    )
    first, second = record["indicators"]
    assert (first["weight"], first["score"]) == (None, D(0))
    assert (second["weight"], second["score"]) == (D(5), None)


def test_inline_funding_row_mapped_by_the_identities() -> None:
    record = evaluation(
        [
            "|资金总额:|20|20|15|5|75|7.5",  # 目标申报数 blank and dropped
            "|省级财政资金|20|20|20|15|5|75|7.5",
            "|其他资金|1|2|3|4|5|6|7|8|9|10|11",  # far too many numbers: kept, not guessed
        ]
    )
    total = funding(record, 7)
    assert total["columns_inferred"]
    assert total["initial_budget_declared"] is None
    assert (total["full_year_budget"], total["executed"], total["balance"]) == (
        D(20),
        D(15),
        D(5),
    )
    assert not funding(record, 8)["columns_inferred"]
    other = funding(record, 9)
    assert other["unassigned_values"] == [D(8), D(9), D(10), D(11)]
    assert other["execution_rate"] == D(6)


def test_inline_numbers_that_cannot_be_placed_are_listed() -> None:
    record = evaluation(["总分|||3|||95|优", "", "42"])
    assert record["total_score"] == D(95)
    assert record["unparsed"] == [
        {"line": 7, "text": "3", "reason": "more than one number in the 总分 row"},
        {"line": 9, "text": "42", "reason": "a number printed on its own line"},
    ]


def test_inline_target_and_result_in_one_cell_are_split_at_paragraphs() -> None:
    record = evaluation(
        [
            "年度目标||||实际完成情况",
            "项目年度绩效目标|<p>完成培训。</p> <p>完成培训12次。</p>",
            INDICATOR_HEADER,
        ]
    )
    assert record["annual_targets"] == "完成培训。"
    assert record["actual_results"] == "完成培训12次。"


TARGET_ROWS = [
    "山西省省级预算部门（单位）项目支出绩效目标申报表",
    "（2023年度）",
    "项目名称||测试经费",
    "主管部门及代码||216-山西省商务厅||实施单位||山西省投资促进局",
    "项目资金（元）||实施期资金总额：|300|年度资金总额：|100",
    "||其他资金||其他资金|",
    "||单位自筹|5|7|单位自筹|1",  # one number too many: kept in the row, flagged
    "项目概况||概况文字",
    "实施期目标||||年度目标",
    "总体目标||||年度文字",
    "绩效指标|一级指标|二级指标|三级指标|指标值|二级指标|三级指标|指标值",
    "|产出指标|数量指标|甲|≥3次|数量指标|甲|≥1次",
    "|||乙|≥30|||乙|≥10",  # the year block sits one column further right
    "社会效益指标|丙|积极||丙|积极",  # shifted left, 效益指标 lost
    "负责人:|经办人:||李四|联系电话:|4189135|填报日期:|20210705113633",
]


def test_inline_target_declaration() -> None:
    lines = make_lines(TARGET_ROWS)
    record: dict[str, Any] = parse_performance_target(lines)
    assert record["implementing_unit"] == "山西省投资促进局"
    assert funding(record, 5)["period_total_yuan"] == D(300)
    assert funding(record, 5)["annual_yuan"] == D(100)
    assert funding(record, 6)["annual_yuan"] is None
    own = funding(record, 7)
    assert (own["period_total_yuan"], own["annual_yuan"]) == (D(5), D(1))
    assert own["unassigned_values"] == [D(7)]
    assert record["overview"] == "概况文字"
    assert (record["overall_target_period"], record["overall_target_annual"]) == (None, "年度文字")
    second = record["indicators"][1]
    assert (second["level2"], second["period_target"], second["annual_target"]) == (
        "数量指标",
        "≥30",
        "≥10",
    )
    third = record["indicators"][2]
    assert (third["level1"], third["level2"], third["level3"]) == ("效益指标", "社会效益指标", "丙")
    assert third["annual_target"] == "积极"
    assert record["contact"]["handler"] == "李四"
    assert record["contact"]["filled_on"] == "20210705113633"
    assert record["unparsed"] == []
    assert lost_numbers(record, lines) == []


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [""],
        ["项目支出绩效自评表"],
        ["总分|1|2|3|优|良", "一级指标|三级指标", "1|2|3", "|||", "全年预算数", "5, 256. 96"],
        ["项目资金（元）|1|2|3|4", "负责人:", "一级指标|指标值", "|1|2|3|4|5|6|7|8|9"],
    ],
)
def test_odd_input_never_raises_and_keeps_every_number(rows: list[str]) -> None:
    lines = make_lines(rows)
    assert isinstance(locate_annexes(lines), list)
    for parse in (parse_performance_evaluation, parse_performance_target):
        record = parse(lines)
        assert lost_numbers(record, lines) == []


def test_every_key_of_the_sheet_labels_is_read() -> None:
    """The sheet words are data (builder/parse/annexes/labels.yaml): each key is read by one
    of the readers, and no reader reads a key the file does not have."""
    folder = Path(annexes_package.__file__).parent
    labels = yaml.safe_load((folder / "labels.yaml").read_text(encoding="utf-8"))
    code = "\n".join(path.read_text(encoding="utf-8") for path in folder.glob("*.py"))
    read = set(re.findall(r'LABELS\["([a-z0-9_]+)"\]', code))
    assert read == set(labels)
    assert labels["markers"]["项目支出绩效自评表"] == "performance_evaluation"


# --------------------------------------------------------------------------- every sheet word read

# Small sheets in the wordings the seeds do not print (主管部门 alone, 年初预算数 without
# 目标申报数, 资金结转, goals opened by 项目年度绩效目标, a family inferred for each word of
# ``families``, label pieces among indicator names, 备注 followed by a row, a declaration
# without a unit whose header sits further right): with the seeds' sheets, each word of
# labels.yaml changes some parse.
WORDING_EVALUATION = [
    "测试项目项目支出绩效自评表",
    "(2024年度)",
    "项目名称||测试项目",
    "主管部门||某厅|||预算单位|某局",
    "项目资金(万元)|年初预算数|全年预算数|全年执行数|结余|执行率|得分|偏差原因",
    "|资金总额:|10|10|8|2|80|8",
    "项目年度绩效目标|完成培训。|完成培训12次。",
    "年度绩效目标|",
    "绩效目标|另一目标。",
    INDICATOR_HEADER,
    "|效益指标|社会效益|甲|≥1|≥1|≥1|5|5",
    "||数量指标|乙|≥1|≥1|≥1|5|5",  # each 二级 names another family than the 一级 carried
    "||服务对象评价|丙|≥1|≥1|≥1|5|5",
    "||质量指标|丁|≥1|≥1|≥1|5|5",
    "||经济收益|戊|≥1|≥1|≥1|5|5",
    "||时效指标|己|≥1|≥1|≥1|5|5",
    "||可持续影响|庚|≥1|≥1|≥1|5|5",
    "||产出成果|辛|≥1|≥1|≥1|5|5",
    "||满意度|壬|≥1|≥1|≥1|5|5",
    "||成本指标|癸|≥1|≥1|≥1|5|5",  # a 二级 of older sheets: no family
    "||成本控制|子|≥1|≥1|≥1|5|5",
    "绩效|||丑|≥1|≥1|≥1|5|5",  # pieces of the sheet's own labels, not names
    "项目年度|||寅|≥1|≥1|≥1|5|5",
    "项目年度绩效目标|||卯|≥1|≥1|≥1|5|5",
    "年度绩效目标|||辰|≥1|≥1|≥1|5|5",
    "总分|||||||71|中",
    "备注：说明",
    "|补充说明|",
]
WORDING_BALANCE = [
    *EVALUATION_HEAD[:4],
    "项目资金(万元)|年初预算数||全年预算数|全年执行数|资金结转|执行率|得分",
    "|目标申报数|预算编制数",
    "|资金总额:|10|10|10|8|2|80|8",
]
WORDING_SCORES = [
    *EVALUATION_HEAD,
    INDICATOR_HEADER,
    "|产出指标|数量指标|甲|≥人|≥1人|≥0人||0|未开展",
]
WORDING_TARGET = [
    "项目支出绩效目标申报表",
    "项目名称||乙经费",
    "项目资金||实施期资金总额：|300|年度资金总额：|100",
    "保证项目实施的制度和措施||制度文字",
    "绩效指标|||||一级指标|二级指标|三级指标|指标值|二级指标|三级指标|指标值",
    "||||||产出指标|数量指标|甲|≥3次|数量指标|甲|≥1次",
    "|||||||质量指标|乙|≥90%|质量指标|乙|≥95%",
    "|||||||其他指标",  # a lone name ending with 指标 is a 二级
]
WORDING_SHEETS = [
    (parse_performance_evaluation, WORDING_EVALUATION),
    (parse_performance_evaluation, WORDING_BALANCE),
    (parse_performance_evaluation, WORDING_SCORES),
    (parse_performance_target, TARGET_ROWS),
    (parse_performance_target, WORDING_TARGET),
]
LABELS_TEXT = (Path(annexes_package.__file__).parent / "labels.yaml").read_text(encoding="utf-8")
SHEET_WORD = re.compile(r"[\u4e00-\u9fff][^\s:,\[\]{}#]*")
SHEET_WORDS = [
    (number, match.start(), match.group())
    for number, line in enumerate(LABELS_TEXT.splitlines())
    for match in SHEET_WORD.finditer(line.split("#", 1)[0])
]
# Words read, but whose change no sheet can show, with the reason.
UNSEEN = {
    "保证项目实施的制度、措施": "every cell it matches also starts with text_prefixes 保证项目实施",
}


def annex_parses() -> list[str]:
    """Every annex of the bundled texts and every wording sheet, parsed."""
    out = []
    for path in BUNDLED:
        lines = read_source(path).lines
        out.extend(repr(annexes_package.parse_annex(lines, r)) for r in locate_annexes(lines))
    for parse, rows in WORDING_SHEETS:
        out.append(repr(parse(make_lines(rows))))
    return out


def reload_annexes() -> None:
    """Re-read labels.yaml: the readers take their words from it when imported."""
    for name in ("cells", "indicators", "evaluations", "targets", "locating"):
        importlib.reload(importlib.import_module(f"builder.parse.annexes.{name}"))
    importlib.reload(annexes_package)


@pytest.fixture(scope="module")
def unmutated_annexes() -> list[str]:
    return annex_parses()


def test_the_wording_sheets_read_their_words() -> None:
    record = parse_performance_evaluation(make_lines(WORDING_EVALUATION))
    assert record["competent_department"] == "某厅"
    assert record["funding_columns"][:2] == ["initial_budget", "full_year_budget"]
    assert (record["annual_targets"], record["actual_results"]) == (
        "完成培训。 另一目标。",  # a lone text with no 实际完成情况 column is a target
        "完成培训12次。",
    )
    rows = {row["level3"]: row for row in record["indicators"]}
    assert [rows[name]["level1"] for name in "乙丙丁戊己庚辛壬癸子丑"] == [
        "产出指标",
        "满意度指标",
        "产出指标",
        "效益指标",
        "产出指标",
        "效益指标",
        "产出指标",
        "满意度指标",
        "满意度指标",
        "成本指标",
        "成本指标",
    ]
    assert rows["丑"]["level2"] == "成本控制"
    assert record["notes"][-1] == {"text": "补充说明", "source_line": 28}
    balance = parse_performance_evaluation(make_lines(WORDING_BALANCE))
    assert "balance" in balance["funding_columns"]
    target = parse_performance_target(make_lines(WORDING_TARGET))
    assert (target["money_unit"], target["safeguards"]) == ("元", "制度文字")
    assert target["indicators"][1]["annual_target"] == "≥95%"
    assert target["indicators"][2]["level2"] == "其他指标"


@pytest.mark.parametrize(
    ("number", "start", "word"), SHEET_WORDS, ids=[f"{n + 1}:{w}" for n, _, w in SHEET_WORDS]
)
def test_every_word_of_the_sheet_labels_changes_a_parse(
    number: int,
    start: int,
    word: str,
    unmutated_annexes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each word of labels.yaml, altered (Ⓧ prefixed, so no cell matches it), changes the
    parse of a seed's annexes or of a wording sheet, and nothing raises: no word is data that
    nothing reads, and none is still written in the code beside it."""
    lines = LABELS_TEXT.splitlines()
    lines[number] = f"{lines[number][:start]}Ⓧ{lines[number][start:]}"
    altered = yaml.safe_load("\n".join(lines))
    real = catalogue._load_yaml

    def load(name: str, package: str) -> Any:
        return altered if name == "labels.yaml" else real(name, package)

    monkeypatch.setattr(catalogue, "_load_yaml", load)
    try:
        reload_annexes()
        changed = annex_parses() != unmutated_annexes
    finally:
        monkeypatch.undo()
        reload_annexes()
    assert changed != (word in UNSEEN), (
        f"labels.yaml line {number + 1}: {word} {UNSEEN.get(word, 'changes nothing')}"
    )
