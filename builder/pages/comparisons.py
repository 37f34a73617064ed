"""Two disclosures of one unit side by side, on the unit's page: the budget and the final
account of one year (item by item: totals, functional classes, 三公 costs), and two
consecutive years of one kind (the later year's 上年 figures against the earlier file)."""

from __future__ import annotations

from markupsafe import Markup

from builder.charts import facts
from builder.pages.catalog import DisclosureEntry, link
from builder.pages.markup import amount, md_table, search_excluded, text
from builder.pages.templating import render
from builder.validate.base import Disclosure
from builder.validate.execution import compare_disclosures


def pairs(disclosures: list[DisclosureEntry]) -> list[tuple[DisclosureEntry, DisclosureEntry]]:
    """Disclosures of one unit that can be set side by side: the budget and final account of
    one year, and two consecutive years of one kind (later first)."""
    out = []
    for position, first in enumerate(disclosures):
        for second in disclosures[position + 1 :]:
            if first.unit_id != second.unit_id:
                continue
            same_year = first.year == second.year and first.kind != second.kind
            consecutive = first.kind == second.kind and abs(first.year - second.year) == 1
            if same_year or consecutive:
                out.append((first, second))
    return out


def _percent_text(value: object) -> str:
    return "—" if value is None else f"{value}%"


def comparisons(disclosures: list[DisclosureEntry], page: str) -> str:
    """Budget against final account, and the 上年 figures of consecutive years, as tables
    (``disclosures`` in the order to pair them; links from ``page``)."""
    shown = []
    for first, second in pairs(disclosures):
        report = compare_disclosures(
            Disclosure.from_parse(first.parsed, first.disclosure_id),
            Disclosure.from_parse(second.parsed, second.disclosure_id),
        )
        if report["comparison"] == "budget-final":
            rows = [
                [
                    text(row["item"]),
                    text(amount(row["budget_10k_yuan"])),
                    text(amount(row["final_10k_yuan"])),
                    text(amount(row["difference_10k_yuan"])),
                    text(_percent_text(row["execution_percent"])),
                ]
                for row in report["rows"]
            ]
            budget, final = facts.phase_label(facts.BUDGET), facts.phase_label(facts.FINAL)
            headers = ["项目", budget, final, "差额（决算－预算）", "执行率"]
        else:
            rows = [
                [
                    text(f"第{row['line']}行 {row['subject']}"),
                    text(amount(row["implied_previous_10k_yuan"])),
                    text(amount(row["previous_printed_10k_yuan"])),
                    text(amount(row["difference_10k_yuan"])),
                    "一致" if row["agrees"] else "✗ 不一致",
                ]
                for row in report["rows"]
            ]
            headers = ["后一年的说明", "据其推算的上年数", "上年文件所列", "差额", "核对"]
        table = md_table(headers, rows, ["left", "right", "right", "right", "right"])
        shown.append(
            {
                "first": first.title,
                "first_page": link(page, first.page),
                "second": second.title,
                "second_page": link(page, second.page),
                "table": Markup(search_excluded(table)),  # safe: its cells are escaped above
            }
        )
    return render("comparisons.md.j2", pairs=shown)
