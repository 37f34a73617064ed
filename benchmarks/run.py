"""Benchmark the build on N synthetic disclosures: from clean, validated, and incremental.

For each N, in a fresh subprocess (so its peak memory is its own): generate the corpus
(``corpus.py``) into a scratch directory; run the build from clean (``builder.pipeline.build``
with ``jobs`` workers), timing each stage (wall clock) and the CPU of each per-disclosure
step; validate every package (``python -m builder validate``'s checks); then revise one
source (``corpus.revise``: a corrected publication) and build again, which is the
incremental rebuild. Reports the time per stage, the time per disclosure, the peak memory
and the output size, as Markdown tables.

    python benchmarks/run.py 10 100 1000             # prints the tables
    python benchmarks/run.py 10000 --no-mkdocs --no-validate   # see BENCHMARKS.md
    python benchmarks/run.py 1000 --jobs 1            # one process
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAGES = [
    "fingerprint",
    "disclosures",
    "portal package",
    "pages+charts",
    "portal pages",
    "portal downloads",
]
STEPS = ["parse", "audit", "packages", "cache", "pages+charts"]


def measure(
    count: int, scratch: Path, *, mkdocs: bool, jobs: int, validate: bool
) -> dict[str, object]:
    """Build ``count`` synthetic disclosures from clean, validate, rebuild after one change."""
    from benchmarks.corpus import generate, revise  # noqa: PLC0415 - after sys.path is set
    from builder.pipeline import build  # noqa: PLC0415
    from builder.progress import Progress  # noqa: PLC0415
    from builder.publish import verify  # noqa: PLC0415

    sources, packages, site = scratch / "sources", scratch / "packages", scratch / "site"
    paths = generate(count, sources)
    os.chdir(ROOT)  # the pipeline reads site_src/ and mkdocs.yml from the repository
    os.environ["SITE_URL"] = "http://127.0.0.1:8765/"
    clean = Progress()
    result = build(sources, packages, site, clean, jobs=jobs, mkdocs=mkdocs)
    validation = None
    if validate:
        start = time.perf_counter()
        checks = verify(packages, jobs)
        validation = time.perf_counter() - start
        assert all(check.valid for check in checks), "a synthetic package failed validation"
    revise(paths[len(paths) // 2])
    again = Progress()
    rebuilt = build(sources, packages, site, again, jobs=jobs, mkdocs=mkdocs)
    assert rebuilt.reused == count - 1, f"reused {rebuilt.reused} of {count}"
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "n": count,
        "jobs": jobs,
        "stages": dict(clean.seconds),
        "cpu": dict(clean.cpu),
        "builder_seconds": own(result.seconds, clean.seconds),
        "mkdocs_seconds": clean.seconds.get("mkdocs"),
        "validation_seconds": validation,
        "incremental_stages": dict(again.seconds),
        "incremental_seconds": own(rebuilt.seconds, again.seconds),
        "incremental_mkdocs": again.seconds.get("mkdocs"),
        "peak_mb": max(peak_self, peak_children) / 1024,
        "packages_mb": size(packages) / 2**20,
        "site_mb": size(site) / 2**20 if site.exists() else 0.0,
        "files": result.files,
    }


def own(whole: float, stages: dict[str, float]) -> float:
    """The builder's own time: the whole build's (wall clock) but MkDocs'. Not the sum of
    the stages: some run beside others (the portal package and pages beside the pages)."""
    return whole - stages.get("mkdocs", 0.0)


def size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def seconds(value: object) -> str:
    return f"{value:.1f} s" if isinstance(value, float) else "—"


def tables(results: list[dict[str, object]]) -> str:
    """Three Markdown tables: from clean, CPU per step, incremental."""
    head = "| N | jobs | " + " | ".join(STAGES) + " | builder total | ms / disclosure |"
    head += " mkdocs | whole build | validation | peak MB | packages MB | site MB |"
    out = [head, "|" + "---|" * (len(STAGES) + 10)]
    for r in results:
        stages = r["stages"]
        assert isinstance(stages, dict)
        builder, mkdocs = r["builder_seconds"], r["mkdocs_seconds"]
        assert isinstance(builder, float)
        n = int(str(r["n"]))
        whole = builder + mkdocs if isinstance(mkdocs, float) else None
        out.append(
            f"| {n:,} | {r['jobs']} | "
            + " | ".join(seconds(stages.get(name)) for name in STAGES)
            + f" | {builder:.1f} s | {1000 * builder / n:.1f} | {seconds(mkdocs)}"
            + f" | {seconds(whole)} | {seconds(r['validation_seconds'])}"
            + f" | {r['peak_mb']:.0f} | {r['packages_mb']:.1f} | {r['site_mb']:.1f} |"
        )
    out += ["", "CPU per disclosure, by step (ms, summed over the workers):", ""]
    out += ["| N | " + " | ".join(STEPS) + " |", "|" + "---|" * (len(STEPS) + 1)]
    for r in results:
        cpu = r["cpu"]
        assert isinstance(cpu, dict)
        n = int(str(r["n"]))
        out.append(
            f"| {n:,} | " + " | ".join(f"{1000 * cpu.get(s, 0.0) / n:.1f}" for s in STEPS) + " |"
        )
    out += ["", "Incremental rebuild after revising one source:", ""]
    out += ["| N | builder total | mkdocs | stages |", "|---|---|---|---|"]
    for r in results:
        stages = r["incremental_stages"]
        assert isinstance(stages, dict)
        listed = ", ".join(f"{k} {v:.2f} s" for k, v in stages.items() if k != "mkdocs")
        out.append(
            f"| {int(str(r['n'])):,} | {seconds(r['incremental_seconds'])}"
            f" | {seconds(r['incremental_mkdocs'])} | {listed} |"
        )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="benchmark the build stage by stage")
    parser.add_argument("counts", type=int, nargs="+", help="corpus sizes N")
    parser.add_argument("--no-mkdocs", action="store_true", help="skip the MkDocs stage")
    parser.add_argument("--no-validate", action="store_true", help="skip validating the packages")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="workers")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
            result = measure(
                args.counts[0],
                Path(scratch),
                mkdocs=not args.no_mkdocs,
                jobs=args.jobs,
                validate=not args.no_validate,
            )
        print(json.dumps(result))
        return 0
    results = []
    for count in args.counts:
        command = [sys.executable, __file__, str(count), "--one", "--jobs", str(args.jobs)]
        if args.no_mkdocs:
            command.append("--no-mkdocs")
        if args.no_validate:
            command.append("--no-validate")
        done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            return done.returncode
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"N={count}: {results[-1]['builder_seconds']:.1f} s", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(tables(results), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
