"""The registry of rules: each rule name of ``checks.yaml`` and the function that evaluates it.

The rules live in one module per family: ``tables`` (completeness and arithmetic of the
tables), ``text`` (the narrative against the tables), ``form`` (placeholders and form),
``structure`` (years, names, counts, signs) and ``execution`` (budget against final
accounts). What they share is in ``base``.
"""

from __future__ import annotations

from collections.abc import Callable

from builder.validate import execution, form, structure, tables, text
from builder.validate.base import Disclosure, Run, table_order

RULES: dict[str, Callable[[Run], None]] = {
    "missing_tables": tables.run_missing_tables,
    "empty_tables": tables.run_empty_tables,
    "hierarchy": tables.run_hierarchy,
    "orphans": tables.run_orphans,
    "row_sum": tables.run_row_sum,
    "empty_note_with_amounts": tables.run_empty_note_with_amounts,
    "equation": tables.run_equation,
    "by_code": tables.run_by_code,
    "code_names": tables.run_code_names,
    **text.RULES,
    **form.RULES,
    **structure.RULES,
    **execution.RULES,
}

__all__ = ["RULES", "Disclosure", "Run", "table_order"]
