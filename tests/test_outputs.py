"""Moving an owner's staged files into the docs dir (``builder.pages.outputs.staged``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from builder.pages.outputs import STAGING, staged


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_staged_files_join_existing_folders_and_new_folders_move_whole(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "units").mkdir(parents=True)
    (docs / "units" / "other.md").write_text("another owner's page", encoding="utf-8")
    with staged(docs, "disclosure:a") as (folder, moved):
        (folder / "units").mkdir()
        (folder / "units" / "a.md").write_bytes(b"unit")
        (folder / "disclosures" / "a" / "charts").mkdir(parents=True)
        (folder / "disclosures" / "a" / "index.md").write_bytes(b"page")
        (folder / "disclosures" / "a" / "charts" / "1.json").write_bytes(b"{}")
        (folder / "empty" / "inner").mkdir(parents=True)
        (folder / "top.txt").write_bytes(b"top")
    assert moved == {
        "disclosures/a/charts/1.json": sha(b"{}"),
        "disclosures/a/index.md": sha(b"page"),
        "top.txt": sha(b"top"),
        "units/a.md": sha(b"unit"),
    }
    assert (docs / "units" / "other.md").read_text(encoding="utf-8") == "another owner's page"
    assert (docs / "disclosures" / "a" / "charts" / "1.json").read_bytes() == b"{}"
    assert (docs / "units" / "a.md").read_bytes() == b"unit"
    assert not (docs / "empty" / "inner").exists()  # only files leave the staging
    assert list((docs / STAGING).iterdir()) == []
