"""Builds under misuse: two builds on one output at once, and builds killed half-way."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.ownership import remove_in_background, remove_leftovers
from builder.pipeline import build
from tests.conftest import ROOT, SEEDS, copy_seeds, run_builder
from tests.test_incremental import build_into, snapshot

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
    years = {"five": ["portal.2023", "portal.2024"], "one": ["portal.2023"]}[winner]
    expected = sorted([*(p.stem for p in corpus[winner].glob("*.txt")), "portal", *years])
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
    assert package_names(ours / "packages") == [SEEDS[3].stem, "portal", "portal.2023"]


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (read from /proc: psutil is not a dependency)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped is not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def kill_build_when(
    sources: Path, output: Path, ready: Callable[[subprocess.Popen[bytes]], bool]
) -> tuple[int, dict[int, str]]:
    """Start a build, ``kill -9`` it once ``ready``; its pid and the children it had (with
    their command lines)."""
    command = ["build", "--jobs", "2", "--sources", str(sources), "--output", str(output)]
    run = subprocess.Popen(
        [sys.executable, "-m", "builder", *command],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: ready(run), "the build to get there")
        children = {pid: command_line(pid) for pid in descendants(run.pid)}
    finally:
        run.kill()
        run.wait()
    return run.pid, children


def test_a_killed_build_leaves_no_process_and_the_next_build_repairs_it(tmp_path: Path) -> None:
    """`kill -9` while the workers write packages, then while MkDocs runs: no child of the
    build lives on, the next build removes the staging folder and equals a clean build."""
    sources = copy_seeds(tmp_path / "sources")
    output = tmp_path / "out"

    def workers_writing(run: subprocess.Popen[bytes]) -> bool:
        staging = output / f".packages.staging-{run.pid}"
        return staging.is_dir() and len(descendants(run.pid)) >= 2

    first, workers = kill_build_when(sources, output, workers_writing)
    assert len(workers) >= 2
    wait_for(lambda: not any(map(running, workers)), "the workers to die", 30)
    assert (output / f".packages.staging-{first}").is_dir()

    def mkdocs_running(run: subprocess.Popen[bytes]) -> bool:
        return any("mkdocs" in command_line(pid) for pid in descendants(run.pid))

    _, children = kill_build_when(sources, output, mkdocs_running)
    assert any("mkdocs" in line for line in children.values())
    wait_for(lambda: not any(map(running, children)), "MkDocs to die", 30)
    assert not (output / f".packages.staging-{first}").exists(), "removed by the next build"

    build(sources, output / "packages", output / "site", jobs=2, mkdocs=False)
    assert sorted(p.name for p in output.iterdir() if p.name.startswith(".")) == [
        ".build-cache",
        ".build.lock",
        ".builder-output",
    ]
    build_into(tmp_path / "clean", sources, jobs=1)
    repaired, clean = snapshot(output), snapshot(tmp_path / "clean")
    assert repaired.keys() == clean.keys()
    assert sorted(p for p in clean if clean[p][0] != repaired[p][0]) == []


NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=12)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.dictionaries(
        st.lists(NAMES.filter(lambda n: n not in (".", "..")), min_size=1, max_size=3).map(tuple),
        st.binary(max_size=64),
        min_size=1,
        max_size=5,
    )
)
def test_any_folder_of_ones_own_is_refused_untouched(files: dict[tuple[str, ...], bytes]) -> None:
    """Whatever a user keeps in DIR (any names, any depth, packages/ and site/ included),
    `build --output DIR` refuses it and leaves every byte as it was."""
    folder = Path(tempfile.mkdtemp(prefix="own-output-"))
    try:
        mine = folder / "mine"
        for parts, data in files.items():
            path = mine.joinpath(*parts)
            if any(parent.is_file() for parent in path.parents) or path.is_dir():
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        before = {p: p.read_bytes() for p in mine.rglob("*") if p.is_file()}
        if not before:
            return
        sources = copy_seeds(folder / "sources", SEEDS[3:4])
        refused = run_builder("build", "--no-site", "--sources", sources, "--output", mine)
        assert refused.returncode == 1, refused.stderr
        after = {p: p.read_bytes() for p in mine.rglob("*") if p.is_file()}
        assert after == before
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_replaced_site_is_deleted_after_the_swap_and_a_leftover_one_by_the_next_build(
    tmp_path: Path,
) -> None:
    """The site a run replaces is deleted by a process of its own (the build does not wait
    for its links to be removed); one whose deletion was killed is a leftover."""
    root = tmp_path / "out"
    site = root / "site"
    for text in ("一", "二"):
        page = site / "disclosures" / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text, encoding="utf-8")
        replaced = root / f".site.previous-{text}"
        site.rename(replaced)
        (root / "new").mkdir()
        (root / "new").rename(site)
        remove_in_background(replaced)
        assert site.is_dir()
        wait_for(lambda gone=replaced: not gone.exists(), "the replaced site to be deleted", 30)

    leftover = root / ".site.previous-123-456"
    (leftover / "disclosures").mkdir(parents=True)
    packages = root / "packages"
    packages.mkdir()
    assert remove_leftovers(packages, site) == [leftover]
    assert sorted(p.name for p in root.iterdir()) == ["packages", "site"]
