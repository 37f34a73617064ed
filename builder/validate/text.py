"""The rules of the narrative family: what the 情况说明 states, against the tables.

The figures of every explanation paragraph are read by :mod:`builder.validate.claims`; their
subjects (and the cells each stands for) are declared in ``checks.yaml`` (``subjects``,
``classes``). One check of this family looks at one kind of comparison (its ``compare``
parameter): an amount against its cell, a share or a rate recomputed, the direction words,
the reason after a change; the execution family uses the same reading for budget figures
and execution rates. Rounding never makes a finding: a recomputed percentage is compared
with the range its rounded inputs allow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from builder.declarations import CLASS_LEVEL
from builder.parse.patterns import MONEY_FACTORS, PUBLISHED_MONEY_UNIT
from builder.validate.base import Cell, Disclosure, Run, Selector, table_label
from builder.validate.checks import checks_file
from builder.validate.claims import (
    Figure,
    has_reason,
    neutral,
    normalise,
    percent_agrees,
    ratio_bounds,
    read_figures,
    rounding_half,
)

MONEY_UNITS = MONEY_FACTORS  # a narrative figure in one of these is an amount, into 万元
AMOUNT_ROLES = ("amount", "final")
ZERO = Decimal(0)
PERCENT = "percent"  # the unit of a recomputed share or rate in a finding


# --------------------------------------------------------------------------- the vocabulary


@dataclass(frozen=True)
class Subject:
    """What the narrative speaks of, and where its figures stand in the tables."""

    name: str
    aliases: tuple[str, ...]
    cells: tuple[Mapping[str, Any], ...]
    budget_cells: tuple[Mapping[str, Any], ...]
    heading: str = ""  # a subject only in sections whose heading names this


@cache
def vocabulary() -> tuple[
    dict[str, tuple[Subject, ...]], dict[str, Mapping[str, Any]], tuple[str, ...]
]:
    """The declared subjects and function-class scopes by document kind, and the prefixes
    that carry from one alias to the next in a sentence."""
    data = checks_file()
    subjects: dict[str, tuple[Subject, ...]] = {}
    for kind, entries in data.get("subjects", {}).items():
        subjects[kind] = tuple(
            Subject(
                str(entry["subject"]),
                tuple(normalise(str(alias)) for alias in entry["aliases"]),
                _specs(entry.get("cell")),
                _specs(entry.get("budget_cell")),
                normalise(str(entry.get("heading") or "")),
            )
            for entry in entries
        )
    carry = tuple(normalise(str(prefix)) for prefix in data.get("carry", []))
    return subjects, dict(data.get("classes", {})), carry


def _specs(value: Any) -> tuple[Mapping[str, Any], ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Paragraph:
    section: str
    line: int
    text: str


@dataclass(frozen=True)
class Reading:
    """The figures of a disclosure's narrative, with the subjects they resolve to."""

    figures: tuple[Figure, ...]
    paragraphs: tuple[Paragraph, ...]
    subjects: Mapping[str, Subject]
    leads: Mapping[int, Figure]  # paragraph index → the amount a share is of by default
    paragraph_of: Mapping[int, int]  # figure index → paragraph index


def explanation_paragraphs(doc: Disclosure) -> list[Paragraph]:
    """Each paragraph of the 情况说明 sections with its source line."""
    result = []
    for section in doc.narrative.get("explanations", []):
        heading = " ".join(
            str(part) for part in (section.get("parent"), section.get("heading")) if part
        )
        texts = str(section.get("text") or "").split("\n")
        lines = list(section.get("lines") or [])
        for position, text in enumerate(texts):
            if not text.strip():
                continue
            line = lines[position] if position < len(lines) else int(section["source_line"])
            result.append(Paragraph(heading, int(line), text))
    return result


