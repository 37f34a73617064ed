"""Benchmark a build's MkDocs stage alone, as the build runs it (``run_mkdocs``), on its output.

    python -m benchmarks.mkdocs_stage OUT [--touch PAGE ...] [--jobs N]

OUT is a build's output folder (``python -m builder build --output OUT``): its docs dir,
site and MkDocs state are used as the next build would use them (so the run changes them as
a build would). ``--touch`` appends a blank line to each named Markdown page of the docs dir
first (paths relative to it), standing for the pages one changed disclosure rewrites.
Prints one JSON line: the stage's wall clock, the MkDocs process's part of it and the
deletion of the replaced site (when the build still waits for it), the CPU of this process
and of the MkDocs process, and the run's pages and phases (wall, CPU) as the build reports
them. Set ``SITE_URL``, ``DATA_URL`` and ``DATA_HOST_SCOPE`` as the build had them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from builder.pipeline import site as site_stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--touch", nargs="*", default=[])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    docs, site = args.output / "site-docs", args.output / "site"
    for page in args.touch:
        with (docs / page).open("a", encoding="utf-8") as stream:
            stream.write("\n")
    seconds: dict[str, float] = {}

    def timed(name: str, function: Any) -> Any:
        def run(*given: Any, **named: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*given, **named)
            finally:
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start

        return run

    site_stage.shutil.rmtree = timed("rmtree", shutil.rmtree)  # type: ignore[attr-defined]
    site_stage.subprocess.run = timed("mkdocs process", subprocess.run)  # type: ignore[attr-defined]
    start = time.perf_counter()
    state = args.output / ".build-cache" / site_stage.SITE_STATE
    address = os.environ.get("SITE_URL", site_stage.DEFAULT_SITE_URL)
    done = site_stage.run_mkdocs(docs, site, address, state, args.jobs)
    total = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    report = {
        "wall": round(total, 2),
        **{name: round(value, 2) for name, value in seconds.items()},
        "cpu this process": round(own.ru_utime + own.ru_stime, 2),
        "cpu MkDocs process": round(children.ru_utime + children.ru_stime, 2),
        "rendered": done.rendered,
        "kept": done.kept,
        "phases": {name: [round(x, 2) for x in pair] for name, pair in done.seconds.items()},
    }
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
