"""The parse issue codes are declared once (builder/parse/issues.yaml), each with its
explanation; the parser names no other code and every declared code is named by it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from builder.parse.report import Issue, issue_codes

PARSER = Path(__file__).resolve().parent.parent / "builder" / "parse"
REPORTERS = {"Issue", "issue"}  # the Issue class and the table readers' ``issue`` method


def codes_in_the_parser() -> set[str]:
    """The code argument of every ``Issue(...)`` / ``.issue(...)`` call under builder/parse."""
    codes = set()
    for path in PARSER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in REPORTERS:
                continue
            position = 1  # Issue(severity, code, ...) and reader.issue(line, code, ...)
            argument = node.args[position] if len(node.args) > position else None
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                codes.add(argument.value)
    return codes


def test_every_code_the_parser_names_is_declared_and_every_declared_code_is_used() -> None:
    found = codes_in_the_parser()
    assert len(found) >= 20
    assert found == set(issue_codes())


def test_every_code_is_explained_in_both_languages() -> None:
    for code in issue_codes().values():
        assert len(code.explanation_zh) > 8, code.code
        assert len(code.explanation_en) > 20, code.code
        assert code.explanation_zh.endswith("。"), code.code
        assert code.explanation_en.endswith("."), code.code


def test_an_undeclared_code_is_refused() -> None:
    with pytest.raises(ValueError, match="not declared"):
        Issue("warning", "no-such-code", 1, "message")
