"""The rules of the structure family: years, names, counts, signs and empty-table statements.

The table completeness checks (a table missing, printed empty, or saying 本表无数据 over
amounts) are in :mod:`builder.validate.tables`; these read the rest of a disclosure's frame:
that every table and date speaks of the cover's fiscal year and unit, that counts are whole
and amounts that cannot be negative are not, and that a section saying there was no such
income or spending agrees with its table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from builder.validate.base import (
    Disclosure,
    Run,
    amount_of,
    row_label,
    start_rows,
    table_label,
    table_order,
)
from builder.validate.claims import FIGURE, number
from builder.validate.form import excerpt, text_lines
from builder.validate.tables import prints_amounts

AS_OF = re.compile(r"截[至止](?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日")
SPACES = re.compile(r"\s+")


def parsed_tables(doc: Disclosure) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for stem in sorted(doc.tables, key=lambda stem: table_order(doc, stem)):
        table = doc.tables[stem]
        if table.get("status") in ("parsed", "empty"):
            yield stem, table


def run_table_years(run: Run) -> None:
    """The year printed in each table's title or header is the cover's fiscal year."""
    doc = run.doc
    year = doc.year()
    if year is None or doc.family not in run.check.documents:
        return
    for stem, table in parsed_tables(doc):
        printed = table.get("year")
        if printed is None:
            continue
        run.evaluated += 1
        if int(printed) == year:
            continue
        zh, en = table_label(doc, stem)
        run.state(
            (stem,),
            start_rows(table),
            f"{zh}《{table.get('printed_title') or doc.kind(stem).title}》标明 {printed} 年，"
            f"封面为 {year} 年。",
            f"{en} ({stem}) is headed {printed}; the cover says {year}.",
            compared=(Decimal(year), Decimal(int(printed))),
        )


def run_text_years(run: Run) -> None:
    """Dates 截至…年…月…日 of a final account's text are in its fiscal year."""
    doc = run.doc
    year = doc.year()
    if year is None or doc.family not in run.check.documents:
        return
    for line, text in text_lines(doc):
        for match in AS_OF.finditer(text):
            run.evaluated += 1
            if int(match["year"]) == year:
                continue
            quoted = excerpt(text, match)
            run.state(
                (),
                (line,),
                f"第{line}行「{quoted}」：日期为 {match['year']} 年，本决算为 {year} 年度。",
                f"line {line}: the date is in {match['year']}, the accounts are for {year}.",
                quote=quoted,
                compared=(Decimal(year), Decimal(match["year"])),
            )


def folded(name: str) -> str:
    return SPACES.sub("", name)


def run_unit_names(run: Run) -> None:
    """Every table names the unit as the cover does (spaces aside)."""
    doc = run.doc
    name = doc.document.get("unit_name")
    if not name or doc.family not in run.check.documents:
        return
    for stem, table in parsed_tables(doc):
        printed = table.get("unit_name")
        if not printed:
            continue
        run.evaluated += 1
        if folded(str(printed)) == folded(str(name)):
            continue
        zh, en = table_label(doc, stem)
        run.state(
            (stem,),
            start_rows(table),
            f"{zh}的编制单位为「{printed}」，封面为「{name}」。",
            f"{en} ({stem}) names the unit {printed!r}; the cover says {name!r}.",
        )