def class_subjects(doc: Disclosure, scope: Mapping[str, Any] | None) -> list[Subject]:
    """The function classes (类 rows) of the scope's table, each a subject by its name."""
    if not scope:
        return []
    table, field = str(scope["table"]), str(scope["field"])
    found = []
    for row in doc.rows(table):
        name = row.get("function_name")
        if row.get("level") != CLASS_LEVEL or not name:
            continue
        spec = {
            "table": table,
            "field": field,
            "where": {"level": CLASS_LEVEL, "function_name": name},
        }
        aliases = (normalise(str(name)), normalise(f"{name}(类)"))
        found.append(Subject(str(name), aliases, (spec,), ()))
    return found


def read_narrative(doc: Disclosure) -> Reading:
    """The figures of the narrative (read once per disclosure; the checks share them)."""
    reading = doc.memo.get("narrative")
    if not isinstance(reading, Reading):
        reading = doc.memo["narrative"] = _read_narrative(doc)
    return reading


def _read_narrative(doc: Disclosure) -> Reading:
    subjects_by_kind, classes, carry = vocabulary()
    unit = normalise(str(doc.document.get("unit_name") or ""))
    declared = list(subjects_by_kind.get(doc.family, ()))
    scope = classes.get(doc.family)
    classes_here = class_subjects(doc, scope)
    subjects = {subject.name: subject for subject in (*declared, *classes_here)}
    class_aliases = {alias: s.name for s in classes_here for alias in s.aliases}
    figures: list[Figure] = []
    paragraphs = explanation_paragraphs(doc)
    leads: dict[int, Figure] = {}
    paragraph_of: dict[int, int] = {}
    section_lead: dict[str, Figure] = {}
    for index, paragraph in enumerate(paragraphs):
        heading = normalise(paragraph.section)
        aliases = {alias: s.name for s in declared if s.heading in heading for alias in s.aliases}
        if scope and str(scope["heading"]) in heading:
            aliases.update(class_aliases)
        found = read_figures(paragraph.text, paragraph.line, aliases, carry, unit)
        lead = next(
            (f for f in found if f.role in AMOUNT_ROLES and f.unit == PUBLISHED_MONEY_UNIT), None
        )
        if paragraph.section not in section_lead and lead is not None:
            section_lead[paragraph.section] = lead
        if paragraph.section in section_lead:
            leads[index] = section_lead[paragraph.section]
        for figure in found:
            paragraph_of[len(figures)] = index
            figures.append(figure)
    return Reading(tuple(figures), tuple(paragraphs), subjects, leads, paragraph_of)


def cells_of(doc: Disclosure, specs: Sequence[Mapping[str, Any]]) -> list[Cell] | None:
    """The cells a subject stands for: the first declared table the disclosure prints.

    None when no such table can be read; an empty list for a table printed as 本表无数据."""
    for spec in specs:
        selector = Selector.read(spec, None, None)
        status = doc.status(selector.table)
        if status == "empty":
            return []
        if status != "parsed" or not doc.printed(selector.table, selector.field):
            continue
        matched, cells = selector.select(doc)
        if matched:
            return cells
    return None


def in_10k(figure: Figure) -> Decimal | None:
    factor = MONEY_UNITS.get(figure.unit)
    return None if factor is None else figure.value * factor


# --------------------------------------------------------------------------- comparisons


def where_zh(figure: Figure) -> str:
    return f"第{figure.line}行「{figure.sentence}」"


def where_en(figure: Figure) -> str:
    return f"line {figure.line}"


