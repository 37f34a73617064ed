"""Peak memory of the processes of a command whose command line holds a word, and of their
children (the site's MkDocs runner and its workers): sampled from ``/proc`` (Linux).

    python -m benchmarks.tree_memory OUT.json --match mkdocs_run -- COMMAND ARGS…

runs COMMAND and samples, every half second, each matching process among its descendants
(and their own descendants): the largest RSS of one process, the largest sum of RSS and of
PSS (shared pages divided among the processes that share them: forked workers share the
runner's pages) over them, the most processes at once, and one line per sample in
``OUT.json.series`` (seconds, MB RSS by pid). ``/usr/bin/time``'s maximum resident set size
is only the largest single process of the whole tree.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

KB = 1024


def _processes() -> dict[int, tuple[str, int]]:
    """Every process: its command line and its parent."""
    out: dict[int, tuple[str, int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            continue
        out[int(entry.name)] = (command, parent)
    return out


def _descendants(roots: set[int], processes: dict[int, tuple[str, int]]) -> set[int]:
    found = set(roots)
    while True:
        more = {pid for pid, (_, parent) in processes.items() if parent in found} - found
        if not more:
            return found
        found |= more


def _memory(pid: int) -> tuple[int, int]:
    """RSS and PSS of ``pid`` in KB (0 if it is gone)."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def sample(command: list[str], match: str, out: Path) -> dict[str, int]:
    peak = {"max_rss_kb": 0, "sum_rss_kb": 0, "sum_pss_kb": 0, "processes": 0}
    run = subprocess.Popen(command)
    start = time.monotonic()
    with out.with_name(out.name + ".series").open("w", encoding="utf-8") as series:
        while run.poll() is None:
            processes = _processes()
            matching = {
                pid for pid in _descendants({run.pid}, processes) if match in processes[pid][0]
            }
            tree = _descendants(matching, processes) if matching else set()
            sizes = {pid: _memory(pid) for pid in sorted(tree)}
            if sizes:
                peak["max_rss_kb"] = max(peak["max_rss_kb"], *(r for r, _ in sizes.values()))
                peak["sum_rss_kb"] = max(peak["sum_rss_kb"], sum(r for r, _ in sizes.values()))
                peak["sum_pss_kb"] = max(peak["sum_pss_kb"], sum(p for _, p in sizes.values()))
                peak["processes"] = max(peak["processes"], len(sizes))
                mb = {pid: rss // KB for pid, (rss, _) in sizes.items()}
                series.write(json.dumps([round(time.monotonic() - start, 1), mb]) + "\n")
            time.sleep(0.5)
    peak["exit"] = run.returncode
    out.write_text(json.dumps(peak) + "\n", encoding="utf-8")
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--match", default="mkdocs_run")
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    print(json.dumps(sample(argv[split + 1 :], args.match, args.out)))


if __name__ == "__main__":
    main()
