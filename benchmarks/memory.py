"""Where the build's main process holds memory: peak resident memory per stage, and the
pickled bytes of each field of a disclosure's digest.

    python -m benchmarks.memory SOURCES OUTPUT            # a clean build without MkDocs
    python -m benchmarks.memory SOURCES OUTPUT --digests  # then the digest's fields

A thread samples the main process's resident set (``VmRSS`` in ``/proc/self/status``) every
50 ms and keeps the highest value seen while each stage ran (the worker processes and
MkDocs' process are not counted: they are other processes). The build runs with
``mkdocs=False`` and from clean, with the environment's ``SITE_URL``, ``DATA_URL`` and
``DATA_HOST_SCOPE``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path

from builder.cache import DIGEST, PICKLE_PROTOCOL, cache_dir_for
from builder.pipeline import build
from builder.progress import Progress, Stage

SAMPLE_SECONDS = 0.05
OUTSIDE = "(between stages)"


def resident_bytes() -> int:
    """The main process's resident set now (``VmRSS``), in bytes."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class MemoryProgress(Progress):
    """Progress that also keeps the highest resident set seen during each stage."""

    def __init__(self) -> None:
        super().__init__()
        self.current = OUTSIDE
        self.peaks: dict[str, int] = {}
        self.after: dict[str, int] = {}
        self.running = True
        self.sampler = threading.Thread(target=self.sample, daemon=True)
        self.sampler.start()

    def sample(self) -> None:
        while self.running:
            self.note()
            time.sleep(SAMPLE_SECONDS)

    def note(self) -> None:
        now = resident_bytes()
        self.peaks[self.current] = max(self.peaks.get(self.current, 0), now)

    @contextmanager
    def stage(self, name: str, total: int | None = None, doing: str = "") -> Iterator[Stage]:
        self.note()
        self.current = name
        try:
            with super().stage(name, total, doing) as stage:
                yield stage
        finally:
            self.note()
            self.after[name] = resident_bytes()
            self.current = OUTSIDE

    def stop(self) -> None:
        self.running = False
        self.sampler.join()


def digest_fields(output: Path) -> dict[str, float]:
    """The mean pickled bytes of each digest field over the cached digests of ``output``."""
    totals: dict[str, int] = {}
    paths = sorted(cache_dir_for(output).glob(f"*.{DIGEST}.pickle"))
    for path in paths:
        digest = pickle.loads(path.read_bytes())
        for item in fields(digest):
            value = getattr(digest, item.name)
            size = len(pickle.dumps(value, protocol=PICKLE_PROTOCOL))
            totals[item.name] = totals.get(item.name, 0) + size
        totals["(whole digest)"] = totals.get("(whole digest)", 0) + path.stat().st_size
    return {name: total / len(paths) for name, total in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", type=Path)
    parser.add_argument("output", type=Path, help="a scratch folder (packages, docs, site)")
    parser.add_argument("--digests", action="store_true", help="also the digest's fields")
    args = parser.parse_args()
    progress = MemoryProgress()
    start = time.perf_counter()
    result = build(
        args.sources,
        args.output / "packages",
        args.output / "site",
        progress,
        clean=True,
        mkdocs=False,
        root=args.output,
    )
    progress.stop()
    report: dict[str, object] = {
        "disclosures": result.disclosures,
        "seconds": round(time.perf_counter() - start, 1),
        "peak MB by stage": {k: round(v / 1e6) for k, v in progress.peaks.items()},
        "MB after each stage": {k: round(v / 1e6) for k, v in progress.after.items()},
        "peak MB": round(max(progress.peaks.values()) / 1e6),
    }
    if args.digests:
        report["digest bytes per disclosure"] = {
            k: round(v) for k, v in digest_fields(args.output / "packages").items()
        }
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
