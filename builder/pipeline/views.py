"""What the portal pages read of every disclosure (its view and findings), kept between builds.

The portal pages hold every disclosure's view and findings (``builder.pages.portal_view`` of
its parse, and its audit rows). Reading them from each disclosure's cached digest costs a
file, two unpickles and the sharing of equal values (``Sharing``) per disclosure, on every
build. The build keeps them instead in one file of its cache, each under the source key it
was read for: a rebuild reads that one file and, from the digests, only the disclosures whose
key changed. A file that cannot be read is not believed (every digest is read again). So
are the disclosures' briefs (``kept_briefs``), which the build holds through every stage.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from builder.cache import DIGEST, PICKLE_PROTOCOL, BuildCache, write_atomic
from builder.pipeline.steps import FINDINGS, VIEW, Brief, Digest, Digests, Sharing

VIEWS = "portal-views.memo"  # in the build cache (not *.pickle, which BuildCache.prune owns)
BRIEFS = "briefs.memo"  # in the build cache: every disclosure's Brief
VIEWS_FORMAT = 1
Read = tuple[str, dict[str, Any], list[dict[str, Any]]]  # source key, view, findings


def load_views(path: Path) -> dict[str, Read]:
    """The kept views and findings by disclosure id (none if the file is missing or not ours)."""
    return load_kept(path, "views")


def load_kept(path: Path, name: str) -> dict[str, Any]:
    """The mapping kept under ``name`` in ``path`` (empty if the file is missing or not ours)."""
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)  # our own cache, written by this builder
    except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError):
        return {}
    if not isinstance(data, dict) or data.get("format") != VIEWS_FORMAT:
        return {}
    kept = data.get(name)
    return kept if isinstance(kept, dict) else {}


def save_kept(path: Path, name: str, kept: dict[str, Any]) -> None:
    write_atomic(path, pickle.dumps({"format": VIEWS_FORMAT, name: kept}, PICKLE_PROTOCOL))


def kept_briefs(cache: BuildCache) -> dict[str, Brief]:
    """The briefs the last build kept (``save_briefs``), by disclosure id: a kept disclosure's
    brief is read from here, not from its digest (one file instead of one a disclosure)."""
    return load_kept(cache.folder / BRIEFS, "briefs")


def brief_of(cache: BuildCache, known: dict[str, Brief], disclosure_id: str, key: str) -> Brief:
    """The brief of a disclosure unchanged since the last build: kept, or from its digest."""
    brief = known.get(disclosure_id)
    if brief is None or brief.key != key:
        digest: Digest = cache.load(disclosure_id, key, DIGEST)
        return digest.brief
    return brief


def save_briefs(cache: BuildCache, briefs: list[Brief], kept: dict[str, Brief]) -> None:
    if {b.id: b.key for b in briefs} != {i: b.key for i, b in kept.items()}:
        save_kept(cache.folder / BRIEFS, "briefs", {b.id: b for b in briefs})


def portal_views(
    digests: Digests, path: Path
) -> tuple[list[tuple[dict[str, Any], list[dict[str, Any]]]], int]:
    """Each disclosure's view and findings (in the digests' order), the kept ones from
    ``path`` and the others from their digests; ``path`` is rewritten when any was read.
    Also: how many were read from digests."""
    kept = load_views(path)
    fresh = [d for d in digests if kept.get(d.id, ("",))[0] != d.key]
    shared = Sharing()
    read = {
        brief.id: (brief.key, shared(view), shared(findings))
        for brief, (view, findings) in zip(
            fresh, digests.parts(VIEW, FINDINGS, briefs=fresh), strict=True
        )
    }
    views = {d.id: read.get(d.id) or kept[d.id] for d in digests}
    if fresh or len(views) != len(kept):
        save_kept(path, "views", views)
    return [(view, findings) for _, view, findings in views.values()], len(fresh)
