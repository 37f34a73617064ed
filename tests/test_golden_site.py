"""Golden files of the site's artifacts, beside the tables: each seed's page Markdown
(``tests/cases/<id>/expected/pages/disclosure.md``), the parts it loads when they are
opened (``expected/pages/parts/``: its data tables, chart data, files, self-assessments)
and its charts (Vega-Lite spec and data, ``expected/charts/``), written by a build of the
five seeds (no MkDocs). A chart that is no
longer drawn leaves an orphan golden file, which fails the test.

``python -m pytest --update-golden`` rewrites them; review the diff. Sizes and sha256 of the
download files are masked on the page, in its tables and its JSON-LD (the Parquet and xlsx
bytes depend on library versions; the package goldens and ``python -m builder validate``
check those files). Chart specs are stored indented for review; their bytes are checked for
determinism across processes below.

Then: no golden file anywhere under tests/cases is outside the places these tests write.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.pipeline import build, docs_dir_for
from tests.chart_parts import page_charts
from tests.conftest import CASES, ROOT, SEED_IDS, SEEDS, SHANGHAI_IDS, copy_seeds, page_parts

SITE_URL = "http://127.0.0.1:8765/"
MASK = "(masked)"
DOWNLOAD_CELLS = re.compile(
    r'<td class="num">[^<]*</td><td><code class="sha256">[0-9a-f]{64}</code>'
)
CONTENT_SIZE = re.compile(r'"contentSize": "[^"]*"')  # in the page's JSON-LD
CHARTS = "assets/charts"


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("golden-site")
    previous = os.environ.get("SITE_URL")
    os.environ["SITE_URL"] = SITE_URL
    try:
        build(copy_seeds(base / "sources"), base / "packages", base / "site", mkdocs=False)
    finally:
        if previous is None:
            os.environ.pop("SITE_URL")
        else:
            os.environ["SITE_URL"] = previous
    return docs_dir_for(base / "site")


def masked_page(text: str) -> str:
    text = CONTENT_SIZE.sub(f'"contentSize": "{MASK}"', text)
    return DOWNLOAD_CELLS.sub(
        f'<td class="num">{MASK}</td><td><code class="sha256">{MASK}</code>', text
    )


def chart_files(docs: Path, seed_id: str) -> dict[str, str]:
    """The seed's charts: each spec as the browser puts it together from the template and
    the values the page names (indented, keys sorted), and the data as written."""
    page = docs / "disclosures" / f"{seed_id}.md"
    files = {
        f"{name.removeprefix(f'{seed_id}-')}.vl.json": json.dumps(
            spec, ensure_ascii=False, indent=1, sort_keys=True
        )
        + "\n"
        for name, spec in page_charts(docs, page).items()
    }
    for path in sorted((docs / CHARTS).glob(f"{seed_id}-*.csv")):
        files[path.name.removeprefix(f"{seed_id}-")] = path.read_text(encoding="utf-8-sig")
    return files


@pytest.mark.parametrize("seed_id", SEED_IDS)
def test_page_and_charts_match_golden(
    seed_id: str,
    docs: Path,
    golden: Callable[[Path, str], None],
    golden_folder: Callable[[Path, dict[str, str]], None],
) -> None:
    expected = CASES / seed_id / "expected"
    page = (docs / "disclosures" / f"{seed_id}.md").read_text(encoding="utf-8")
    assert DOWNLOAD_CELLS.search(page), "the page lists its downloads with sizes and sha256"
    golden(expected / "pages" / "disclosure.md", masked_page(page))
    parts = page_parts(docs / "disclosures" / f"{seed_id}.md")
    assert any(name.startswith("chart-") for name in parts), "chart data is loaded on opening"
    golden_folder(expected / "pages" / "parts", {k: masked_page(v) for k, v in parts.items()})
    charts = chart_files(docs, seed_id)
    assert any(name.endswith(".vl.json") for name in charts), "every seed has charts"
    golden_folder(expected / "charts", charts)


# --------------------------------------------------------------------------- determinism

SPECS_SCRIPT = """
import sys
from pathlib import Path
from builder.charts import disclosure_charts
from builder.parse import parse_file
for name in sys.argv[1:]:
    path = Path(name)
    for chart in disclosure_charts(path.stem, parse_file(path)):
        sys.stdout.write(chart.chart_id + "\\t" + chart.spec_json() + "\\n")
"""


def chart_specs_with_hash_seed(seed: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", SPECS_SCRIPT, *map(str, SEEDS)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": seed},
        check=True,
    )
    return result.stdout


def test_chart_specs_are_the_same_bytes_whatever_the_hash_seed() -> None:
    """Set and dict orders that depend on string hashing must not reach a spec."""
    outputs = {seed: chart_specs_with_hash_seed(seed) for seed in ("0", "1", "4242")}
    assert outputs["0"].count("\n") >= 5 * 4
    assert outputs["1"] == outputs["0"]
    assert outputs["4242"] == outputs["0"]


# --------------------------------------------------------------------------- orphans

# Where the golden tests write, per case folder (test_parse_seeds, test_parse_shanghai,
# test_audit_seeds, test_publish, this module); folders are compared whole by the tests
# that own them (tables/, charts/).
SEED_FILES = {"parse.json", "audit.json", "package/datapackage.json", "package/README.md"}
SEED_FOLDERS = ("tables/", "charts/", "pages/parts/")
SEED_PAGES = {"pages/disclosure.md"}
SHANGHAI_FILES = {"extracted.txt", "parse.json", "audit.json"}
PORTAL_FILES = {
    "package/datapackage.json",
    "package/README.md",
    "package/csv/units.csv",
    "package/csv/disclosures.csv",
    "package/csv/tables.csv",
}


def test_no_golden_file_is_an_orphan() -> None:
    """Every folder under tests/cases is a seed, a Shanghai document or the portal, and every
    file in it is one a golden test writes."""
    allowed: dict[str, tuple[set[str], tuple[str, ...]]] = {
        **dict.fromkeys(SEED_IDS, (SEED_FILES | SEED_PAGES, SEED_FOLDERS)),
        **dict.fromkeys(SHANGHAI_IDS, (SHANGHAI_FILES, ("tables/",))),
        "portal": (PORTAL_FILES, ()),
    }
    assert {p.name for p in CASES.iterdir() if p.is_dir()} == set(allowed)
    orphans = []
    for case, (files, folders) in allowed.items():
        expected = CASES / case / "expected"
        for path in expected.rglob("*"):
            if not path.is_file():
                continue
            name = path.relative_to(expected).as_posix()
            in_folder = any(name.startswith(f) and "/" not in name[len(f) :] for f in folders)
            if name not in files and not in_folder:
                orphans.append(f"{case}/{name}")
        missing = [name for name in files if not (expected / name).is_file()]
        assert missing == [], f"{case}: golden files missing: {missing}"
    assert orphans == [], f"golden files no test writes: {orphans}"
