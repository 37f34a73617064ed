"""Benchmark the build stage by stage on N synthetic disclosures.

For each N: generate the corpus (``corpus.py``) into a scratch directory, then time parse,
audit, packages, validation, pages + charts and MkDocs, each in this process, and report
the time per stage, the time per disclosure, the peak memory and the output size. Each N
runs in a fresh subprocess so its peak memory is its own.

    python benchmarks/run.py 10 100 1000            # prints a Markdown table
    python benchmarks/run.py 10000 --no-mkdocs       # skip MkDocs (see BENCHMARKS.md)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(count: int, scratch: Path, *, mkdocs: bool) -> dict[str, object]:
    """Run every stage on ``count`` synthetic disclosures; return the measurements."""
    from benchmarks.corpus import generate  # noqa: PLC0415 - after sys.path is set
    from builder.pipeline import build_site, load_disclosures  # noqa: PLC0415
    from builder.progress import Progress  # noqa: PLC0415
    from builder.publish import publish, verify  # noqa: PLC0415

    sources, packages, site = scratch / "sources", scratch / "packages", scratch / "site"
    generate(count, sources)
    os.chdir(ROOT)  # the pipeline reads site_src/ and mkdocs.yml from the repository
    os.environ["SITE_URL"] = "http://127.0.0.1:8765/"
    progress = Progress()  # silent; it times each stage of the pipeline (parse, audit, ...)
    disclosures = load_disclosures(sources, progress, [])
    with progress.stage("packages", len(disclosures) + 1) as stage:
        publish(disclosures, packages, on_package=stage.step)
    with progress.stage("validation", len(disclosures) + 1):
        checks = verify(packages)
    assert all(check.valid for check in checks), "a synthetic package failed validation"
    build_site(disclosures, (sources, packages, site), progress, mkdocs=mkdocs)
    stages = dict(progress.seconds)

    own = sum(v for k, v in stages.items() if k != "mkdocs")
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "n": count,
        "stages": stages,
        "builder_seconds": own,
        "total_seconds": own + stages.get("mkdocs", 0.0),
        "ms_per_disclosure": 1000 * own / count,
        "peak_mb": max(peak_self, peak_children) / 1024,
        "packages_mb": size(packages) / 2**20,
        "site_mb": size(site) / 2**20 if site.exists() else 0.0,
    }


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def table(results: list[dict[str, object]]) -> str:
    names = ["parse", "audit", "packages", "validation", "pages+charts", "mkdocs"]
    head = "| N | " + " | ".join(names) + " | builder total | ms / disclosure | whole build |"
    head += " peak MB | packages MB | site MB |"
    lines = [head, "|" + "---|" * (len(names) + 8)]
    for r in results:
        stages = r["stages"]
        assert isinstance(stages, dict)
        cells = [f"{stages[n]:.1f} s" if n in stages else "—" for n in names]
        whole = f"{r['total_seconds']:.1f} s" if "mkdocs" in stages else "—"
        lines.append(
            f"| {r['n']:,} | "
            + " | ".join(cells)
            + f" | {r['builder_seconds']:.1f} s | {r['ms_per_disclosure']:.1f} | {whole}"
            + f" | {r['peak_mb']:.0f} | {r['packages_mb']:.1f} | {r['site_mb']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="benchmark the build stage by stage")
    parser.add_argument("counts", type=int, nargs="+", help="corpus sizes N")
    parser.add_argument("--no-mkdocs", action="store_true", help="skip the MkDocs stage")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
            result = measure(args.counts[0], Path(scratch), mkdocs=not args.no_mkdocs)
        print(json.dumps(result))
        return 0
    results = []
    for count in args.counts:
        command = [sys.executable, __file__, str(count), "--one"]
        if args.no_mkdocs:
            command.append("--no-mkdocs")
        done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"N={count}: {results[-1]['builder_seconds']:.1f} s", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(table(results), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
