"""pdfminer's reading of damaged Flate streams, replaced by a linear one
(``builder.extract.flate``): the same bytes or the same error as pdfminer's on small damaged
streams, and a large stream whose checksum is damaged read whole."""

from __future__ import annotations

import random
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfminer import pdftypes

from builder.extract import flate, opening

TEXT = "".join(f"BT /F1 12 Tf 72 {y} Td (第{y}行 支出 {y * 37}) Tj ET\n" for y in range(400))
STREAM = zlib.compress(TEXT.encode("utf-8"))


def outcome(read: object, data: bytes) -> bytes | str:
    try:
        result: bytes = read(data)  # type: ignore[operator]
    except zlib.error as error:
        return f"error: {error}"
    return result


@settings(max_examples=200, deadline=None)
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(STREAM) - 1), st.integers(0, 255)), min_size=1, max_size=3
    ),
    cut=st.integers(0, 8),
)
def test_a_damaged_stream_reads_as_pdfminer_reads_it(
    flips: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(STREAM)
    for position, value in flips:
        data[position] = value
    damaged = bytes(data[: len(data) - cut])
    assert outcome(flate.decompress_corrupted, damaged) == outcome(flate.PDFMINER, damaged)


@pytest.mark.parametrize("last", range(1, 4))
def test_a_damaged_checksum_loses_nothing_of_a_large_stream(last: int) -> None:
    """Two megabytes that do not compress (an image's, say) whose checksum has a wrong byte:
    pdfminer's copied its whole output once a byte of the stream (quadratic: 0.5 s at 200 KB,
    about a minute at 2 MB); the bytes come back whole."""
    payload = random.Random(last).randbytes(2 * 2**20)
    data = bytearray(zlib.compress(payload))
    data[-last] ^= 0xFF
    assert len(data) > 2 * 2**20
    assert flate.decompress_corrupted(bytes(data)) == payload


def test_damage_before_the_checksum_is_an_error_as_in_pdfminer() -> None:
    data = bytearray(STREAM)
    data[0] = 0  # not a zlib header
    with pytest.raises(zlib.error):
        flate.PDFMINER(bytes(data))
    with pytest.raises(zlib.error):
        flate.decompress_corrupted(bytes(data))


def test_pdfminer_reads_streams_through_it_once_a_pdf_can_be_opened() -> None:
    assert opening.PDF_SUFFIX == ".pdf"  # importing the opening installs it
    assert pdftypes.decompress_corrupted is flate.decompress_corrupted
    assert flate.PDFMINER is not flate.decompress_corrupted
