"""Synthetic disclosures for benchmarks: N texts derived from the five real seeds.

Each synthetic disclosure is a seed with another unit name, another year and its amounts
multiplied by a whole factor, 1 or 2: the tables' cells and the amounts the narrative writes
(``6,382.69万元``), so every sum identity holds exactly and the text still agrees with the
tables. The audit finds in it what it finds in its seed (at 3 the publisher's 0.01 rounding
differences would become 0.03, beyond the audit's tolerance). The layout and the extraction
noise are the seed's own. ``--unscaled-text`` writes the corpora of before 2026-12-02 (factor
1 to 3, tables only: some forty text-versus-table findings per disclosure).

Files are written to a scratch directory with a provenance record whose licence says they
are synthetic, and the generator refuses to write under ``datasets/``, so synthetic data can
never reach the published packages or site.

    python benchmarks/corpus.py --count 1000 --output /tmp/corpus-1000
    python benchmarks/corpus.py --count 1000 --output /tmp/old-1000 --unscaled-text
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import sys
from decimal import Decimal
from pathlib import Path

import yaml

from builder.parse import parse_file

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "datasets" / "sources"
PROTECTED = ROOT / "datasets"
AMOUNT = re.compile(r"^\s*\d[\d,\s]*\.\s*\d+\s*$")
PLACES = ["太原", "大同", "朔州", "忻州", "阳泉", "吕梁", "晋中", "长治", "晋城", "临汾", "运城"]
OFFICES = ["发展服务中心", "事务管理局", "促进中心", "综合保障中心", "信息中心", "研究院"]
SEED_IDS = (
    "000_127416229ccdc025",
    "001_417cec5d1b5bc998",
    "002_6a7fbe393d7e6d53",
    "003_664a31573f3e6641",
    "004_c9b7d00ba9827a50",
)
# an amount the narrative writes in 万元 or 元 (the unit may follow a line break: extraction
# noise), not a threshold such as 单价100万元（含）以上; percentages, years, counts and codes
# carry no such unit
WORDS = re.compile(
    r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?=\s*万?\s*元)"
    r"(?!\s*万?\s*元\s*(?:[（(]含|以[上下]))"
)
LICENCE = "SYNTHETIC benchmark data derived from the bundled seeds; never to be published"


def scale_cell(cell: str, factor: int) -> str:
    """Multiply an amount cell (one with a decimal point) exactly, keeping its decimals."""
    if not AMOUNT.match(cell):
        return cell
    text = "".join(cell.split())
    places = len(text.split(".")[1])
    value = Decimal(text.replace(",", "")) * factor
    formatted = f"{value:,.{places}f}" if "," in text else f"{value:.{places}f}"
    return formatted


def synthesise(
    seed: Path, document: dict[str, object], index: int, rng: random.Random, *, words: bool = True
) -> tuple[str, dict[str, object]]:
    """One synthetic disclosure from ``seed``; ``words=False`` leaves the narrative's amounts
    as the seed wrote them and draws the factor from 1 to 3 (the corpora of before 2026-12-02)."""
    text = seed.read_text(encoding="utf-8")
    unit = f"{rng.choice(PLACES)}市第{index:05d}号{rng.choice(OFFICES)}"
    year = rng.randint(2018, 2026)
    factor = rng.randint(1, 2) if words else rng.randint(1, 3)
    # the name may be printed over two lines (seed 003's cover): match it across line breaks,
    # or every copy of that seed would keep the seed's unit and be the same disclosure
    name = r"[ \t]*\n*[ \t]*".join(re.escape(char) for char in str(document["unit_name"]))
    text = re.sub(name, unit, text)
    text = re.sub(str(document["year"]), str(year), text)
    return scale_text(text, factor, words=words), {"licence": LICENCE}


def scale_tables(text: str, factor: int) -> str:
    """Every amount cell of the tab-separated table lines multiplied by ``factor``."""
    return "\n".join(
        "\t".join(scale_cell(cell, factor) for cell in line.split("\t")) if "\t" in line else line
        for line in text.split("\n")
    )


def scale_words(text: str, factor: int) -> str:
    """Every amount written in the narrative (outside table lines) multiplied by ``factor``,
    exactly, keeping its decimals and its thousands separators."""

    def scaled(match: re.Match[str]) -> str:
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.start())
        if "\t" in text[start : end if end >= 0 else len(text)]:
            return match.group(0)  # a table line: its cells are scale_tables' business
        whole, fraction = match.group(1), match.group(2) or ""
        places = max(len(fraction) - 1, 0)
        value = Decimal(whole.replace(",", "") + fraction) * factor
        return f"{value:,.{places}f}" if "," in whole else f"{value:.{places}f}"

    return WORDS.sub(scaled, text)


def scale_text(text: str, factor: int, *, words: bool = True) -> str:
    """The tables' amounts and, unless ``words`` is false, the narrative's, times ``factor``."""
    tables = scale_tables(text, factor)
    return scale_words(tables, factor) if words else tables


def generate(
    count: int, output: Path, seed: int = 20261121, *, unscaled_text: bool = False
) -> list[Path]:
    """Write ``count`` synthetic disclosures (text + provenance record) into ``output``;
    ``unscaled_text`` writes them as before 2026-12-02 (the narrative's amounts unscaled)."""
    output = output.resolve()
    if output == PROTECTED or PROTECTED in output.parents:
        raise SystemExit(f"refusing to write synthetic disclosures under {PROTECTED}")
    output.mkdir(parents=True, exist_ok=True)
    seeds = [SEEDS / f"{stem}.txt" for stem in SEED_IDS]
    documents = {seed: parse_file(seed)["document"] for seed in seeds}
    rng = random.Random(seed)
    written = []
    for index in range(count):
        source = seeds[index % len(seeds)]
        body, meta = synthesise(source, documents[source], index, rng, words=not unscaled_text)
        identifier = f"syn{index:05d}_{source.stem[:3]}"
        path = output / f"{identifier}.txt"
        data = body.encode("utf-8")
        path.write_bytes(data)
        meta["sha256"] = hashlib.sha256(data).hexdigest()
        (output / f"{identifier}.meta.yaml").write_text(
            yaml.safe_dump(meta, allow_unicode=True, sort_keys=True), encoding="utf-8"
        )
        written.append(path)
    return written


def revise(path: Path, factor: int = 2, *, words: bool = True) -> None:
    """Change one synthetic disclosure as a corrected publication would: every amount, in the
    tables and in the narrative, multiplied by ``factor`` (identities still hold), its record's
    checksum updated. ``words=False`` leaves the narrative as it was (before 2026-12-02)."""
    data = scale_text(path.read_text(encoding="utf-8"), factor, words=words).encode("utf-8")
    path.write_bytes(data)
    meta = path.with_suffix(".meta.yaml")
    record = yaml.safe_load(meta.read_text(encoding="utf-8"))
    record["sha256"] = hashlib.sha256(data).hexdigest()
    meta.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=True), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, required=True, help="how many disclosures")
    parser.add_argument("--output", type=Path, required=True, help="scratch directory")
    parser.add_argument("--seed", type=int, default=20261121, help="random seed")
    parser.add_argument(
        "--unscaled-text",
        action="store_true",
        help="scale the tables only, factor 1 to 3 (the corpora of before 2026-12-02)",
    )
    args = parser.parse_args(argv)
    paths = generate(args.count, args.output, args.seed, unscaled_text=args.unscaled_text)
    print(f"wrote {len(paths)} synthetic disclosures to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
