"""The incremental MkDocs run (``builder.siterun.mkdocs_run``): after a disclosure is
changed, removed or added, the site is byte for byte the site a clean run writes (and the
one ``mkdocs build --strict`` writes), while the pages that did not change were not
rendered again but kept from the previous site."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.corpus import revise
from builder.errors import DisclosureError
from builder.pages.catalog import unit_id
from builder.parse import parse_file
from builder.pipeline import build
from builder.pipeline.site import mkdocs_config, run_mkdocs
from tests.conftest import ROOT, SEED_IDS, SOURCES, copy_seeds

SITE_URL = "http://127.0.0.1:8765/"
CHANGED = SEED_IDS[0]
SAME_UNIT = SEED_IDS[2]  # the other disclosure of CHANGED's unit
ADDED = SEED_IDS[4]


@pytest.fixture(autouse=True)
def site_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE_URL", SITE_URL)


def tree(site: Path) -> dict[str, str]:
    """Every file of a site: its path and sha256."""
    return {
        path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def clean_run(root: Path, scratch: Path) -> dict[str, str]:
    """The site of a clean MkDocs run (no state, no previous site) of ``root``'s docs."""
    shutil.rmtree(scratch, ignore_errors=True)
    done = run_mkdocs(root / "site-docs", scratch / "site", SITE_URL, scratch / "state")
    assert done.kept == 0
    return tree(scratch / "site")


def markdown(docs: Path) -> dict[str, str]:
    """Every Markdown page of a docs dir and its text."""
    return {p.relative_to(docs).as_posix(): p.read_text("utf-8") for p in docs.rglob("*.md")}


def rebuild(sources: Path, root: Path) -> tuple[int, int, set[str]]:
    """Build again: the pages MkDocs rendered and kept, and the pages whose Markdown is new
    or changed since the last build."""
    before = markdown(root / "site-docs")
    result = build(sources, root / "packages", root / "site", jobs=2)
    assert result.site_pages is not None
    changed = {
        path for path, text in markdown(root / "site-docs").items() if before.get(path) != text
    }
    return (*result.site_pages, changed)


def page(root: Path, disclosure: str) -> Path:
    return root / "site" / "disclosures" / disclosure / "index.html"


def test_an_incremental_site_is_a_clean_one_after_a_change_a_removal_and_an_addition(
    tmp_path: Path,
) -> None:
    sources = copy_seeds(tmp_path / "sources", [SOURCES / f"{seed}.txt" for seed in SEED_IDS[:4]])
    root = tmp_path / "out"
    first = build(sources, root / "packages", root / "site", jobs=2)
    assert first.site_pages is not None
    total = sum(first.site_pages)
    assert first.site_pages == (total, 0), "the first run renders every page"
    assert total == len(markdown(root / "site-docs"))

    # A corrected publication: the pages whose Markdown changed are rendered, no other.
    kept_page = page(root, SAME_UNIT).stat()
    changed_page = page(root, CHANGED).stat()
    revise(sources / f"{CHANGED}.txt")
    rendered, kept, changed = rebuild(sources, root)
    markdown_before = markdown(root / "site-docs")
    assert f"disclosures/{CHANGED}.md" in changed
    assert f"disclosures/{SAME_UNIT}.md" not in changed
    assert (rendered, kept) == (len(changed), total - len(changed))
    assert kept >= 3 + 2, "the three other disclosures' pages and the two other units' pages"
    assert page(root, SAME_UNIT).stat().st_ino == kept_page.st_ino, "kept: the same file"
    assert page(root, CHANGED).stat().st_ino != changed_page.st_ino, "rendered again"
    assert tree(root / "site") == clean_run(root, tmp_path / "clean-1")

    # A removed disclosure: its pages leave the site; the pages linking to it changed. It is
    # the only final account of 2023, so that year's comparison page leaves too.
    gone = SEED_IDS[3]
    gone_unit = unit_id(parse_file(sources / f"{gone}.txt")["document"]["unit_name"])
    (sources / f"{gone}.txt").unlink()
    (sources / f"{gone}.meta.yaml").unlink()
    rendered, kept, changed = rebuild(sources, root)
    left = {f"disclosures/{gone}.md", f"units/{gone_unit}.md", "compare/2023.md"}
    assert set(markdown(root / "site-docs")) == set(markdown_before) - left
    assert (rendered, kept) == (len(changed), total - len(left) - len(changed))
    assert not page(root, gone).parent.exists()
    assert tree(root / "site") == clean_run(root, tmp_path / "clean-2")

    # An added disclosure (a 2024 final account): its pages join the site, the others are
    # kept.
    copy_seeds(sources, [SOURCES / f"{ADDED}.txt"])
    rendered, kept, changed = rebuild(sources, root)
    assert f"disclosures/{ADDED}.md" in changed
    assert (rendered, kept) == (len(changed), total - 1 - len(changed))
    assert kept >= 2 + 2
    assert page(root, ADDED).is_file()
    assert tree(root / "site") == clean_run(root, tmp_path / "clean-3")


