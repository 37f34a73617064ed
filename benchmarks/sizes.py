"""Bytes of a built site and its data folder, by part, and the Pages artifact extrapolated.

Reads an output folder written by ``python -m builder build --output DIR`` (with or without a
data host, ``DATA_URL``) and prints, for ``DIR/site`` and ``DIR/site-data``, the bytes and
files of each part (apparent sizes: what the Pages artifact's tar holds). Then the site at
``--at`` disclosures (default 10,000): every part grows with the number of disclosures except
the theme's JavaScript, CSS and images, so it is the per-disclosure bytes times ``--at`` plus
those. BENCHMARKS.md ("data host") has the figures.

    python -m benchmarks.sizes DIR [--at 10000]
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path

MB = 2**20
FIXED = ("assets/javascripts", "assets/stylesheets", "assets/images")  # the same at any N


def part_of(relative: str) -> str:
    """The part of the site a file belongs to, for the tables."""
    parts = relative.split("/")
    if parts[0] == "assets":
        return "/".join(parts[:2])
    if parts[0] != "downloads":
        return parts[0] if len(parts) > 1 else "top-level files"
    if len(parts) == 2:  # noqa: PLR2004 - downloads/<name>: as the data folder names them
        return "downloads: " + data_part_of(parts[1])
    if parts[1] in ("portal", "portal.parquet"):
        return "downloads: " + {"portal": "portal package files"}.get(
            parts[1], "partitioned Parquet"
        )
    kind = parts[2] if parts[2] in ("csv", "parquet") else parts[-1]
    return "downloads: disclosure " + ("xlsx" if kind.endswith(".xlsx") else kind)


def data_part_of(name: str) -> str:
    """The part of the flat data folder a file belongs to."""
    if name == "portal.parquet.zip":
        return "partitioned Parquet"
    if name.endswith(".zip"):
        return "year and portal zips" if name.startswith("portal") else "disclosure zips"
    if name.startswith("portal.") and name.count(".") > 1:
        return "portal package files"
    if name.startswith("sources."):  # DATA_HOST_SCOPE=all
        return "source texts"
    if ".csv." in name:  # <id>.csv.<table>.csv, DATA_HOST_SCOPE=all
        return "disclosure table CSVs"
    return name


def measure(folder: Path, *, flat: bool = False) -> tuple[Counter[str], Counter[str]]:
    """Bytes and files of each part of ``folder``."""
    sizes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for directory, _, files in os.walk(folder):
        for name in files:
            path = Path(directory, name)
            relative = path.relative_to(folder).as_posix()
            part = data_part_of(relative) if flat else part_of(relative)
            sizes[part] += path.stat().st_size
            counts[part] += 1
    return sizes, counts


def table(title: str, sizes: Counter[str], counts: Counter[str]) -> str:
    total = sum(sizes.values())
    lines = [
        f"{title}: {total / MB:.1f} MB in {sum(counts.values())} files",
        "",
        "| part | MB | files |",
        "|---|---:|---:|",
    ]
    lines += [
        f"| {part} | {size / MB:.1f} | {counts[part]} |" for part, size in sizes.most_common()
    ]
    return "\n".join(lines) + "\n"


def disclosures_in(site: Path) -> int:
    return sum(1 for p in (site / "disclosures").iterdir() if p.name != "index.html")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path, help="a build's --output folder")
    parser.add_argument("--at", type=int, default=10_000, help="disclosures to extrapolate to")
    args = parser.parse_args()
    site, data = args.output / "site", args.output / "site-data"
    sizes, counts = measure(site)
    print(table(f"{site}", sizes, counts))
    if data.is_dir():
        print(table(f"{data}", *measure(data, flat=True)))
    count = disclosures_in(site)
    fixed = sum(sizes[part] for part in FIXED)
    growing = sum(sizes.values()) - fixed
    at = growing / count * args.at + fixed
    print(
        f"{count} disclosures: {growing / count / 1024:.1f} KB of the site per disclosure "
        f"+ {fixed / MB:.1f} MB fixed → {at / MB:,.0f} MB at {args.at:,} disclosures"
    )


if __name__ == "__main__":
    main()
