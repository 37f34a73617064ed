"""``portal.sqlite`` after one changed disclosure: the rows of that disclosure are replaced in a
copy of the earlier file (every other row stays where it was), and the file, vacuumed, is byte
for byte the one a clean build writes. A damaged earlier file or record, or a table whose row
counts changed, is written again from the package instead.

On the bundled seeds; a disclosure's rows are told apart by their ``disclosure_id`` column,
read with SQL from the files, never from the layout under test.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from benchmarks.corpus import revise
from builder.cache import cache_dir_for
from builder.pipeline import build
from builder.pipeline.site import PAGES_STATE
from builder.publish import database
from builder.publish.database import EarlierDatabase, write_database
from builder.release import current_release
from tests.conftest import SEED_IDS, copy_seeds

CHANGED = SEED_IDS[2]
DATABASE = Path("site-docs") / "downloads" / "portal.sqlite"


@pytest.fixture(autouse=True)
def site_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8765/")


def built(sources: Path, root: Path) -> None:
    build(sources, root / "packages", root / "site", jobs=1, mkdocs=False)


def spying(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """The tables filled whole, and those whose rows were replaced in an earlier file."""
    seen: dict[str, list[str]] = {"filled": [], "updated": []}
    fill, update = database.fill_table, database.update_table

    def filling(connection: sqlite3.Connection, package: Path, resource: Any) -> None:
        seen["filled"].append(resource["name"])
        fill(connection, package, resource)

    def updating(connection: sqlite3.Connection, package: Path, resource: Any, *rest: Any) -> None:
        seen["updated"].append(resource["name"])
        update(connection, package, resource, *rest)

    monkeypatch.setattr(database, "fill_table", filling)
    monkeypatch.setattr(database, "update_table", updating)
    return seen


def rows_of(path: Path, disclosure_id: str) -> list[tuple[Any, ...]]:
    """Every row of the disclosure in every table of the file, with its table and rowid."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_schema WHERE type='table'")
            if "disclosure_id" in {c[1] for c in connection.execute(f'PRAGMA table_info("{name}")')}
        ]
        return [
            (name, *row)
            for name in tables
            for row in connection.execute(
                f'SELECT rowid, * FROM "{name}" WHERE disclosure_id = ? ORDER BY rowid',
                (disclosure_id,),
            )
        ]
    finally:
        connection.close()


def test_one_change_replaces_its_rows_and_writes_a_clean_builds_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = copy_seeds(tmp_path / "sources")
    root = tmp_path / "out"
    built(sources, root)
    before = rows_of(root / DATABASE, CHANGED)
    kept = rows_of(root / DATABASE, SEED_IDS[0])
    seen = spying(monkeypatch)
    revise(sources / f"{CHANGED}.txt")  # every amount doubled
    built(sources, root)
    assert seen["filled"] == ["units"], "only the table without disclosure ids filled whole"
    # budget_summary keeps its count of rows; findings do not (doubled amounts
    # fail other checks): the rows from the changed disclosure's on are written again
    assert {"budget_summary", "findings"} <= set(seen["updated"])
    after = rows_of(root / DATABASE, CHANGED)
    assert after != before, "the changed disclosure's rows are the new ones"
    tables = [r for r in after if r[0] != "findings"]
    assert len(tables) == len([r for r in before if r[0] != "findings"]) > 0
    assert [r[:2] for r in tables] == [r[:2] for r in before if r[0] != "findings"], (
        "at the same rowids"
    )
    assert rows_of(root / DATABASE, SEED_IDS[0]) == kept

    clean = tmp_path / "clean"
    built(sources, clean)
    assert (root / DATABASE).read_bytes() == (clean / DATABASE).read_bytes()


def test_a_damaged_earlier_database_or_record_is_written_from_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = copy_seeds(tmp_path / "sources")
    root = tmp_path / "out"
    built(sources, root)
    seen = spying(monkeypatch)
    target = root / DATABASE
    target.write_bytes(target.read_bytes()[: 1 << 14])  # cut short, as a full disk leaves it
    revise(sources / f"{CHANGED}.txt")
    built(sources, root)
    assert seen["updated"] == [], "not updated from a file that is not as it was written"
    assert len(seen["filled"]) > 1

    state = cache_dir_for(root / "packages") / PAGES_STATE
    record = json.loads(state.read_text(encoding="utf-8"))
    layout = record["owners"]["database"]["extra"]["layout"]
    layout["keys"] = layout["keys"][:1]  # a record that does not fit its disclosures
    state.write_text(json.dumps(record), encoding="utf-8")
    seen["filled"].clear()
    revise(sources / f"{CHANGED}.txt")
    built(sources, root)
    assert seen["updated"] == []
    assert len(seen["filled"]) > 1

    clean = tmp_path / "clean"
    built(sources, clean)
    assert target.read_bytes() == (clean / DATABASE).read_bytes()


def test_rows_replaced_or_tables_refilled_give_the_file_written_from_scratch(
    tmp_path: Path,
) -> None:
    sources = copy_seeds(tmp_path / "sources")
    root = tmp_path / "out"
    built(sources, root)
    package = root / "packages" / "portal"
    keys = {i: f"key-{i}" for i in SEED_IDS}
    scratch = tmp_path / "scratch.sqlite"
    layout = write_database(package, scratch, current_release(), keys)
    assert layout["counts"]["budget_summary"][layout["ids"].index(CHANGED)] > 0

    # the earlier file held other amounts for CHANGED; its key changed since
    earlier = tmp_path / "earlier.sqlite"
    shutil.copyfile(scratch, earlier)
    connection = sqlite3.connect(earlier)
    connection.execute(
        "UPDATE budget_summary SET total_10k_yuan = total_10k_yuan * 2 WHERE disclosure_id = ?",
        (CHANGED,),
    )
    connection.commit()
    connection.close()
    assert earlier.read_bytes() != scratch.read_bytes()
    old = {**layout, "keys": [keys[i] + ("-old" if i == CHANGED else "") for i in layout["ids"]]}
    updated = tmp_path / "updated.sqlite"
    write_database(package, updated, current_release(), keys, EarlierDatabase(earlier, old))
    assert updated.read_bytes() == scratch.read_bytes()

    # a table whose counts differ from the earlier file's is filled again, whole
    counts = dict(layout["counts"])
    counts["budget_summary"] = [0] * len(SEED_IDS)
    refilled = tmp_path / "refilled.sqlite"
    stale = {**old, "counts": counts}
    write_database(package, refilled, current_release(), keys, EarlierDatabase(earlier, stale))
    assert refilled.read_bytes() == scratch.read_bytes()