def compare_cells(run: Run, reading: Reading, role: str) -> None:
    """An amount (or a budget figure) against the cell its subject stands for."""
    doc = run.doc
    allowed = run.check.allowed(1)
    for figure in reading.figures:
        roles = AMOUNT_ROLES if role == "amount" else ("budget",)
        if figure.role not in roles and not (role == "amount" and figure.role == "count"):
            continue
        subject = reading.subjects.get(figure.subject or "")
        if subject is None:
            continue
        specs = subject.cells if role == "amount" else subject.budget_cells
        cells = cells_of(doc, specs) if specs else None
        if cells is None:
            continue
        if figure.role == "count":
            if subject.name != "车辆" or figure.unit != "辆":
                continue
            stated: Decimal | None = figure.value
        else:
            stated = in_10k(figure)
        if stated is None:
            continue
        run.evaluated += 1
        printed = sum((c.value for c in cells if c.value is not None), ZERO)
        if abs(stated - printed) <= allowed:
            continue
        tables = tuple(dict.fromkeys(c.table for c in cells)) or _tables(specs)
        rows = (figure.line, *(c.line for c in cells))
        label_zh = "、".join(dict.fromkeys(table_label(doc, t)[0] for t in tables))
        label_en = ", ".join(dict.fromkeys(table_label(doc, t)[1] for t in tables))
        cell_lines = "、".join(str(c.line) for c in cells) or "（本表无数据）"
        unit_note_zh, unit_note_en = "", ""
        if figure.unit == "元" and figure.value == printed:
            unit_note_zh = "；数字相同而单位写作“元”，应为“万元”"
            unit_note_en = "; the same number is written in 元 where 万元 is meant"
        run.state(
            tables,
            tuple(dict.fromkeys(rows)),
            f"{where_zh(figure)}所述{subject.name} {figure.text}，而{label_zh}"
            f"（第{cell_lines}行）为 {printed} 万元{unit_note_zh}。",
            f"{where_en(figure)} states {subject.name} {figure.text}; {label_en} prints"
            f" {printed} (10k yuan){unit_note_en}.",
            quote=figure.sentence,
            compared=(printed, stated),
            field="count" if figure.role == "count" else None,
        )


