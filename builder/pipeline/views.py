"""What the portal pages read of every disclosure (its view and findings), kept between builds.

The portal pages hold every disclosure's view and findings (``builder.pages.portal_view`` of
its parse, and ``portal_findings`` of its audit rows: each finding's check and severity; with
the whole rows and every table's columns the kept views took 109 MB in memory at 1,000
disclosures, now 69 MB). Reading them from each disclosure's cached digest costs a file, two
unpickles and the sharing of equal values (``Sharing``) per disclosure, on every build. The
build keeps them instead in one file of its cache, each under the source key it was read
for: a rebuild reads that one file and, from the digests, only the disclosures whose key
changed. The file is written as it is pickled (never whole in memory beside the views); one
that cannot be read is not believed (every digest is read again).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from builder.cache import PICKLE_PROTOCOL, write_atomic_with
from builder.pages import portal_findings
from builder.pipeline.steps import FINDINGS, VIEW, Digests, Sharing

VIEWS = "portal-views.memo"  # in the build cache (not *.pickle, which BuildCache.prune owns)
VIEWS_FORMAT = 2  # 2: findings as builder.pages.portal_findings keeps them, slim tables
Findings = list[dict[str, Any]] | None  # builder.pages.portal_findings; None: not audited
Read = tuple[str, dict[str, Any], Findings]  # source key, view, findings


def load_views(path: Path) -> dict[str, Read]:
    """The kept views and findings by disclosure id (none if the file is missing or not ours)."""
    try:
        with path.open("rb") as handle:
            data = pickle.load(handle)  # our own cache, written by this builder
    except (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError):
        return {}
    if not isinstance(data, dict) or data.get("format") != VIEWS_FORMAT:
        return {}
    views = data.get("views")
    return views if isinstance(views, dict) else {}


def portal_views(digests: Digests, path: Path) -> tuple[list[tuple[dict[str, Any], Findings]], int]:
    """Each disclosure's view and findings (in the digests' order), the kept ones from
    ``path`` and the others from their digests; ``path`` is rewritten when any was read.
    Also: how many were read from digests."""
    kept = load_views(path)
    fresh = [d for d in digests if kept.get(d.id, ("",))[0] != d.key]
    shared = Sharing()
    read = {
        brief.id: (brief.key, shared(view), portal_findings(findings))
        for brief, (view, findings) in zip(
            fresh, digests.parts(VIEW, FINDINGS, briefs=fresh), strict=True
        )
    }
    views = {d.id: read.get(d.id) or kept[d.id] for d in digests}
    if fresh or len(views) != len(kept):
        data = {"format": VIEWS_FORMAT, "views": views}
        write_atomic_with(path, lambda handle: pickle.dump(data, handle, PICKLE_PROTOCOL))
    return [(view, findings) for _, view, findings in views.values()], len(fresh)
