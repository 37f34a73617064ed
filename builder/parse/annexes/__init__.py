"""Annexes: the project performance sheets printed at the end of a disclosure.

This module owns two kinds of annex sheet, one per project:

* 项目支出绩效自评表 (project performance *self-evaluation*, in final accounts): the
  project's funding (budgeted, executed, execution rate, score), its annual targets and
  results, the graded indicators (一级/二级/三级指标, targets, actual values, 分值, 得分),
  the total score and grade, and the publisher's analysis;
* 项目支出绩效目标申报表 (project performance *target declaration*, in budgets): the
  project's funding for the whole implementation period and for the year (in 元, not 万元),
  its descriptive texts, overall targets and the declared indicators.

:func:`locate_annexes` finds where each sheet starts and ends in a document;
:func:`parse_performance_evaluation` and :func:`parse_performance_target` turn the lines
of one sheet into a JSON-ready record (amounts stay exact ``Decimal``).

The sheets are tab-separated text extracted from PDFs, so merged cells shift columns by one
or two positions from row to row. Rows are therefore read by content and by anchors (the
trailing 分值/得分 numbers, the repeated indicator names, the accounting identities of the
funding columns), not by fixed positions; where a reading had to be inferred the row says so.

Nothing lost: every cell inside a sheet whose whole text is a number lands in the record as a
value of a dict whose ``source_line`` is the cell's line (numbers as ``Decimal``; numeric
strings such as phone numbers or dates as the exact text). A number the parser cannot place
is listed in ``record["unparsed"]`` with its line and a reason, never dropped.

Modules, by job: ``locating`` (where each sheet starts and ends), ``cells`` (cell reading
and the record a sheet reader fills), ``indicators`` (the graded indicator rows both sheets
share), ``evaluations`` and ``targets`` (one reader per sheet).
"""

from __future__ import annotations

from collections.abc import Sequence

from builder.parse.annexes.cells import AnnexKind, Record
from builder.parse.annexes.evaluations import parse_performance_evaluation
from builder.parse.annexes.locating import AnnexRegion, locate_annexes
from builder.parse.annexes.targets import parse_performance_target
from builder.sources.reading import Line


def parse_annex(lines: Sequence[Line], region: AnnexRegion) -> Record:
    """Parse one located annex of a whole document (``lines`` is the full document)."""
    own = [line for line in lines if region.start_line <= line.number <= region.end_line]
    if region.kind == "performance_evaluation":
        return parse_performance_evaluation(own)
    return parse_performance_target(own)


__all__ = [
    "AnnexKind",
    "AnnexRegion",
    "locate_annexes",
    "parse_annex",
    "parse_performance_evaluation",
    "parse_performance_target",
]