def _tables(specs: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(str(spec["table"]) for spec in specs[:1])


def stated_amount(reading: Reading, subject: str | None, index: int) -> Figure | None:
    """The latest amount the narrative states for a subject before figure ``index``,
    within its paragraph's section."""
    if subject is None:
        return None
    section = reading.paragraphs[reading.paragraph_of[index]].section
    for position in range(index - 1, -1, -1):
        figure = reading.figures[position]
        if reading.paragraphs[reading.paragraph_of[position]].section != section:
            break
        if figure.subject == subject and figure.role in AMOUNT_ROLES and in_10k(figure):
            return figure
    return None


def table_amount(doc: Disclosure, reading: Reading, subject: str | None) -> Decimal | None:
    found = reading.subjects.get(subject or "")
    cells = cells_of(doc, found.cells) if found and found.cells else None
    if not cells:
        return None
    return sum((c.value for c in cells if c.value is not None), ZERO)


def previous_figure(reading: Reading, index: int) -> Figure | None:
    if index == 0:
        return None
    figure, before = reading.figures[index], reading.figures[index - 1]
    same = before.line == figure.line and before.sentence == figure.sentence
    return before if same else None


def compare_shares(run: Run, reading: Reading) -> None:
    for index, figure in enumerate(reading.figures):
        if figure.role != "share":
            continue
        part = previous_figure(reading, index)
        if part is None or in_10k(part) is None:
            continue
        whole_value: Decimal | None = None
        whole_text = ""
        if figure.whole:
            stated = stated_amount(reading, figure.whole, index)
            whole_value = in_10k(stated) if stated else table_amount(run.doc, reading, figure.whole)
            whole_text = figure.whole
        else:
            lead = reading.leads.get(reading.paragraph_of[index])
            if lead is not None and lead is not part:
                whole_value, whole_text = in_10k(lead), f"{lead.subject or ''}{lead.text}"
        part_value = in_10k(part)
        if whole_value is None or part_value is None or whole_value <= 0:
            continue
        computed = misstated_percent(run, figure, part_value, whole_value)
        if computed is not None:
            state_percent(
                run,
                figure,
                computed,
                f"{where_zh(figure)}：{part.text}占{whole_text}（{whole_value} 万元）的比例应为"
                f" {computed}%，文中为 {figure.text}。",
                f"{where_en(figure)}: {part.text} of {whole_value} is {computed}%, the text says"
                f" {figure.text}.",
            )


def misstated_percent(run: Run, figure: Figure, part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` / ``whole`` × 100 when the stated percentage ``figure`` cannot be its
    rounding (both amounts rounded to 0.01 万元), else None; counts the comparison."""
    bounds = ratio_bounds(part, whole)
    if bounds is None:  # from nothing: no percentage can be computed
        return None
    run.evaluated += 1
    if percent_agrees(figure.value, figure.decimals, bounds):
        return None
    return (part / whole * 100).quantize(Decimal("0.01"))


def state_percent(run: Run, figure: Figure, computed: Decimal, zh: str, en: str) -> None:
    """A finding on a stated percentage that should be ``computed``."""
    run.state(
        (),
        (figure.line,),
        zh,
        en,
        quote=figure.sentence,
        compared=(computed, figure.value),
        field=PERCENT,
    )


def compare_change_rates(run: Run, reading: Reading) -> None:
    for index, figure in enumerate(reading.figures):
        if figure.role != "rate":
            continue
        change = previous_figure(reading, index)
        if change is None or change.role != "change" or change.direction != figure.direction:
            continue
        change_value = in_10k(change)
        current = stated_amount(reading, change.subject, index - 1)
        current_value = in_10k(current) if current else None
        if current_value is None:
            current_value = table_amount(run.doc, reading, change.subject)
        if change_value is None or current_value is None:
            continue
        previous = current_value - change.direction * change_value
        computed = misstated_percent(run, figure, change_value, previous)
        if computed is not None:
            state_percent(
                run,
                figure,
                computed,
                f"{where_zh(figure)}：{change.subject or ''}本年 {current_value} 万元，"
                f"增减 {change.text}，上年应为 {previous} 万元，幅度应为 {computed}%，文中为"
                f" {figure.text}。",
                f"{where_en(figure)}: {current_value} this year and a change of {change.text}"
                f" give {previous} last year and a rate of {computed}%; the text says"
                f" {figure.text}.",
            )


def compare_directions(run: Run, reading: Reading) -> None:
    for index, figure in enumerate(reading.figures):
        if figure.role not in ("rate", "change"):
            continue
        run.evaluated += 1
        before = previous_figure(reading, index)
        if figure.value < 0:
            zh, en = f"增减额写作负数 {figure.text}", f"a change written as negative {figure.text}"
        elif (
            figure.role == "rate"
            and before is not None
            and before.role == "change"
            and before.direction != figure.direction
        ):
            words = {1: "增加", -1: "减少"}
            rates = {1: "增长", -1: "下降"}
            zh = (
                f"{words[before.direction]} {before.text} 却{rates[figure.direction]} {figure.text}"
            )
            en = f"{before.text} one way, {figure.text} the other"
        else:
            continue
        run.state(
            (),
            (figure.line,),
            f"{where_zh(figure)}：{zh}，增减方向矛盾。",
            f"{where_en(figure)}: {en}; the directions contradict each other.",
            quote=figure.sentence,
        )


def compare_reasons(run: Run, reading: Reading) -> None:
    for index, figure in enumerate(reading.figures):
        if figure.role not in ("change", "rate") or figure.value == 0:
            continue
        before = previous_figure(reading, index)
        if figure.role == "rate" and before is not None and before.role == "change":
            continue  # the change before it is judged
        if neutral(figure.sentence):
            continue
        run.evaluated += 1
        paragraph = reading.paragraph_of[index]
        section = reading.paragraphs[paragraph].section
        rest = [figure.sentence[figure.sentence.find(figure.text.rstrip("万元%")) :]]
        rest += [p.text for p in reading.paragraphs[paragraph + 1 :] if p.section == section]
        own = reading.paragraphs[paragraph].text
        rest.append(own[own.find(figure.sentence) :])
        if has_reason(rest):
            continue
        run.state(
            (),
            (figure.line,),
            f"{where_zh(figure)}：列出增减变化 {figure.text}，本节未说明原因。",
            f"{where_en(figure)}: a change of {figure.text} is stated without its reason.",
            quote=figure.sentence,
        )


def execution_inputs(
    doc: Disclosure, reading: Reading, index: int
) -> tuple[Decimal | None, Decimal | None]:
    """The budget and the final figure a stated execution rate is about."""
    figure = reading.figures[index]
    budget: Decimal | None = None
    final: Decimal | None = None
    for position in range(index - 1, -1, -1):
        other = reading.figures[position]
        if other.sentence != figure.sentence or other.line != figure.line:
            break
        if other.role == "budget" and budget is None:
            budget = in_10k(other)
        elif other.role in AMOUNT_ROLES and final is None:
            final = in_10k(other)
    subject = reading.subjects.get(figure.subject or "")
    if budget is None and subject and subject.budget_cells:
        cells = cells_of(doc, subject.budget_cells)
        if cells:
            budget = sum((c.value for c in cells if c.value is not None), ZERO)
    if final is None:
        final = table_amount(doc, reading, figure.subject)
    return budget, final


def compare_execution(run: Run, reading: Reading, *, zero_budget: bool) -> None:
    for index, figure in enumerate(reading.figures):
        if figure.role != "execution":
            continue
        budget, final = execution_inputs(run.doc, reading, index)
        if budget is None or final is None:
            continue
        if zero_budget:
            run.evaluated += 1
            if budget == 0 and final > 0:
                run.state(
                    (),
                    (figure.line,),
                    f"{where_zh(figure)}：预算为 0、决算为 {final} 万元，完成率无从计算，文中为"
                    f" {figure.text}。",
                    f"{where_en(figure)}: budget 0 and {final} spent have no execution rate;"
                    f" the text says {figure.text}.",
                    quote=figure.sentence,
                )
            continue
        computed = misstated_percent(run, figure, final, budget)
        if computed is not None:
            state_percent(
                run,
                figure,
                computed,
                f"{where_zh(figure)}：决算 {final} 万元除以预算 {budget} 万元为 {computed}%，"
                f"文中为 {figure.text}。",
                f"{where_en(figure)}: {final} over a budget of {budget} is {computed}%; the"
                f" text says {figure.text}.",
            )


COMPARISONS: dict[str, Callable[[Run, Reading], None]] = {
    "amount": lambda run, reading: compare_cells(run, reading, "amount"),
    "budget": lambda run, reading: compare_cells(run, reading, "budget"),
    "share": compare_shares,
    "change-rate": compare_change_rates,
    "direction": compare_directions,
    "reason": compare_reasons,
    "execution": lambda run, reading: compare_execution(run, reading, zero_budget=False),
    "no-budget": lambda run, reading: compare_execution(run, reading, zero_budget=True),
}


def applies(run: Run) -> bool:
    return run.doc.family in run.check.documents


def run_narrative_claims(run: Run) -> None:
    """One kind of comparison (the check's ``compare``) over the narrative's figures."""
    if not applies(run):
        return
    COMPARISONS[str(run.check.params["compare"])](run, read_narrative(run.doc))


def tied(doc: Disclosure, reading: Reading) -> Iterator[tuple[int, Figure]]:
    """Figures in 万元 of the narrative that no declared cell confirms."""
    for index, figure in enumerate(reading.figures):
        if figure.role not in (*AMOUNT_ROLES, "budget") or figure.unit not in MONEY_UNITS:
            continue
        subject = reading.subjects.get(figure.subject or "")
        specs = (
            ()
            if subject is None
            else (subject.cells if figure.role in AMOUNT_ROLES else subject.budget_cells)
        )
        if specs and cells_of(doc, specs) is not None:
            continue
        yield index, figure


def run_unchecked_numbers(run: Run) -> None:
    """One finding listing the narrative's amounts that no table cell can confirm."""
    if not applies(run):
        return
    reading = read_narrative(run.doc)
    loose = [figure for _, figure in tied(run.doc, reading)]
    run.evaluated += 1
    if not loose:
        return
    listed = "；".join(f"第{f.line}行 {f.subject or '（未识别）'} {f.text}" for f in loose)
    run.state(
        (),
        tuple(dict.fromkeys(f.line for f in loose)),
        f"情况说明中有 {len(loose)} 个金额无法与表格单元格对应，未予核对：{listed}。",
        f"{len(loose)} amounts of the narrative cannot be tied to a table cell and were not"
        " checked.",
    )


RULES: dict[str, Callable[[Run], None]] = {
    "narrative_claims": run_narrative_claims,
    "unchecked_numbers": run_unchecked_numbers,
}

__all__ = ["RULES", "rounding_half"]
