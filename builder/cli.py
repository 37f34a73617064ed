"""Command line: argument parsing only; the work happens in the stage packages.

Exit codes: 0 success; 1 a disclosure could not be used (the message names the file and
line); 2 wrong usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from builder.errors import DisclosureError
from builder.parse import parse_file
from builder.parse.summary import format_summary, to_json


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m builder",
        description="Turn budget and final-accounts disclosures into open data and a website.",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks for unexpected errors"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parse = commands.add_parser(
        "parse",
        help="parse one disclosure text and print a summary (or the canonical JSON)",
        description="Parse one disclosure text. Prints a readable summary: unit, year, kind, "
        "tables found with row counts, and anything not understood.",
    )
    parse.add_argument("file", type=Path, help="the disclosure text file")
    parse.add_argument(
        "--json",
        action="store_true",
        help="print the complete canonical parse as one JSON document",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "parse":
            return run_parse(args.file, as_json=args.json)
    except DisclosureError as error:
        print(f"error: {error.describe()}", file=sys.stderr)
        return 1
    return 2


def run_parse(path: Path, *, as_json: bool) -> int:
    parsed = parse_file(path)
    if as_json:
        json.dump(to_json(parsed), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_summary(parsed))
    return 0
