"""Builds under misuse: two builds on one output at once, and builds killed half-way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SEEDS, copy_seeds, run_builder

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


def test_an_output_folder_not_written_by_a_build_is_refused(tmp_path: Path) -> None:
    """`--output DIR` replaces DIR/packages: a folder of the user's own is refused, untouched;
    a folder an earlier build wrote is built into again."""
    sources = copy_seeds(tmp_path / "sources", SEEDS[3:4])
    mine = tmp_path / "mine"
    (mine / "packages").mkdir(parents=True)
    (mine / "packages" / "notes.txt").write_text("my notes\n", encoding="utf-8")
    refused = run_builder("build", "--no-site", "--sources", sources, "--output", mine)
    assert refused.returncode == 1, refused.stderr
    assert "not empty (packages) and no build wrote it" in refused.stderr
    assert sorted(p.name for p in mine.rglob("*")) == ["notes.txt", "packages"]

    ours = tmp_path / "ours"
    for _ in range(2):
        again = run_builder("build", "--no-site", "--sources", sources, "--output", ours)
        assert again.returncode == 0, again.stderr
    assert package_names(ours / "packages") == [SEEDS[3].stem, "portal"]