def is_whole(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    try:
        return Decimal(str(value)) == Decimal(str(value)).to_integral_value()
    except InvalidOperation:
        return False


def run_whole_counts(run: Run) -> None:
    """Counts (vehicles, items, groups) are whole numbers, in the tables and in the text."""
    doc = run.doc
    if doc.family not in run.check.documents:
        return
    for stem, _ in parsed_tables(doc):
        if "count" not in doc.kind(stem).field_names:
            continue
        for row in doc.rows(stem):
            value = row.get("count")
            if value is None or value == "":
                continue
            run.evaluated += 1
            if is_whole(value):
                continue
            zh, en = table_label(doc, stem)
            run.state(
                (stem,),
                (int(row["source_line"]),),
                f"{zh} {row_label(doc, stem, row)} 的数量为 {value}，不是整数。",
                f"{en} {row_label(doc, stem, row)}: the count {value} is not a whole number.",
            )
    units = tuple(run.check.params.get("count_units", ()))
    for line, text in text_lines(doc):
        for match in FIGURE.finditer(text):
            if match["unit"] not in units:
                continue
            value = number(match["number"])
            run.evaluated += 1
            if value is None or is_whole(value):
                continue
            quoted = excerpt(text, match)
            run.state(
                (),
                (line,),
                f"第{line}行「{quoted}」：数量 {match.group(0)} 不是整数。",
                f"line {line}: the count {match.group(0)!r} is not a whole number.",
                quote=quoted,
            )


def run_negative_amounts(run: Run) -> None:
    """No amount is negative, except in the columns declared as balances."""
    doc = run.doc
    allowed = set(run.check.params.get("may_be_negative", ()))
    for stem, _ in parsed_tables(doc):
        if doc.kind(stem).family != doc.family:
            continue
        fields = [name for name in doc.kind(stem).amount_fields if name not in allowed]
        for row in doc.rows(stem):
            if row.get("item_key") in allowed:
                continue
            for name in fields:
                value = amount_of(row, name)
                if value is None:
                    continue
                run.evaluated += 1
                if value >= 0:
                    continue
                zh, en = table_label(doc, stem)
                run.state(
                    (stem,),
                    (int(row["source_line"]),),
                    f"{zh} {row_label(doc, stem, row)}「{name}」为负数 {value}，"
                    "收入、支出不应为负。",
                    f"{en} {row_label(doc, stem, row)} [{name}] is negative ({value}).",
                    compared=(None, value),
                )


def run_empty_statement(run: Run) -> None:
    """A section saying there was no such income or spending, against its table."""
    doc = run.doc
    if doc.family not in run.check.documents:
        return
    statement = re.compile(str(run.check.params["statement"]))
    for section in doc.narrative.get("explanations", []):
        heading = str(section.get("heading") or "")
        text = str(section.get("text") or "")
        for topic in run.check.params["topics"]:
            if str(topic["heading"]) not in heading:
                continue
            stem = str(topic["table"])
            table = doc.tables.get(stem)
            match = statement.search(text)
            if table is None or not match:
                continue
            run.evaluated += 1
            amounts = [
                (row, amount_of(row, name))
                for row in doc.rows(stem)
                for name in doc.kind(stem).amount_fields
            ]
            printed = [(row, value) for row, value in amounts if value]
            if not printed:
                continue
            zh, en = table_label(doc, stem)
            line = int(section["source_line"])
            quoted = excerpt(text, match)
            rows = tuple(dict.fromkeys(int(row["source_line"]) for row, _ in printed))
            run.state(
                (stem,),
                (line, *rows),
                f"第{line}行「{heading}」称「{quoted}」，而{zh}列有金额"
                f"（第{'、'.join(str(r) for r in rows)}行）。",
                f"line {line} says there was none ({quoted}); {en} ({stem}) prints amounts.",
                quote=quoted,
            )


def run_empty_without_note(run: Run) -> None:
    """A table printed without a single amount must say so (本表无数据 and why)."""
    doc = run.doc
    if doc.family not in run.check.documents:
        return
    for stem, table in parsed_tables(doc):
        if doc.kind(stem).family != doc.family or table.get("status") != "parsed":
            continue
        run.evaluated += 1
        if table.get("says_empty") or prints_amounts(doc, stem, table.get("rows", [])):
            continue
        zh, en = table_label(doc, stem)
        run.state(
            (stem,),
            start_rows(table),
            f"{zh}《{doc.kind(stem).title}》未列任何金额，也未注明“本表无数据”及其原因。",
            f"{en} ({stem}) prints no amount and no note saying it has no data.",
        )


def run_empty_note_copied(run: Run) -> None:
    """The note of an empty table names its own subject, not another table's (a note copied
    from the 国有资本经营 table under the 政府性基金 one)."""
    doc = run.doc
    if doc.family not in run.check.documents:
        return
    topics: Mapping[str, str] = run.check.params["topics"]
    for stem, table in parsed_tables(doc):
        note = table.get("empty_note")
        own = topics.get(stem)
        if not note or own is None:
            continue
        run.evaluated += 1
        text = str(note["text"])
        others = sorted(
            {t for s, t in topics.items() if t != own and t in text and own not in text}
        )
        if not others:
            continue
        zh, en = table_label(doc, stem)
        run.state(
            (stem,),
            (int(note["line"]),),
            f"{zh}《{doc.kind(stem).title}》的注释「{text}」说的是{'、'.join(others)}，"
            f"不是本表的{own}：疑为从其他表复制。",
            f"{en} ({stem}): its note speaks of {', '.join(others)}, not of {own}; it looks"
            " copied from another table.",
            quote=text,
        )


RULES: dict[str, Callable[[Run], None]] = {
    "empty_note_copied": run_empty_note_copied,
    "empty_without_note": run_empty_without_note,
    "table_years": run_table_years,
    "text_years": run_text_years,
    "unit_names": run_unit_names,
    "whole_counts": run_whole_counts,
    "negative_amounts": run_negative_amounts,
    "empty_statement": run_empty_statement,
}
