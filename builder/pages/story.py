"""The top of a disclosure page: a short story in plain Chinese, the headline figures and
the balance of both sides of the summary table.

The story says how much came in and from where, how much went out and on what, what is
carried to next year, the 三公 costs against their budget, and what the audit found; each
figure is read through ``builder.charts.facts`` (the same rows as the charts). The figures
add up: the cards of spending by type are every column of the table they come from, and
the balance shows 本年收入 + 结转 on one side and 本年支出 + 结转 on the other, as printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from builder.charts import execution, facts
from builder.declarations import TOTAL_LEVEL
from builder.pages.catalog import DisclosureEntry
from builder.pages.markup import UNIT_10K as UNIT
from builder.pages.markup import amount, md_table, number, percent, share, text
from builder.pages.templating import render


@dataclass(frozen=True)
class Figure:
    value: str
    what: str
    role: str = ""


def _largest(breakdown: facts.Breakdown | None) -> facts.Item | None:
    if breakdown is None or not breakdown.items:
        return None
    return max(breakdown.items, key=lambda item: item.amount)


def _part(item: facts.Item, whole: Decimal) -> str:
    rate = share(item.amount, whole)
    return f"{item.label}（{amount(item.amount)}，占 {percent(rate)}）"


def _money_sentences(entry: DisclosureEntry, balance: facts.Balance) -> list[str]:
    planned = "计划" if entry.kind == "budget" else ""
    year = entry.year
    out = []
    income = f"{year}年度{planned}本年收入 {amount(balance.income)}"
    source = _largest(facts.income_by_source(entry.parsed))
    if source is not None and balance.income:
        income += f"，主要来自{_part(source, balance.income)}"
    if balance.brought:
        brought = "、".join(f"{i.label} {amount(i.amount)}" for i in balance.brought)
        income += f"；另有{brought}，收入共计 {amount(balance.inflow)}"
    out.append(income + "。")
    spending = f"{planned}本年支出 {amount(balance.spending)}"
    function = _largest(facts.expenditure_by_function(entry.parsed))
    if function is not None and balance.spending:
        spending += f"，最多的一类是{_part(function, balance.spending)}"
    by_type = facts.expenditure_by_type(entry.parsed)
    if by_type is not None and "一般公共预算" not in by_type.source:
        spending += "；其中" + "、".join(f"{i.label} {amount(i.amount)}" for i in by_type.items)
    if balance.carried:
        carried = "、".join(f"{i.label} {amount(i.amount)}" for i in balance.carried)
        spending += f"；{carried}，支出共计 {amount(balance.outflow)}"
    out.append(spending + "。")
    return out


def _three_public_sentence(entry: DisclosureEntry) -> str:
    totals = facts.three_public_totals(entry.parsed)
    budget, actual = totals.get(facts.BUDGET), totals.get(facts.FINAL)
    if actual is not None and budget is not None:
        rate = share(actual, budget)
        return (
            f"“三公”经费决算 {amount(actual)}，全年预算 {amount(budget)}，"
            f"完成全年预算的 {percent(rate)}（全年预算是调整后的预算）。"
        )
    if budget is not None and entry.kind == "final":
        return f"“三公”经费全年预算 {amount(budget)}；原表{facts.phase_label(facts.FINAL)}为空白。"
    if budget is not None:
        return f"“三公”经费预算 {amount(budget)}。"
    return ""


def _execution_sentence(entry: DisclosureEntry) -> str:
    """The 年初预算 against 决算 of general public budget spending, as the text states it."""
    found = execution.function_execution(entry.parsed)
    if found is None:
        return ""
    total = next((line for line in found[1] if line.label == TOTAL_LEVEL), None)
    if total is None or total.initial is None:
        return ""
    return (
        f"一般公共预算财政拨款支出年初预算 {amount(total.initial)}，决算 {amount(total.actual)}，"
        f"完成年初预算的 {percent(total.rate)}（见情况说明）。"
    )


def _findings_sentence(entry: DisclosureEntry) -> str:
    if entry.findings is None:
        return "本文件尚未经过核查。"
    serious = entry.findings_of("error", "warning")
    if serious:
        return (
            f"核查（表格的数字和文字说明）发现 {len(serious)} 处需要注意的问题，"
            "照原样公布，见“核查发现”。"
        )
    return "核查未发现表格数字或文字说明中的问题。"


def story(entry: DisclosureEntry) -> list[str]:
    """The summary sentences of a disclosure, in reading order."""
    balance = facts.balance(entry.parsed)
    sentences = _money_sentences(entry, balance) if balance is not None else []
    sentences.append(_execution_sentence(entry))
    sentences.append(_three_public_sentence(entry))
    sentences.append(_findings_sentence(entry))
    return [s for s in sentences if s]


def headline_figures(entry: DisclosureEntry) -> tuple[list[Figure], str]:
    """The cards (income and brought forward, spending and carried forward, spending by
    type, 三公) and a note on where the spending split comes from."""
    parsed = entry.parsed
    out: list[Figure] = []
    balance = facts.balance(parsed)
    if balance is not None:
        out.append(Figure(amount(balance.income), "本年收入合计", "income"))
        out += [Figure(amount(i.amount), i.label, "income") for i in balance.brought]
        out.append(Figure(amount(balance.spending), "本年支出合计", "spending"))
        out += [Figure(amount(i.amount), i.label, "spending") for i in balance.carried]
    split = ""
    by_type = facts.expenditure_by_type(parsed)
    if by_type is not None:
        general = "一般公共预算" in by_type.source
        scope = "（一般公共预算财政拨款）" if general else ""
        out += [Figure(amount(i.amount), f"{i.label}{scope}") for i in by_type.items]
        parts = " + ".join(i.label for i in by_type.items)
        split = f"{parts} = {amount(by_type.total)}（{by_type.source}）"
        if balance is not None and not general and by_type.total != balance.spending:
            split += f"，与本年支出合计相差 {amount(balance.spending - by_type.total)}（尾数误差）"
        split += "。"
    for phase, total in facts.three_public_totals(parsed).items():
        label = facts.phase_label(phase)
        if phase == facts.BUDGET and entry.kind == "final":
            label = execution.FULL_YEAR + label
        out.append(Figure(amount(total), f"“三公”经费{label}"))
    return out, split


def balance_table(entry: DisclosureEntry) -> str:
    """Both sides of the summary table, one under the other so that it fits a phone:
    本年收入 + 上年结转 = 收入总计 = 支出总计 = 本年支出 + 年末结转."""
    balance = facts.balance(entry.parsed)
    if balance is None:
        return ""
    rows: list[tuple[str, Decimal]] = [("收入：本年收入合计", balance.income)]
    rows += [(f"＋ {i.label}", i.amount) for i in balance.brought]
    rows.append(("＝ 收入总计", balance.inflow))
    rows.append(("支出：本年支出合计", balance.spending))
    rows += [(f"＋ {i.label}", i.amount) for i in balance.carried]
    rows.append(("＝ 支出总计", balance.outflow))
    note = "；".join(f"{c}为计算值，原表未列" for c in balance.computed)
    caption = f"收支平衡（{balance.source}）：收入 + 上年结转 = 支出 + 年末结转" + (
        f"。{note}" if note else ""
    )
    return md_table(
        ["项目", f"金额（{UNIT}）"],
        [[text(label), text(number(value))] for label, value in rows],
        ["left", "right"],
        caption,
    )


def story_section(entry: DisclosureEntry, sentences: list[str]) -> str:
    """The summary section: ``sentences`` (:func:`story`, which the page's description
    also is), the headline figures and the balance table."""
    figures, split = headline_figures(entry)
    return render(
        "story.md.j2",
        sentences=sentences,
        figures=figures,
        split=split,
        balance_table=Markup(balance_table(entry)),  # safe: md_table cells are escaped
    )
