"""Parallel and incremental builds: same bytes for any number of jobs, and a rebuild after
one source changed touches only that disclosure's outputs and the portal-wide ones."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections import Counter
from concurrent.futures import Executor
from io import BufferedReader
from pathlib import Path

import pytest
from distributed import Client, LocalCluster, get_task_stream

from benchmarks.corpus import revise
from builder import cache
from builder.pages.catalog import unit_id
from builder.parse import parse_file
from builder.pipeline import build
from tests.conftest import SEED_IDS, copy_seeds
from tests.test_hash_memo import edit_keeping_signature_but_ctime

SITE_URL = "http://127.0.0.1:8765/"
TOUCHED = SEED_IDS[0]  # 000: its unit also published 002 (a budget), whose files must stay
SAME_UNIT = SEED_IDS[2]
YEAR_OF_TOUCHED = 2024  # SAME_UNIT's is 2023
# Outputs every rebuild writes again: the portal package, the portal-wide pages and charts.
PORTAL_WIDE = (
    "packages/portal/",
    "packages/portal.",  # the portal package of each year
    "docs/downloads/portal/",
    "docs/downloads/portal.zip",
    "docs/downloads/portal.2",  # the bundle of each year
    "docs/downloads/portal.sqlite",
    "docs/query.md",
    "docs/releases.md",
    "docs/assets/charts/portal-",
    "docs/assets/charts/compare-",
    "docs/index.md",
    "docs/parts.html.gz",  # the home page's parts (builder.pages.parts)
    "docs/compare.md",
    "docs/compare/",  # each year's comparison, its parts and further pages
    "docs/data.md",
    "docs/data/pages/",
    "docs/data.json",
    "docs/dictionary.md",
    "docs/quality.md",
    "docs/downloads/quality/",  # the data behind the quality page
    "docs/glossary.md",
    "docs/glossary/",  # the pages of the glossary's sources (builder.pages.paging)
    "docs/units/index.md",
    "docs/units/pages/",
    "docs/disclosures/index.md",
    "docs/disclosures/pages/",
)


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Every file of the packages and the generated docs: sha256 and modification time."""
    out = {}
    for top, name in (("packages", "packages"), ("site-docs", "docs")):
        for path in sorted((root / top).rglob("*")):
            if path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                key = f"{name}/{path.relative_to(root / top).as_posix()}"
                out[key] = (digest, path.stat().st_mtime_ns)
    return out


def build_into(root: Path, sources: Path, jobs: int, executor: Executor | None = None) -> None:
    build(sources, root / "packages", root / "site", jobs=jobs, mkdocs=False, executor=executor)


@pytest.fixture(autouse=True)
def site_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE_URL", SITE_URL)


def test_two_jobs_and_one_job_write_identical_files(tmp_path: Path) -> None:
    sources = copy_seeds(tmp_path / "sources")
    build_into(tmp_path / "one", sources, jobs=1)
    build_into(tmp_path / "two", sources, jobs=2)
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert len(one) > 400
    assert one.keys() == two.keys()
    differ = sorted(path for path in one if one[path][0] != two[path][0])
    assert differ == []


def test_a_dask_cluster_writes_the_same_files_as_the_builds_own_workers(tmp_path: Path) -> None:
    """The per-disclosure work runs unchanged on any concurrent.futures executor: here a
    local Dask cluster of two worker processes (each importing the builder afresh)."""
    sources = copy_seeds(tmp_path / "sources")
    build_into(tmp_path / "own", sources, jobs=2)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
        get_task_stream(client) as stream,
    ):
        build_into(tmp_path / "dask", sources, jobs=1, executor=client.get_executor())
    ran = Counter(task["key"].rsplit("-", 1)[0] for task in stream.data)
    disclosures = len(list(sources.glob("*.txt")))
    own, dask = snapshot(tmp_path / "own"), snapshot(tmp_path / "dask")
    partitions = {m[0] for p in own if (m := re.search(r"/fiscal_year=[^/]+/", p))}
    assert partitions == {"/fiscal_year=2023/", "/fiscal_year=2024/"}  # the seeds' years
    assert ran == {
        "process_source": disclosures,
        "render_pages": disclosures,
        "partition_parquet": len(partitions),
    }
    assert len(own) > 400
    assert own.keys() == dask.keys()
    assert sorted(path for path in own if own[path][0] != dask[path][0]) == []


