"""Sizes and costs of the downloads of a built site: bundles, database, partitioned Parquet.

Reads an output folder written by ``python -m builder build --output DIR`` (for example of the
1,000-disclosure corpus, ``benchmarks/corpus.py``), prints the size of every kind of download
and times (CPU and wall clock) writing the portal's bundles, the SQLite database and the
partitioned Parquet again from ``DIR/packages`` into a scratch folder. BENCHMARKS.md has the
figures.

    python benchmarks/downloads.py DIR
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 2**20


def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def timed(label: str, work: Callable[[], object]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    print(f"| {label} | {time.process_time() - cpu:.1f} s | {time.perf_counter() - wall:.1f} s |")


def main(output: Path) -> None:
    from builder.cache import DIGEST, BuildCache, cache_dir_for  # noqa: PLC0415
    from builder.pipeline.install import read_state  # noqa: PLC0415
    from builder.publish.bundles import bundle_bytes  # noqa: PLC0415 - after sys.path is set
    from builder.publish.database import write_database  # noqa: PLC0415
    from builder.publish.partitions import partition_files, partitions  # noqa: PLC0415
    from builder.release import current_release  # noqa: PLC0415

    downloads, packages = output / "site" / "downloads", output / "packages"
    own = [z.stat().st_size for z in downloads.glob("*.zip") if not z.name.startswith("portal")]
    years = [z.stat().st_size for z in downloads.glob("portal.*.zip")]
    parquet = list((downloads / "portal.parquet").rglob("*.parquet"))
    print("| download | size |\n|---|---|")
    print(
        f"| {len(own)} disclosure zips | {sum(own) / MB:.1f} MB in all, median "
        f"{statistics.median(own) / 1024:.0f} KB, largest {max(own) / 1024:.0f} KB |"
    )
    print(f"| {len(years)} year zips | {sum(years) / MB:.1f} MB in all |")
    print(f"| portal.zip | {size(downloads / 'portal.zip') / MB:.1f} MB |")
    print(f"| portal package (unzipped) | {size(packages / 'portal') / MB:.1f} MB |")
    print(f"| portal.sqlite | {size(downloads / 'portal.sqlite') / MB:.1f} MB |")
    print(
        f"| portal.parquet (partitioned) | {len(parquet)} files, "
        f"{sum(p.stat().st_size for p in parquet) / MB:.1f} MB |"
    )
    print(f"| downloads folder of the site | {size(downloads) / MB:.1f} MB |")
    print(f"| whole site | {size(output / 'site') / MB:.1f} MB |")
    print("\n| written again | CPU | wall |\n|---|---|---|")
    portal = packages / "portal"
    with tempfile.TemporaryDirectory() as scratch:
        timed("portal.zip", lambda: bundle_bytes(portal, "portal"))
        timed(
            "the year zips",
            lambda: [bundle_bytes(p, p.name) for p in sorted(packages.glob("portal.*"))],
        )
        timed(
            "portal.sqlite",
            lambda: write_database(portal, Path(scratch) / "p.sqlite", current_release()),
        )
        cache = BuildCache(cache_dir_for(packages))
        keys = read_state(cache)[0]
        contributions = [cache.load(i, keys[i], DIGEST).contribution for i in sorted(keys)]
        groups = partitions(contributions)
        timed(
            f"partitioned Parquet, all {len(groups)} partitions (one process)",
            lambda: [partition_files(p) for p in groups],
        )
        timed("partitioned Parquet, one partition", lambda: partition_files(groups[0]))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
