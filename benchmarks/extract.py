"""Benchmark PDF text extractors on the bundled Shanghai PDFs: time per page and quality.

Compares the extract stage (``builder.extract``: pdfplumber with ruled tables and the gap
fallback) with pdfplumber's plain ``extract_text``, pypdfium2's text (no table finding),
poppler's ``pdftotext -layout`` (one process per page, and one per document) and, if it is
installed, PyMuPDF (AGPL, measured for comparison only). Times are wall clock per page,
each page extracted with the document already open (opening is timed apart); the median
and the total are over every page of the two real documents (the blank template is left
out: it has no figures). Quality is checked on rows read by eye on page 8 of the final
accounts (is each one line, with its cells in order, a wrapped cell whole, the header's
wrapped cells joined) and on a sentence of page 21 (its amounts in it).

    python benchmarks/extract.py            # Markdown tables (BENCHMARKS.md, "PDF extraction")
    python benchmarks/extract.py --repeat 3 # best of three runs per page
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PDFS = ROOT / "tests" / "pdfs" / "shanghai-putuo"
DOCUMENTS = ["sh-putuo-czj-2024-final.pdf", "sh-putuo-wanli-2024-budget.pdf"]
QUALITY_DOCUMENT = "sh-putuo-czj-2024-final.pdf"
# What pages 8 and 21 print, read from their rendering (pdftoppm -png -r 80 -f 8 -l 8).
ROWS = {
    "row kept as one line": (8, ["201", "06", "01", "行政运行", "1,511.90", "1,511.89", "0.01"]),
    "wrapped cell whole, on its row": (
        8,
        ["208", "05", "05", "机关事业单位基本养老保险缴费支出", "160.75"],
    ),
    "merged header cell joined": (8, ["本年收入合计", "财政拨款收入", "附属单位上缴收入"]),
    # Digits in Times New Roman amid FangSong: one baseline, glyph boxes 4.9 points apart.
    "amounts in their sentence": (21, ["上海市普陀区财政局2024年度收入支出总计2995.39万元。"]),
}
AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})*\.\d{2}")

PageTexts = Callable[[Path], Iterator[tuple[float, str]]]  # (seconds, text) per page


@contextmanager
def timer() -> Iterator[list[float]]:
    box: list[float] = []
    start = time.perf_counter()
    yield box
    box.append(time.perf_counter() - start)


def stage_pages(path: Path) -> Iterator[tuple[float, str]]:
    """The extract stage, page by page, as ``builder.extract.extract_pdf`` runs it."""
    from builder.extract.opening import open_pdf  # noqa: PLC0415 - after sys.path is set
    from builder.extract.pages import page_lines  # noqa: PLC0415

    with open_pdf(path) as pdf:
        for page in pdf.pages:
            with timer() as took:
                lines = page_lines(page)
                page.close()
            yield took[0], "\n".join(lines)


def plumber_text_pages(path: Path) -> Iterator[tuple[float, str]]:
    import pdfplumber  # noqa: PLC0415

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            with timer() as took:
                text = page.extract_text()
                page.close()
            yield took[0], text


def pdfium_pages(path: Path) -> Iterator[tuple[float, str]]:
    import pypdfium2  # noqa: PLC0415

    pdf = pypdfium2.PdfDocument(path)
    try:
        for index in range(len(pdf)):
            with timer() as took:
                page = pdf[index]
                textpage = page.get_textpage()
                text = textpage.get_text_range()
                textpage.close()
                page.close()
            yield took[0], text.replace("\r\n", "\n")
    finally:
        pdf.close()


def pdftotext_pages(path: Path) -> Iterator[tuple[float, str]]:
    """``pdftotext -layout``, one process per page (the start of a process included)."""
    pages = len(pdftotext(path).split("\f")) - 1
    for number in range(1, pages + 1):
        with timer() as took:
            text = pdftotext(path, number)
        yield took[0], text


def pdftotext(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    command = ["pdftotext", "-layout", "-enc", "UTF-8", *pages, str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True, text=True).stdout


def pymupdf_pages(path: Path) -> Iterator[tuple[float, str]]:
    import pymupdf  # type: ignore[import-not-found]  # noqa: PLC0415 - optional, AGPL

    with pymupdf.open(path) as pdf:
        for page in pdf:
            with timer() as took:
                text = page.get_text()
            yield took[0], text


def extractors() -> dict[str, PageTexts]:
    found: dict[str, PageTexts] = {
        "extract stage (pdfplumber, tables)": stage_pages,
        "pdfplumber extract_text (no tables)": plumber_text_pages,
        "pypdfium2 text": pdfium_pages,
    }
    if shutil.which("pdftotext"):
        found["pdftotext -layout (a process per page)"] = pdftotext_pages
    if importlib.util.find_spec("pymupdf"):
        found["PyMuPDF get_text (AGPL)"] = pymupdf_pages
    return found


def tokens_on_one_line(text: str, tokens: list[str]) -> bool:
    """Whether one line holds ``tokens`` in order, each a whole cell or word (a single
    token may be the start of a word: a sentence's first words)."""
    for line in text.splitlines():
        if len(tokens) == 1 and line.strip().startswith(tokens[0]):
            return True
        words = re.split(r"\t| {2,}" if "\t" in line else r"\s+", line.strip())
        words = [word.strip() for word in words if word.strip()]
        position = 0
        for word in words:
            if position < len(tokens) and word == tokens[position]:
                position += 1
        if position == len(tokens):
            return True
    return False


def measure(name: str, pages: PageTexts, repeat: int) -> dict[str, object]:
    per_page: list[float] = []
    totals = 0.0
    amounts = 0
    quality: dict[str, bool] = {}
    for document in DOCUMENTS:
        path = PDFS / document
        best: list[float] | None = None
        texts: list[str] = []
        for _ in range(repeat):
            with timer() as took:
                run = list(pages(path))
            totals += took[0] / repeat
            times = [seconds for seconds, _ in run]
            best = times if best is None else [min(a, b) for a, b in zip(best, times, strict=True)]
            texts = [text for _, text in run]
        per_page.extend(best or [])
        amounts += sum(len(AMOUNT.findall(text)) for text in texts)
        if document == QUALITY_DOCUMENT:
            quality = {
                check: tokens_on_one_line(texts[page - 1], row)
                for check, (page, row) in ROWS.items()
            }
    return {
        "name": name,
        "median_ms": 1000 * statistics.median(per_page),
        "max_ms": 1000 * max(per_page),
        "pages": len(per_page),
        "total_s": totals,
        "amounts": amounts,
        "quality": quality,
    }


def table(results: list[dict[str, object]]) -> str:
    checks = list(ROWS)
    head = "| extractor | median ms / page | slowest page ms | both documents s | amounts |"
    out = [head + "".join(f" {check} |" for check in checks), "|" + "---|" * (5 + len(checks))]
    for r in results:
        quality = r["quality"]
        assert isinstance(quality, dict)
        out.append(
            f"| {r['name']} | {r['median_ms']:.1f} | {r['max_ms']:.0f} | {r['total_s']:.2f}"
            f" | {r['amounts']} |"
            + "".join(f" {'yes' if quality.get(check) else 'no'} |" for check in checks)
        )
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="benchmark PDF text extractors")
    parser.add_argument("--repeat", type=int, default=1, help="runs per document (best per page)")
    args = parser.parse_args(argv)
    if shutil.which("pdftotext"):
        with timer() as took:
            for document in DOCUMENTS:
                pdftotext(PDFS / document)
        print(f"pdftotext -layout, one process per document: both documents {took[0]:.2f} s")
    results = [measure(name, pages, args.repeat) for name, pages in extractors().items()]
    sys.stdout.write(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
