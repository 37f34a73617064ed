"""The content key (builder.publish.identity) on real disclosures: a copy that differs only
in presentation is the same disclosure; a copy with one amount changed is another.

Property test over the seven bundled texts (both publishers): trailing newlines, spaces at
line ends and CRLF line ends never change the key; changing one printed amount always does.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.parse import parse_file
from builder.publish.identity import content_key
from tests.conftest import BUNDLED

TEXTS = {path.stem: path.read_text(encoding="utf-8") for path in BUNDLED}
KEYS = {stem: content_key(parse_file(path)) for stem, path in zip(TEXTS, BUNDLED, strict=True)}
AMOUNT = re.compile(r"(?<=\t)\d{1,3}(?:,\d{3})*\.\d{2}(?=\t|$)", re.MULTILINE)
PROPERTY = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def key_of(text: str, newline: str = "\n") -> str:
    path = Path(tempfile.mkdtemp(prefix="identity-")) / "copy.txt"
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return content_key(parse_file(path))


@PROPERTY
@given(
    stem=st.sampled_from(sorted(TEXTS)),
    newlines=st.integers(min_value=0, max_value=3),
    spaced=st.sets(st.integers(min_value=0, max_value=400), max_size=20),
    crlf=st.booleans(),
)
def test_a_copy_differing_in_presentation_is_the_same_disclosure(
    stem: str, newlines: int, spaced: set[int], crlf: bool
) -> None:
    lines = TEXTS[stem].split("\n")
    for index in spaced:
        if index < len(lines) and lines[index] and not lines[index].startswith("==="):
            lines[index] += " \u3000"
    copy = "\n".join(lines) + "\n" * newlines
    assert key_of(copy, "\r\n" if crlf else "\n") == KEYS[stem]


@PROPERTY
@given(stem=st.sampled_from(sorted(TEXTS)), choice=st.integers(min_value=0))
def test_a_copy_with_one_amount_changed_is_another_disclosure(stem: str, choice: int) -> None:
    text = TEXTS[stem]
    amounts = list(AMOUNT.finditer(text))
    found = amounts[choice % len(amounts)]
    changed = text[: found.start()] + found.group().replace(".", "1.", 1) + text[found.end() :]
    assert key_of(changed) != KEYS[stem]
