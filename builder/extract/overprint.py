"""Characters printed twice: fake bold and overprinting leave each such character once.

The same rule as pdfplumber's ``dedupe_chars`` (same text, upright, font and size, within
one point of position: the first of each cluster by position is kept), in O(n log n):
pdfplumber restores the page order with ``list.index``, quadratic in the characters of the
page, which cost seconds on dense pages. Pages without duplicates are returned unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from operator import itemgetter

from pdfplumber.page import Page
from pdfplumber.utils.clustering import cluster_objects

from builder.extract.baselines import Char

TOLERANCE = 1.0  # points
SAME_GLYPH = itemgetter("upright", "text", "fontname", "size")
POSITION = itemgetter("doctop", "x0")


def unique_chars(chars: list[Char]) -> Iterator[Char]:
    """One character of each cluster of the same glyph at the same place."""
    for _, group in itertools.groupby(sorted(chars, key=SAME_GLYPH), key=SAME_GLYPH):
        for line in cluster_objects(list(group), itemgetter("doctop"), TOLERANCE):
            for place in cluster_objects(line, itemgetter("x0"), TOLERANCE):
                yield min(place, key=POSITION)


def without_overprint(page: Page) -> Page:
    """``page`` with each overprinted character once (the same page when there are none)."""
    chars = page.chars
    kept = {id(char) for char in unique_chars(chars)}
    if len(kept) == len(chars):
        return page
    return page.filter(lambda obj: obj.get("object_type") != "char" or id(obj) in kept)
