"""Fuzzing the whole build: mutated disclosures (texts of both publishers, Shanghai PDFs with
damaged bytes) never crash it, and what it publishes validates.

Each example builds a sources folder of two or three mutated disclosures with
``python -m builder build --no-site`` (a real process, as a maintainer runs it). The build
must exit 0 (all used) or 3 (some skipped, named in its summary), never 1 (nothing built is
possible only when every source is refused, and then it must say so) and never 4 (a bug of
ours); no traceback; and ``python -m builder validate`` must accept what it wrote.

The suite runs a few examples; a long run (the result is in README.md, "Fuzzing"):

    FUZZ_BUILD_EXAMPLES=150 python -m pytest -p no:cacheprovider tests/test_fuzz_build.py
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import BUNDLED, run_builder
from tests.test_fuzz_parse import CELLS

EXAMPLES = int(os.environ.get("FUZZ_BUILD_EXAMPLES", "3"))
TEXTS = [path.read_text(encoding="utf-8").split("\n") for path in BUNDLED]
PDFS = sorted((Path(__file__).resolve().parent / "pdfs" / "shanghai-putuo").glob("*.pdf"))
PDF_BYTES = [path.read_bytes() for path in PDFS]


@st.composite
def mutated_text(draw: st.DrawFn) -> str:
    lines = list(draw(st.sampled_from(TEXTS)))
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        index = draw(st.integers(min_value=0, max_value=max(0, len(lines) - 1)))
        action = draw(st.sampled_from(["delete", "duplicate", "cell", "swap", "amount"]))
        if not lines:
            break
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        elif action == "cell":
            cells = lines[index].split("\t")
            cells.insert(draw(st.integers(min_value=0, max_value=len(cells))), draw(CELLS))
            lines[index] = "\t".join(cells)
        elif action == "swap":
            other = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        else:  # an amount changed: the audit must say so, the build must go on
            cells = lines[index].split("\t")
            position = draw(st.integers(min_value=0, max_value=len(cells) - 1))
            cells[position] = draw(st.sampled_from(["9" * 40, "1.0000001", "-0.00", "=1+1"]))
            lines[index] = "\t".join(cells)
    return "\n".join(lines)


@st.composite
def damaged_pdf(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(PDF_BYTES)))
    action = draw(st.sampled_from(["truncate", "flip", "none"]))
    if action == "truncate":
        return bytes(data[: draw(st.integers(min_value=0, max_value=len(data)))])
    if action == "flip":
        for _ in range(draw(st.integers(min_value=1, max_value=20))):
            position = draw(st.integers(min_value=0, max_value=len(data) - 1))
            data[position] = draw(st.integers(min_value=0, max_value=255))
    return bytes(data)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    texts=st.lists(mutated_text(), min_size=1, max_size=2),
    pdf=st.one_of(st.none(), damaged_pdf()),
)
def test_the_build_never_crashes_and_publishes_valid_packages(
    texts: list[str], pdf: bytes | None
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-build-"))
    try:
        sources = folder / "sources"
        sources.mkdir()
        for number, text in enumerate(texts):
            (sources / f"fuzz-{number}.txt").write_text(text, encoding="utf-8")
        if pdf is not None:
            (sources / "fuzz-pdf.pdf").write_bytes(pdf)
        output = folder / "out"
        built = run_builder(
            "build", "--no-site", "--jobs", "1", "--sources", sources, "--output", output
        )
        assert "Traceback" not in built.stderr, built.stderr
        assert built.returncode in (0, 1, 3), built.stderr
        if built.returncode == 1:  # nothing could be built: every source was refused
            assert "fuzz-" in built.stderr, built.stderr
            return
        checked = run_builder("validate", "--output", output)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        shutil.rmtree(folder, ignore_errors=True)
