"""What the CLI commands other than ``build`` and ``validate`` run, as text to print: the parse
summary (or JSON), a PDF's extracted text, one disclosure's audit, the list of checks, what
``add`` did; and the checks of the values the CLI takes (an id, a web address, a date). The CLI
only parses arguments, calls these and prints."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from builder.extract import extract_pdf
from builder.parse import parse_file
from builder.parse.summary import format_summary, to_json
from builder.pipeline.add import AddResult
from builder.pipeline.defaults import DEFAULT_SOURCES
from builder.sources import provenance
from builder.sources.adding import ADDED, RECORD_WRITTEN
from builder.validate import audit_report, format_checks, format_report, load_checks
from builder.validate.base import Disclosure
from builder.validate.execution import compare_disclosures, format_comparison


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def parse_output(path: Path, *, as_json: bool) -> str:
    """``python -m builder parse``: the summary, or the whole parse as JSON."""
    parsed = parse_file(path)
    return _json(to_json(parsed)) if as_json else format_summary(parsed)


def extract_output(path: Path) -> bytes:
    """``python -m builder extract``: the PDF's text as the other commands read it."""
    return extract_pdf(path).text.encode("utf-8")


def checks_output(*, as_json: bool) -> str:
    """``python -m builder audit --list-checks``."""
    checks = load_checks()
    return _json([c.metadata() for c in checks]) if as_json else format_checks(checks)


def audit_output(path: Path, *, as_json: bool) -> str:
    """``python -m builder audit FILE``: the findings of one disclosure."""
    report = audit_report(parse_file(path), path.stem)
    return _json(report) if as_json else format_report(report)


def compare_output(path: Path, other: Path, *, as_json: bool) -> str:
    """``python -m builder audit FILE --compare OTHER``: two disclosures of one unit side by
    side (ValueError when they cannot be compared)."""
    first = Disclosure.from_parse(parse_file(path), path.stem)
    second = Disclosure.from_parse(parse_file(other), other.stem)
    report = compare_disclosures(first, second)
    if as_json:  # amounts are exact decimals: written as their digits
        return json.dumps(report, ensure_ascii=False, indent=1, default=str) + "\n"
    return format_comparison(report)


def check_disclosure_id(text: str) -> str:
    """``text`` if it is a safe disclosure id, else ValueError saying the rule."""
    if not provenance.is_safe_id(text):
        raise ValueError(f"{text!r} is not a disclosure id: {provenance.ID_RULE}")
    return text


def check_web_address(text: str) -> str:
    """An http(s) address (``builder.sources.provenance.web_address``), else ValueError."""
    return provenance.web_address(text)


def check_date(text: str) -> str:
    """A real date written ``YYYY-MM-DD``, else ValueError."""
    return provenance.published_date(text)


def describe_added(result: AddResult, file: Path, sources: Path) -> str:
    """What ``add`` did, the parse summary and audit as ``parse`` and ``audit`` print them,
    and the next steps."""
    source, record = result.placement.source, result.placement.record
    if result.placement.outcome == ADDED:
        done = f"added {file} as {source}, with its provenance record {record}"
    elif result.placement.outcome == RECORD_WRITTEN:
        done = f"{source} was already there (same text); wrote its provenance record {record}"
    else:
        done = f"already added: {source} (same text) and {record}; nothing changed"
    build_command = "python -m builder build"
    if sources.resolve() != DEFAULT_SOURCES.resolve():
        build_command += f" --sources {sources}"
    steps = [
        ("build the data packages and the site", build_command),
        ("preview the site (CONTRIBUTING.md)", "mkdocs serve"),
        ("commit the text and its record", f"git add {source} {record}"),
    ]
    in_sources = file.resolve().parent == sources.resolve() and file.resolve() != source.resolve()
    if in_sources and file.stem != source.stem:  # X.pdf beside X.txt is kept as the original
        steps.insert(
            0, ("remove the original (the build reads every *.txt and *.pdf)", f"rm {file}")
        )
    width = max(len(why) for why, _ in steps) + 1
    next_steps = ["next steps:"] + [
        f"  {number}. {why + ':':<{width}}  {command}"
        for number, (why, command) in enumerate(steps, start=1)
    ]
    return (
        f"{done}\n\n"
        + format_summary(result.parsed)
        + "\n"
        + format_report(result.audit)
        + "\n"
        + "\n".join(next_steps)
        + "\n"
    )
