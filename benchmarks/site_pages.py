"""Benchmark what MkDocs costs per page: a clean run of the site's MkDocs stage, every page timed.

    python -m benchmarks.site_pages DOCS [--site OUT] [--profile FILE]

DOCS is the docs dir of a build (``python -m builder build --output DIR`` → ``DIR/site-docs``).
The runner of a build (``builder.siterun.mkdocs_run``) builds it with no state (every page
rendered) into ``--site`` (default: a temporary folder), in this process, with the
repository's config as a build writes it (``SITE_URL`` as set, else the default). Prints, as
Markdown tables, the run's phases (CPU and wall) and each kind of page's CPU per page
(median and total): reading and rendering its Markdown (``_populate_page``, with the
``on_page_content`` hooks), then the template, the ``on_post_page`` hooks (the search index
among them, which also counts its own CPU) and writing (``_build_page``). CPU is
``time.process_time`` of this one process: the figure to compare on a shared machine.

``--profile FILE`` runs the same under cProfile and writes its stats to FILE (absolute times
are then larger; compare the shares).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mkdocs.commands import build as mkdocs_build

from builder.pipeline.defaults import DEFAULT_SITE_URL
from builder.pipeline.site import mkdocs_config
from builder.siterun import mkdocs_run

PORTAL_PAGES = ("index.md", "compare.md", "data.md", "quality.md", "glossary.md")


def kind_of(src_uri: str) -> str:
    """The kind of a page, by where it is: a disclosure page, a unit page, or its name."""
    if src_uri.startswith("disclosures/") and src_uri != "disclosures/index.md":
        return "disclosure page"
    if src_uri.startswith("units/unit-"):
        return "unit page"
    return src_uri


def _timed(
    function: Callable[..., Any], into: dict[str, list[float]], key: Callable[..., str]
) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            into.setdefault(key(*args, **kwargs), []).append(time.process_time() - start)

    return wrapper


def measure(docs: Path, site: Path, profile: Path | None) -> None:
    os.environ.setdefault("SITE_URL", DEFAULT_SITE_URL)
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    render: dict[str, list[float]] = {}
    build: dict[str, list[float]] = {}
    populate, build_page = mkdocs_build._populate_page, mkdocs_build._build_page
    mkdocs_build._populate_page = _timed(  # type: ignore[assignment]
        populate, render, lambda page, *_: kind_of(page.file.src_uri)
    )
    mkdocs_build._build_page = _timed(  # type: ignore[assignment]
        build_page, build, lambda page, *_: kind_of(page.file.src_uri)
    )
    with tempfile.TemporaryDirectory() as scratch:
        config = Path(scratch) / "mkdocs.yml"
        config.write_text(mkdocs_config(docs, site), encoding="utf-8")
        start = (time.perf_counter(), time.process_time())
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        stats = mkdocs_run.run(config, Path(scratch) / "state", None)
        if profiler:
            profiler.disable()
            profiler.dump_stats(str(profile))
        wall, cpu = time.perf_counter() - start[0], time.process_time() - start[1]
    mkdocs_build._populate_page, mkdocs_build._build_page = populate, build_page
    print(f"pages rendered: {stats.rendered}; the run: {cpu:.2f} s CPU ({wall:.1f} s wall)\n")
    print("| phase | CPU s | wall s |\n|---|---:|---:|")
    for phase, (phase_wall, phase_cpu) in stats.seconds.items():
        print(f"| {phase} | {phase_cpu:.2f} | {phase_wall:.2f} |")
    print(
        "\n| page | pages | render ms (median) | template+hooks+write ms (median) | CPU s (all) |"
        "\n|---|---:|---:|---:|---:|"
    )
    for kind in sorted(render, key=lambda k: -sum(render[k]) - sum(build.get(k, []))):
        done, written = render[kind], build.get(kind, [])
        total = sum(done) + sum(written)
        print(
            f"| {kind} | {len(done)} | {statistics.median(done) * 1000:.1f} | "
            f"{statistics.median(written) * 1000 if written else 0:.1f} | {total:.2f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("docs", type=Path)
    parser.add_argument("--site", type=Path)
    parser.add_argument("--profile", type=Path)
    args = parser.parse_args()
    if args.site:
        measure(args.docs.resolve(), args.site.resolve(), args.profile)
        return
    with tempfile.TemporaryDirectory() as scratch:
        measure(args.docs.resolve(), Path(scratch) / "site", args.profile)


if __name__ == "__main__":
    main()