def test_a_full_run_writes_what_mkdocs_build_writes(tmp_path: Path) -> None:
    """The runner is MkDocs' own build, page for page: the same files, the same bytes."""
    sources = copy_seeds(tmp_path / "sources", [SOURCES / f"{SEED_IDS[1]}.txt"])
    root = tmp_path / "out"
    build(sources, root / "packages", root / "site", jobs=1)
    config = tmp_path / "mkdocs.yml"
    config.write_text(mkdocs_config(root / "site-docs", tmp_path / "mkdocs-site"), "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    mkdocs_site = tree(tmp_path / "mkdocs-site")
    assert len(mkdocs_site) > 100
    assert tree(root / "site") == mkdocs_site


def test_another_site_address_renders_every_page_and_a_failure_keeps_the_site(
    tmp_path: Path,
) -> None:
    """A change of what every page depends on (here the site's address) renders them all;
    a run that fails (a broken link, strict) leaves the previous site and its state."""
    sources = copy_seeds(tmp_path / "sources", [SOURCES / f"{SEED_IDS[1]}.txt"])
    root = tmp_path / "out"
    build(sources, root / "packages", root / "site", jobs=1, mkdocs=False)
    docs, site, state = root / "site-docs", root / "site", tmp_path / "state"
    first = run_mkdocs(docs, site, SITE_URL, state)
    assert first.kept == 0
    same = run_mkdocs(docs, site, SITE_URL, state)
    assert (same.rendered, same.kept) == (0, first.rendered), "nothing changed"
    # A page edited in the published site is rendered again; another file with the bytes
    # that were written is kept (its stat signature differs, its sha256 does not).
    home = site / "index.html"
    written = home.read_bytes()
    home.write_bytes(written.replace(b"</body>", b"<!-- edited --></body>"))
    edited = run_mkdocs(docs, site, SITE_URL, state)
    assert (edited.rendered, edited.kept) == (1, first.rendered - 1)
    assert home.read_bytes() == written
    shutil.copyfile(home, site / "copy.html")
    (site / "copy.html").replace(home)
    copied = run_mkdocs(docs, site, SITE_URL, state)
    assert (copied.rendered, copied.kept) == (0, first.rendered)
    moved = run_mkdocs(docs, site, "http://127.0.0.1:9000/portal/", state)
    assert (moved.rendered, moved.kept) == (first.rendered, 0)
    assert "http://127.0.0.1:9000/portal/" in (site / "index.html").read_text("utf-8")

    before = tree(site)
    broken = docs / "units" / "broken.md"
    broken.write_text("# 断开的链接\n\n[不存在](../disclosures/nothing.md)\n", "utf-8")
    with pytest.raises(DisclosureError, match=r"nothing\.md"):
        run_mkdocs(docs, site, "http://127.0.0.1:9000/portal/", state)
    assert tree(site) == before, "the previous site is left as it was"
    assert not (root / ".site.building").exists()
    broken.unlink()
    after = run_mkdocs(docs, site, "http://127.0.0.1:9000/portal/", state)
    assert after.rendered == 0
    assert tree(site) == before


def test_pages_rendered_by_two_workers_are_the_bytes_one_process_writes(tmp_path: Path) -> None:
    """Two worker processes write the same site as one (pages, sitemap, search index), and a
    strict warning in a page a worker rendered fails the run with the same messages."""
    sources = copy_seeds(tmp_path / "sources", [SOURCES / f"{seed}.txt" for seed in SEED_IDS[:2]])
    root = tmp_path / "out"
    build(sources, root / "packages", root / "site", jobs=1, mkdocs=False)
    docs = root / "site-docs"
    one = run_mkdocs(docs, tmp_path / "one" / "site", SITE_URL, tmp_path / "one" / "state", 1)
    two = run_mkdocs(docs, tmp_path / "two" / "site", SITE_URL, tmp_path / "two" / "state", 2)
    assert (one.rendered, one.kept) == (two.rendered, two.kept) == (one.rendered, 0)
    assert one.rendered > 10
    written = tree(tmp_path / "one" / "site")
    assert any(path.startswith("search/pages/") for path in written)
    assert tree(tmp_path / "two" / "site") == written

    # Two broken pages far apart in page order (they fall to different workers), each
    # warned of, in the order one process warns: the run fails, the site is left as it was.
    for name in ("units/a-broken.md", "units/z-broken.md"):
        (docs / name).write_text(f"# 断开\n\n[不存在](../disclosures/{name[6]}.md)\n", "utf-8")
    failures = []
    for jobs in (1, 2):
        with pytest.raises(DisclosureError) as failed:
            run_mkdocs(docs, tmp_path / "two" / "site", SITE_URL, tmp_path / "two" / "state", jobs)
        failures.append(str(failed.value))
    assert failures[0] == failures[1]
    assert failures[0].index("a.md") < failures[0].index("z.md")
    assert "Aborted with 2 warnings in strict mode!" in failures[0]
    assert tree(tmp_path / "two" / "site") == written

    # An error raised while a worker renders a page (here: its template is missing) fails
    # the run as in one process, with the error.
    (docs / "units" / "a-broken.md").write_text("---\ntemplate: missing.html\n---\n# 无\n", "utf-8")
    (docs / "units" / "z-broken.md").write_text("# 有模板\n", "utf-8")
    errors = []
    for jobs in (1, 2):
        with pytest.raises(DisclosureError) as failed:
            run_mkdocs(docs, tmp_path / "two" / "site", SITE_URL, tmp_path / "two" / "state", jobs)
        errors.append([line for line in str(failed.value).splitlines() if "missing.html" in line])
    assert errors[0][-1] == errors[1][-1]
    assert errors[0][-1].startswith("jinja2.exceptions.TemplateNotFound: ")
    assert tree(tmp_path / "two" / "site") == written
