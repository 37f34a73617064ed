"""Command line: argument parsing only; the work happens in the stage packages.

Exit codes: 0 success; 1 a disclosure could not be used (the message names the file and
line), nothing could be built, or a data package fails validation; 2 wrong usage; 3 the
build finished but skipped source files it could not use (listed in the summary and on the
site's data-quality page); 4 an internal error (a bug: rerun with --debug and report it).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from builder.errors import DisclosureError
from builder.pipeline import (
    DEFAULT_OUTPUT,
    DEFAULT_SITE,
    DEFAULT_SOURCES,
    add_disclosure,
    build,
    commands,
    validate_packages,
)
from builder.pipeline.datahost import data_folder_for
from builder.pipeline.preview import DATA_PORT, SITE_PORT, serving
from builder.pipeline.steps import WORKER_GC_THRESHOLD
from builder.progress import Progress

PARTIAL_BUILD = 3
INTERNAL_ERROR = 4


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
        help="parse one disclosure (text or PDF) and print a summary (or the canonical JSON)",
        description="Parse one disclosure: its text, or its PDF (extracted first). Prints a "
        "readable summary: unit, year, kind, tables found with row counts, and anything not "
        "understood.",
    )
    parse.add_argument("file", type=Path, help="the disclosure: a text file or a PDF")
    parse.add_argument(
        "--json",
        action="store_true",
        help="print the complete canonical parse as one JSON document",
    )
    extract = commands.add_parser(
        "extract",
        help="extract a disclosure PDF's text, as parse, add and build read it",
        description="Extract the text of a PDF: a '=== page N ===' line before each page, "
        "table rows as lines of tab-separated cells, other text as plain lines, top to "
        "bottom. Line numbers in the messages of parse, audit and add for a PDF are lines "
        "of this text.",
    )
    extract.add_argument("file", type=Path, help="the PDF")
    extract.add_argument(
        "--output", "-o", type=Path, default=None, help="write the text here (default: stdout)"
    )
    audit = commands.add_parser(
        "audit",
        help="audit one disclosure's accounting identities and completeness",
        description="Run every declared check on one disclosure and print the findings "
        "(check id, severity, lines, expected / actual / difference). Findings are facts "
        "beside the published figures: the exit code is 0 even when there are findings.",
    )
    audit.add_argument("file", type=Path, nargs="?", help="the disclosure: a text file or a PDF")
    audit.add_argument("--json", action="store_true", help="print the findings as JSON")
    audit.add_argument(
        "--list-checks", action="store_true", help="list the declared checks and exit"
    )
    audit.add_argument(
        "--compare",
        type=Path,
        metavar="OTHER",
        default=None,
        help="compare FILE with another disclosure of the same unit: its budget or final "
        "account of the same year (line by line), or the previous or next year (the 上年 "
        "figures the later one states)",
    )
    add = commands.add_parser(
        "add",
        help="check a new disclosure text and add it to the sources with its provenance record",
        description="Parse and audit FILE (a PDF is extracted first); if the build can use "
        "it, copy its text into SOURCES as <id>.txt and write <id>.meta.yaml (its sha256, "
        "for a PDF also the PDF's name and sha256, and the details given). Prints what "
        "was found, the audit findings and the next steps. Nothing is overwritten: a "
        "different text under the same id, or the same text under another id, is refused; "
        "adding the same text again changes nothing.",
    )
    add.add_argument(
        "file", type=Path, help="the disclosure: its PDF, or the text extracted from it"
    )
    add.add_argument(
        "--sources", type=Path, default=DEFAULT_SOURCES, help="the sources folder to add it to"
    )
    add.add_argument(
        "--id",
        type=disclosure_id,
        default=None,
        help="the disclosure id (lower-case letters, digits, - and _); default: the file "
        "stem if it is such a name, else <year>-<kind>-<first 10 hex digits of its sha256>",
    )
    add.add_argument(
        "--source-url", type=web_address, default=None, help="where the publisher posted it"
    )
    add.add_argument(
        "--published", type=iso_date, default=None, help="when it was published (YYYY-MM-DD)"
    )
    add.add_argument(
        "--licence", default=None, help="terms of reuse (default: the portal's default licence)"
    )
    build = commands.add_parser(
        "build",
        help="build the data packages and the site from every disclosure",
        description="Parse and audit every disclosure in SOURCES, write one data package "
        "per disclosure and the portal-wide package to OUTPUT (CSV, Parquet, xlsx, "
        "datapackage.json, README), then the pages, charts and the static site to SITE. "
        "Each package and page is replaced only when complete, and the site only when "
        "MkDocs succeeds. The build is incremental: a disclosure whose text, record and the "
        "builder's code are unchanged since the last build is not processed again (the "
        "cache is OUTPUT/../.build-cache).",
    )
    build.add_argument(
        "--sources",
        type=Path,
        default=DEFAULT_SOURCES,
        help="folder of <id>.txt or <id>.pdf (each optionally with <id>.meta.yaml; the .txt "
        "is read when both are there)",
    )
    build.add_argument(
        "--output",
        type=Path,
        default=None,
        help="build into this folder (OUTPUT/packages, OUTPUT/site, OUTPUT/site-docs) instead "
        "of datasets/packages, site/ and site_src/; it must be new, empty or written by an "
        "earlier build (which leaves OUTPUT/.builder-output there)",
    )
    build.add_argument(
        "--no-site", action="store_true", help="build the data packages only, not the site"
    )
    build.add_argument(
        "--strict",
        action="store_true",
        help="stop at the first source that cannot be used (default: skip it, list it, go on)",
    )
    build.add_argument(
        "--jobs",
        "-j",
        type=positive,
        default=None,
        help="worker processes for the per-disclosure work and the site's pages (default: one "
        "per CPU); the output is the same for any number",
    )
    build.add_argument(
        "--clean",
        action="store_true",
        help="ignore what earlier builds left and process every disclosure again",
    )
    serve = commands.add_parser(
        "serve",
        help="preview the built site, and its data folder, from the local files",
        description="Serve SITE at http://127.0.0.1:PORT/ and, when the build used a data host "
        "(DATA_URL), the data folder beside it (site-data/) at http://127.0.0.1:DATA_PORT/, "
        "until interrupted. Build with DATA_URL=http://127.0.0.1:8766/ for every download "
        "link to resolve to the local files.",
    )
    serve.add_argument(
        "--output",
        type=Path,
        default=None,
        help="the folder a build wrote with --output (serves OUTPUT/site and "
        "OUTPUT/site-data); default: site/ and site-data/",
    )
    serve.add_argument("--port", type=positive, default=SITE_PORT, help="the site's port")
    serve.add_argument(
        "--data-port", type=positive, default=DATA_PORT, help="the data folder's port"
    )
    validate = commands.add_parser(
        "validate",
        help="check every data package with frictionless and print a report",
        description="Validate each datapackage.json in OUTPUT: declared schemas, primary and "
        "foreign keys, sizes and checksums, Parquet equal to CSV. Exits 1 on a violation; "
        "audit findings are reported, never failures.",
    )
    validate.add_argument(
        "--output",
        type=Path,
        default=None,
        help="the folder a build wrote with --output (checks OUTPUT/packages); default: "
        "datasets/packages",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run_command(args)
    except DisclosureError as error:
        print(f"error: {error.describe()}", file=sys.stderr)
        return 1
    except Exception as error:  # a bug of ours: say so plainly, no traceback unless --debug
        if args.debug:
            raise
        print(
            f"error: internal error ({type(error).__name__}: {error}); "
            "run again with --debug for the traceback and please report it",
            file=sys.stderr,
        )
        return INTERNAL_ERROR


def run_command(args: argparse.Namespace) -> int:
    if args.command == "parse":
        return run_parse(args.file, as_json=args.json)
    if args.command == "extract":
        return run_extract(args.file, args.output)
    if args.command == "audit":
        return run_audit(
            args.file, as_json=args.json, list_checks=args.list_checks, compare=args.compare
        )
    if args.command == "add":
        details = {
            "source_url": args.source_url,
            "published": args.published,
            "licence": args.licence,
        }
        return run_add(args.file, args.sources, args.id, details)
    if args.command == "build":
        packages, site = output_folders(args.output)
        site_dir = None if args.no_site else site
        return run_build(
            args.sources,
            (packages, site_dir, args.output),
            strict=args.strict,
            jobs=args.jobs,
            clean=args.clean,
        )
    return run_on_output(args)


def run_on_output(args: argparse.Namespace) -> int:
    """The commands that read what a build wrote: serve, validate."""
    packages, site = output_folders(args.output)
    if args.command == "serve":
        return run_serve(site, (args.port, args.data_port))
    return run_validate(packages) if args.command == "validate" else 2


def run_parse(path: Path, *, as_json: bool) -> int:
    sys.stdout.write(commands.parse_output(path, as_json=as_json))
    return 0


def run_extract(path: Path, output: Path | None) -> int:
    data = commands.extract_output(path)
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(data)
    return 0


def run_audit(
    path: Path | None, *, as_json: bool, list_checks: bool, compare: Path | None = None
) -> int:
    if list_checks:
        sys.stdout.write(commands.checks_output(as_json=as_json))
        return 0
    if path is None:
        print("error: audit needs a FILE (or --list-checks)", file=sys.stderr)
        return 2
    if compare is not None:
        try:
            sys.stdout.write(commands.compare_output(path, compare, as_json=as_json))
        except ValueError as error:
            print(f"error: {path} and {compare}: {error}", file=sys.stderr)
            return 2
        return 0
    sys.stdout.write(commands.audit_output(path, as_json=as_json))
    return 0


def _argument(check: Callable[[str], str]) -> Callable[[str], str]:
    """An argparse type from a check that raises ValueError with the reason."""

    def convert(text: str) -> str:
        try:
            return check(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc

    return convert


disclosure_id = _argument(commands.check_disclosure_id)
web_address = _argument(commands.check_web_address)
iso_date = _argument(commands.check_date)


def run_add(file: Path, sources: Path, chosen: str | None, details: dict[str, str | None]) -> int:
    result = add_disclosure(file, sources, chosen, details)
    sys.stdout.write(commands.describe_added(result, file, sources))
    return 0


def output_folders(output: Path | None) -> tuple[Path, Path]:
    """Where a build writes its packages and its site."""
    if output is None:
        return DEFAULT_OUTPUT, DEFAULT_SITE
    return output / "packages", output / "site"


def positive(text: str) -> int:
    """A whole number of at least 1 (for ``--jobs``)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


