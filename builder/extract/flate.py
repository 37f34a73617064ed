"""pdfminer's reading of a damaged Flate stream, in linear time.

When a stream fails zlib's check, pdfminer (``pdftypes.decompress_corrupted``, up to
20260107 at least: pdfminer/pdfminer.six#1163, open) feeds zlib one byte at a time and
appends each piece to a ``bytes``, which copies the whole output every time: a stream of a
megabyte or two with a flipped byte near its end keeps a worker busy for many minutes (the
fuzz test saw one for over 12). :func:`decompress_corrupted` gives the same result: the stream
but its last three bytes in one call (an error there is raised, as pdfminer's), then the last
three one at a time, an error among them ending the data (the checksum, which is what the
byte-wise reading was for).
"""

from __future__ import annotations

import logging
import zlib

from pdfminer import pdftypes

# The check bytes at the end of a zlib stream that pdfminer lets fail.
CHECK_BYTES = 3
# pdfminer's own, as imported (tests compare the two on small streams).
PDFMINER = pdftypes.decompress_corrupted


def decompress_corrupted(data: bytes) -> bytes:
    """What ``pdfminer.pdftypes.decompress_corrupted`` returns, without its quadratic copy."""
    decompressor = zlib.decompressobj()
    split = max(len(data) - CHECK_BYTES, 0)
    pieces = [decompressor.decompress(data[:split])]  # an error here propagates, as there
    try:
        for index in range(split, len(data)):
            pieces.append(decompressor.decompress(data[index : index + 1]))
    except zlib.error:
        logging.getLogger(pdftypes.__name__).warning("Data-loss while decompressing corrupted data")
    return b"".join(pieces)


def install() -> None:
    """Make pdfminer call :func:`decompress_corrupted` (it looks the name up on each stream)."""
    pdftypes.decompress_corrupted = decompress_corrupted
