"""CPU per disclosure of every stage of a build, in one process.

Builds SOURCES into OUT (from clean, ``--jobs 1``, without the MkDocs run) and prints, per
disclosure, the CPU (``time.process_time``) of the main process in each stage, the CPU the
per-disclosure steps report (parse, audit, packages, cache, pages+charts) and the wall clock
of each stage. With one job everything runs in this process, so the stage figures hold the
steps' CPU too. BENCHMARKS.md (2026-12-02 "builder CPU") has the figures.

    python benchmarks/stage_cpu.py SOURCES OUT
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.pipeline import build  # noqa: E402
from builder.progress import Progress, Stage  # noqa: E402


class StageCpu(Progress):
    """Progress that also adds up this process's CPU seconds per stage."""

    def __init__(self) -> None:
        super().__init__()
        self.process: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, total: int | None = None, doing: str = "") -> Iterator[Stage]:
        start = time.process_time()
        with super().stage(name, total, doing) as stage:
            yield stage
        self.process[name] = self.process.get(name, 0.0) + time.process_time() - start


def per_disclosure(seconds: dict[str, float], count: int) -> str:
    return json.dumps({name: round(value / count * 1000, 1) for name, value in seconds.items()})


def main(sources: Path, out: Path) -> None:
    count = len(list(sources.glob("*.txt"))) or 1
    progress = StageCpu()
    result = build(
        sources, out / "packages", out / "site", progress, jobs=1, clean=True, mkdocs=False
    )
    print(f"{count} disclosures (ms of CPU per disclosure)")
    print("stages, main process:", per_disclosure(progress.process, count))
    print("steps, as reported:", per_disclosure(result.cpu, count))
    print("wall clock (s):", json.dumps({k: round(v, 1) for k, v in result.stages.items()}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