def run_build(
    sources: Path,
    folders: tuple[Path, Path | None, Path | None],
    *,
    strict: bool = False,
    jobs: int | None = None,
    clean: bool = False,
) -> int:
    """``folders``: the packages, the site (None: no site) and the ``--output`` folder."""
    output, site, root = folders
    # The build's own process collects as its workers do (``start_worker``): one change at
    # 1,000 disclosures spent 1.25 s of its 10.6 s of CPU in 10 full collections that walked
    # the portal's views and records, 0.56 s and one collection with these thresholds.
    gc.set_threshold(*WORKER_GC_THRESHOLD)
    result = build(
        sources,
        output,
        site,
        Progress(sys.stderr),
        strict=strict,
        jobs=jobs,
        clean=clean,
        root=root,
    )
    print(result.describe())
    return PARTIAL_BUILD if result.skipped else 0


def run_serve(site: Path, ports: tuple[int, int]) -> int:
    if not site.is_dir():
        print(f"error: {site} is not built yet; run python -m builder build", file=sys.stderr)
        return 1
    data = data_folder_for(site)
    with serving(site, data if data.is_dir() else None, ports) as addresses:
        print(f"site: {addresses[0]} ({site})")
        if len(addresses) > 1:
            print(f"data: {addresses[1]} ({data})")
        print("Ctrl-C stops the preview.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


def run_validate(output: Path) -> int:
    result = validate_packages(output)
    sys.stdout.write(result.report())
    return 0 if result.valid else 1
