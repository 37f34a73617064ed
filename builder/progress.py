"""Progress of a long build: one live line per stage on a terminal, and the time of each stage.

``Progress(sys.stderr)`` shows ``[parse 3/5] 002_6a7fbe393d7e6d53`` (rewriting one line, and
leaving ``[parse 5/5] 0.4s`` when the stage ends) only when the stream is a terminal; on a
pipe or a file it writes nothing, so test output and CI logs stay clean. Either way it times
each stage (wall clock), and adds up the CPU seconds that worker processes report per step
(parse, audit, packages, pages) so a parallel build still says where its work goes.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

CLEAR_LINE = "\r\x1b[K"  # back to the start of the line, and erase it


class Stage:
    """One stage under way: :meth:`step` once per item (a disclosure, a package)."""

    def __init__(self, name: str, total: int | None, stream: TextIO | None) -> None:
        self.name = name
        self.total = total
        self.done = 0
        self.stream = stream

    def label(self) -> str:
        if self.total is None:
            return f"[{self.name}]"
        return f"[{self.name} {self.done}/{self.total}]"

    def step(self, item: str) -> None:
        """Count one more item and show it."""
        self.done += 1
        self.show(f"{self.label()} {item}")

    def show(self, text: str, *, end: str = "") -> None:
        if self.stream is None:
            return
        width = shutil.get_terminal_size().columns - 1
        self.stream.write(CLEAR_LINE + text[:width] + end)
        self.stream.flush()


class Progress:
    """Shows the stages of a build on ``stream`` if it is a terminal; times them always."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None and stream.isatty() else None
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.running: list[str] = []  # the stages under way (one may run inside another)

    def add_cpu(self, seconds: dict[str, float]) -> None:
        """Add CPU seconds per step (as a worker measured them)."""
        for step, value in seconds.items():
            self.cpu[step] = self.cpu.get(step, 0.0) + value

    @contextmanager
    def stage(self, name: str, total: int | None = None, doing: str = "") -> Iterator[Stage]:
        """Time the stage ``name`` of ``total`` items; ``doing`` is shown until the first step.
        A stage run while another is under way (the workers render pages while this process
        writes the portal package) says so when it ends: ``… 3.3s (beside pages+charts)``."""
        stage = Stage(name, total, self.stream)
        stage.show(f"{stage.label()} {doing}".rstrip())
        beside = f" (beside {', '.join(self.running)})" if self.running else ""
        self.running.append(name)
        start = time.perf_counter()
        outcome = "stopped"
        try:
            yield stage
            outcome = ""
        finally:
            elapsed = time.perf_counter() - start
            self.running.remove(name)
            self.seconds[name] = self.seconds.get(name, 0.0) + elapsed
            stage.show(f"{stage.label()} {outcome or f'{elapsed:.1f}s'}{beside}", end="\n")