def test_a_rebuild_after_one_change_rewrites_only_what_depends_on_it(tmp_path: Path) -> None:
    sources = copy_seeds(tmp_path / "sources")
    root = tmp_path / "out"
    build_into(root, sources, jobs=2)
    before = snapshot(root)
    revise(sources / f"{TOUCHED}.txt")  # a corrected publication: every amount doubled
    unit = unit_id(parse_file(sources / f"{TOUCHED}.txt")["document"]["unit_name"])
    result = build(sources, root / "packages", root / "site", jobs=2, mkdocs=False)
    after = snapshot(root)

    assert result.reused == len(SEED_IDS) - 1
    walked = sum(len(names) for _, _, names in os.walk(root / "packages"))
    assert result.files == walked, "the summary counts the packages' files as installed"
    own = (
        f"packages/{TOUCHED}/",
        f"docs/disclosures/{TOUCHED}.md",
        f"docs/disclosures/{TOUCHED}/parts.html.gz",
        f"docs/downloads/{TOUCHED}/",
        f"docs/downloads/{TOUCHED}.zip",
        f"docs/sources/{TOUCHED}.txt",
        f"docs/assets/charts/{TOUCHED}-",
        f"docs/units/{unit}.md",
        f"docs/units/{unit}/parts.html.gz",
        f"docs/assets/charts/{unit}-",
    )
    assert after.keys() == before.keys()
    rewritten = {path for path in after if after[path][1] != before[path][1]}
    changed = {path for path in after if after[path][0] != before[path][0]}
    assert rewritten, "the rebuild wrote nothing"

    year = f"/fiscal_year={YEAR_OF_TOUCHED}/"

    def depends(path: str) -> bool:  # the partitioned Parquet: only its year's partition
        return path.startswith(own + PORTAL_WIDE) or year in path

    assert all(depends(path) for path in rewritten), sorted(
        path for path in rewritten if not depends(path)
    )
    parquet = [p for p in after if p.startswith("docs/downloads/portal.parquet/")]
    assert {p for p in parquet if year in p} & changed, "its rows changed"
    others = [p for p in parquet if year not in p]
    assert others, "other years have partitions"
    assert all(after[p] == before[p] for p in others), "other partitions not even rewritten"
    assert {p for p in changed if p.startswith(f"packages/{TOUCHED}/csv/")}, "amounts changed"
    assert f"docs/disclosures/{TOUCHED}.md" in changed
    assert "packages/portal/csv/income_expenditure_summary.csv" in changed
    untouched = [p for p in after if SAME_UNIT in p]
    assert untouched, "the other disclosure of the same unit has files"
    assert all(after[p] == before[p] for p in untouched), "not even rewritten"

    clean = tmp_path / "clean"
    build_into(clean, sources, jobs=1)
    fresh = snapshot(clean)
    assert fresh.keys() == after.keys()
    assert sorted(p for p in fresh if fresh[p][0] != after[p][0]) == [], (
        "an incremental build writes what a clean build writes"
    )


def test_a_removed_source_leaves_nothing_behind(tmp_path: Path) -> None:
    sources = copy_seeds(tmp_path / "sources")
    root = tmp_path / "out"
    build_into(root, sources, jobs=2)
    gone = SEED_IDS[3]
    (sources / f"{gone}.txt").unlink()
    (sources / f"{gone}.meta.yaml").unlink()
    build_into(root, sources, jobs=2)
    left = [path for path in snapshot(root) if gone in path]
    assert left == []
    assert not [p for p in (root / "site-docs").rglob("*") if p.name.startswith(".staging")]


def test_a_lost_output_is_rebuilt_and_clean_ignores_the_cache(tmp_path: Path) -> None:
    sources = copy_seeds(tmp_path / "sources")
    root = tmp_path / "out"
    build_into(root, sources, jobs=1)
    shutil.rmtree(root / "packages" / SEED_IDS[1])
    (root / "site-docs" / "disclosures" / f"{SEED_IDS[4]}.md").unlink()
    result = build(sources, root / "packages", root / "site", jobs=1, mkdocs=False)
    assert result.reused == len(SEED_IDS) - 1, "only the disclosure whose package was lost"
    assert (root / "packages" / SEED_IDS[1] / "datapackage.json").is_file()
    assert (root / "site-docs" / "disclosures" / f"{SEED_IDS[4]}.md").is_file()
    again = build(sources, root / "packages", None, jobs=1, clean=True)
    assert again.reused == 0
    assert again.files == sum(len(names) for _, _, names in os.walk(root / "packages"))


def test_an_output_changed_since_the_last_build_is_rebuilt(tmp_path: Path) -> None:
    """An incremental build keeps an output only if it is byte for byte what it wrote: a file
    edited by hand (or by another build) is rebuilt, and the result is a clean build's."""
    sources = copy_seeds(tmp_path / "sources")
    root = tmp_path / "out"
    build_into(root, sources, jobs=1)
    edited_csv = sorted((root / "packages" / SEED_IDS[1] / "csv").glob("*.csv"))[0]
    edited_csv.write_text(edited_csv.read_text(encoding="utf-8").replace("1", "7"), "utf-8")
    (root / "packages" / SEED_IDS[4] / "extra.csv").write_text("a,b\n", encoding="utf-8")
    page = root / "site-docs" / "disclosures" / f"{SEED_IDS[2]}.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nedited\n", encoding="utf-8")
    download = sorted((root / "site-docs" / "downloads" / SEED_IDS[3]).rglob("*.csv"))[0]
    download.unlink()  # a hard link to the package's file: replaced, not edited in place
    download.write_bytes(b"stale\n")

    result = build(sources, root / "packages", root / "site", jobs=1, mkdocs=False)
    assert result.reused == len(SEED_IDS) - 2, "the packages of 001 and 004 are rebuilt"
    assert_as_clean(tmp_path, root, sources)


