"""Builds under misuse: two builds on one output at once, and builds killed half-way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SEEDS, copy_seeds

BUILD = (sys.executable, "-m", "builder", "build", "--no-site", "--jobs", "1")


def package_names(packages: Path) -> list[str]:
    return sorted(path.name for path in packages.iterdir())


def test_two_builds_at_once_on_one_output_one_refuses(tmp_path: Path) -> None:
    """Started together from different sources into one output: one builds, the other stops
    at once naming the first one's pid, and the output holds the winner's corpus only."""
    corpus = {
        "five": copy_seeds(tmp_path / "five"),
        "one": copy_seeds(tmp_path / "one", SEEDS[3:4]),
    }
    output = tmp_path / "out"
    runs = {
        name: subprocess.Popen(
            [*BUILD, "--sources", str(sources), "--output", str(output)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, sources in corpus.items()
    }
    results = {name: (run.wait(timeout=300), run.stderr.read()) for name, run in runs.items()}
    for run in runs.values():
        run.stdout.close()  # type: ignore[union-attr]
        run.stderr.close()  # type: ignore[union-attr]
    assert sorted(code for code, _ in results.values()) == [0, 1], results
    winner = next(name for name, (code, _) in results.items() if code == 0)
    loser = next(name for name in results if name != winner)
    message = results[loser][1]
    assert f"another build (pid {runs[winner].pid}) is writing to this output" in message
    expected = sorted([*(p.stem for p in corpus[winner].glob("*.txt")), "portal"])
    assert package_names(output / "packages") == expected