def assert_as_clean(tmp_path: Path, root: Path, sources: Path) -> None:
    """``root`` holds the bytes a clean build of ``sources`` writes."""
    clean = tmp_path / "clean"
    build_into(clean, sources, jobs=1)
    fresh, after = snapshot(clean), snapshot(root)
    assert fresh.keys() == after.keys()
    assert sorted(p for p in fresh if fresh[p][0] != after[p][0]) == []


def test_an_output_edited_in_place_with_its_time_given_back_is_rebuilt(tmp_path: Path) -> None:
    """A rebuild reads only files whose stat signature changed (``builder.cache.HashMemo``);
    an output edited in place, same size, its modification time restored, is still seen
    (its change time moved): through the docs dir's hard link to a package file, and a
    page. The rebuild then writes what a clean build writes."""
    sources = copy_seeds(tmp_path / "sources")
    root = tmp_path / "out"
    build_into(root, sources, jobs=1)
    package_csv = sorted((root / "packages" / SEED_IDS[1] / "csv").glob("*.csv"))[0]
    docs_csv = root / "site-docs" / "downloads" / SEED_IDS[1] / "csv" / package_csv.name
    assert docs_csv.stat().st_ino == package_csv.stat().st_ino, "the docs file is a hard link"
    page = root / "site-docs" / "disclosures" / f"{SEED_IDS[2]}.md"
    for path in (docs_csv, page):
        data = path.read_bytes()
        digit = re.search(rb"[1-8]", data)
        assert digit is not None
        edit_keeping_signature_but_ctime(path, data[: digit.start()] + b"9" + data[digit.end() :])

    result = build(sources, root / "packages", root / "site", jobs=1, mkdocs=False)
    assert result.reused == len(SEED_IDS) - 1, "the package of 001 is rebuilt"
    assert_as_clean(tmp_path, root, sources)


def test_a_rebuild_reads_no_kept_output_and_no_unchanged_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file a rebuild hashes goes through ``builder.cache.read_digest``: after one
    source changed, the only source read is that one (and its record), and no kept
    disclosure's package, page, download or source copy is read (what is read was written
    by this build: the staged files, the portal package, the chart templates written
    again; the portal's bundles, whose unchanged entries the new ones copy)."""
    sources = copy_seeds(tmp_path / "sources")
    root = tmp_path / "out"
    build_into(root, sources, jobs=1)
    revise(sources / f"{TOUCHED}.txt")
    read: list[Path] = []
    digest = cache.read_digest

    def reading(handle: BufferedReader) -> tuple[str, cache.Signature | None]:
        read.append(Path(os.readlink(f"/proc/self/fd/{handle.fileno()}")))
        return digest(handle)

    monkeypatch.setattr(cache, "read_digest", reading)
    result = build(sources, root / "packages", root / "site", jobs=1, mkdocs=False)
    assert result.reused == len(SEED_IDS) - 1
    revised = {f"{TOUCHED}.txt", f"{TOUCHED}.meta.yaml"}  # its record's checksum too
    assert sorted(p.name for p in read if p.is_relative_to(sources)) == sorted(revised)
    kept = [i for i in SEED_IDS if i != TOUCHED]
    outputs = [p.relative_to(root).as_posix() for p in read if p.is_relative_to(root)]
    assert outputs, "the changed disclosure's files are read"
    assert [p for p in outputs if any(i in p for i in kept)] == []
    written_again = (
        f"packages/{TOUCHED}/",
        "packages/portal",
        "site-docs/.staging/",
        "site-docs/assets/charts/templates/",  # compared with the bytes written again
        "site-docs/downloads/portal",  # the portal's bundles: rewritten from the earlier ones
    )
    assert [p for p in outputs if not p.startswith(written_again)] == []


def test_a_file_the_build_did_not_write_is_not_published(tmp_path: Path) -> None:
    """A stray page dropped into the generated docs folder is deleted by the next build, so
    MkDocs never publishes it; the hand-written pages copied there stay."""
    sources = copy_seeds(tmp_path / "sources")
    root = tmp_path / "out"
    build_into(root, sources, jobs=1)
    before = snapshot(root)
    docs = root / "site-docs"
    strays = [docs / "stray.md", docs / "disclosures" / "extra.md", docs / "new" / "page.md"]
    for stray in strays:
        stray.parent.mkdir(exist_ok=True)
        stray.write_text("# not ours\n", encoding="utf-8")
    build_into(root, sources, jobs=1)
    assert [stray for stray in strays if stray.exists()] == []
    assert not (docs / "new").exists()
    assert (docs / "methodology.md").is_file(), "hand-written pages stay"
    after = snapshot(root)
    assert after.keys() == before.keys()
    assert sorted(p for p in after if after[p][0] != before[p][0]) == []
