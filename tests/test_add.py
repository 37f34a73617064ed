"""Adding a disclosure the way CONTRIBUTING.md says: `python -m builder add`, then build.

The new disclosure is seed 000 as another unit and another year. The build's provenance
rules (a record is optional, may hold only what the text cannot say, and must agree with the
text where it states a fact) and its progress display and summary are tested here too.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from builder.charts.files import read_values
from builder.cli import main
from builder.errors import DisclosureError
from builder.pipeline import BuildResult, add_disclosure, build, build_data
from builder.progress import Progress
from builder.sources.provenance import DEFAULT_LICENCE, file_sha256
from tests.conftest import SOURCES, run_builder

SEED_000 = "000_127416229ccdc025"
SEED_UNIT, NEW_UNIT = "山西省投资促进局", "山西省测试促进局"
NEW_FILE_NAME = f"{NEW_UNIT}2025年度单位决算公开.txt"  # as downloaded: not a safe id
SOURCE_URL = "https://example.org/2025/final.pdf"


def renamed_seed(folder: Path, name: str = NEW_FILE_NAME) -> Path:
    """Seed 000 as another unit (山西省测试促进局) and year (2025), outside the sources."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (SOURCES / f"{SEED_000}.txt").read_text(encoding="utf-8")
    path = folder / name
    path.write_text(text.replace(SEED_UNIT, NEW_UNIT).replace("2024", "2025"), encoding="utf-8")
    return path


def content_id(path: Path) -> str:
    """The id `add` gives a file whose name is not a safe id."""
    return f"2025-final-{file_sha256(path)[:10]}"


run = run_builder


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@dataclass(frozen=True)
class Added:
    """Seed 000 and the renamed copy added by `python -m builder add`, then built."""

    new: Path
    new_id: str
    sources: Path
    output: Path
    add: subprocess.CompletedProcess[str]
    build: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> Added:
    root = tmp_path_factory.mktemp("add")
    sources, output = root / "sources", root / "out"
    sources.mkdir()
    shutil.copy(SOURCES / f"{SEED_000}.txt", sources)
    shutil.copy(SOURCES / f"{SEED_000}.meta.yaml", sources)
    new = renamed_seed(root / "downloads")
    add = run("add", new, "--sources", sources, "--source-url", SOURCE_URL)
    build = run("build", "--sources", sources, "--output", output)
    return Added(new, content_id(new), sources, output, add, build)


def test_add_shows_what_it_found_and_what_to_do_next(added: Added) -> None:
    assert added.add.returncode == 0, added.add.stderr
    out, sources, new_id = added.add.stdout, added.sources, added.new_id
    assert f"added {added.new} as {sources / new_id}.txt" in out
    assert f"unit:   {NEW_UNIT}" in out, "the parse summary, as `python -m builder parse` prints it"
    assert "year:   2025" in out
    # seed 000's findings: three shares "占比0%" of its narrative; two empty tables and the
    # list of the narrative's unchecked numbers (info)
    assert f"{new_id}  {NEW_UNIT}  2025  final\n  6 findings (3 error, 0 warning, 3 info)" in out
    assert "completeness/empty-table" in out, "the findings, as `python -m builder audit` prints"
    assert f"python -m builder build --sources {sources}" in out
    assert f"git add {sources / new_id}.txt {sources / new_id}.meta.yaml" in out


def test_add_copies_the_text_and_writes_its_record(added: Added) -> None:
    copied = added.sources / f"{added.new_id}.txt"
    assert copied.read_bytes() == added.new.read_bytes()
    record = yaml.safe_load(copied.with_suffix(".meta.yaml").read_text(encoding="utf-8"))
    assert record == {"sha256": file_sha256(added.new), "source_url": SOURCE_URL, "published": None}


def test_the_build_is_quiet_and_ends_with_a_summary(added: Added) -> None:
    assert added.build.returncode == 0, added.build.stderr
    assert added.build.stderr == "", "no progress display when stderr is not a terminal"
    summary = added.build.stdout
    assert "(2 disclosures and the portal-wide package" in summary
    assert "audit findings: 6 error, 0 warning, 6 info" in summary
    assert "parse warnings: 0" in summary
    stages = summary.split("time per stage: ")[1].split("\n")[0]
    for stage in ("disclosures", "portal package", "pages+charts", "portal pages", "mkdocs"):
        assert f"{stage} " in stages
    steps = summary.split("CPU per step (")[1]
    for step in ("parse", "audit", "packages", "pages+charts"):
        assert f"{step} " in steps


def test_the_added_disclosure_has_its_pages(added: Added) -> None:
    site = added.output / "site"
    page = (site / "disclosures" / added.new_id / "index.html").read_text(encoding="utf-8")
    assert NEW_UNIT in page
    assert "2025年度" in page
    assert SOURCE_URL in page
    unit_pages = [
        path
        for path in (site / "units").glob("*/index.html")
        if NEW_UNIT in path.read_text(encoding="utf-8")
    ]
    assert len(unit_pages) == 1, "one unit page for the new unit"
    assert added.new_id in unit_pages[0].read_text(encoding="utf-8")
    home = (site / "index.html").read_text(encoding="utf-8")
    assert NEW_UNIT in home


def test_the_added_disclosure_has_its_packages(added: Added) -> None:
    package = added.output / "packages" / added.new_id
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["x-disclosure"]["unit_name"] == NEW_UNIT
    assert descriptor["x-disclosure"]["year"] == 2025
    assert descriptor["x-disclosure"]["source_url"] == SOURCE_URL
    assert NEW_UNIT in (package / "README.md").read_text(encoding="utf-8")
    assert (package / "csv" / "income_by_function.csv").is_file()
    assert (package / "parquet" / "income_by_function.parquet").is_file()
    assert (package / f"{added.new_id}.xlsx").is_file()
    portal = added.output / "packages" / "portal" / "csv"
    listed = (portal / "disclosures.csv").read_text(encoding="utf-8")
    assert f"{added.new_id}," in listed
    assert NEW_UNIT in listed
    assert f"\n{added.new_id}," in (portal / "income_by_function.csv").read_text(encoding="utf-8")
    downloads = added.output / "site" / "downloads" / added.new_id
    assert (downloads / "datapackage.json").is_file()
    assert (downloads / "csv" / "income_by_function.csv").is_file()
    assert (downloads / f"{added.new_id}.xlsx").is_file()


def test_the_added_disclosure_has_its_charts(added: Added) -> None:
    charts = sorted(
        (added.output / "site" / "assets" / "charts").glob(f"{added.new_id}-*.values.json.gz")
    )
    assert len(charts) >= 5
    for chart in charts:
        assert NEW_UNIT in json.dumps(read_values(chart), ensure_ascii=False), chart.name


def test_a_safe_file_name_is_the_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sources = tmp_path / "sources"
    new = renamed_seed(tmp_path, "sx-test-2025-final.txt")
    assert main(["add", str(new), "--sources", str(sources), "--published", "2025-06-30"]) == 0
    assert sorted(snapshot(sources)) == ["sx-test-2025-final.meta.yaml", "sx-test-2025-final.txt"]
    record = yaml.safe_load((sources / "sx-test-2025-final.meta.yaml").read_text("utf-8"))
    assert record["published"] == "2025-06-30"
    assert "python -m builder build --sources" in capsys.readouterr().out


def test_not_a_disclosure_is_refused_with_nothing_copied(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("会议纪要\n今天讨论了三件事。\n", encoding="utf-8")
    result = run("add", notes, "--sources", tmp_path / "sources")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {notes}:1: not a disclosure")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "sources").exists()


def test_an_id_taken_by_another_text_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = tmp_path / "sources"
    new = renamed_seed(tmp_path)
    assert main(["add", str(new), "--sources", str(sources), "--id", "sx-2025"]) == 0
    before = snapshot(sources)
    assert (
        main(
            ["add", str(SOURCES / f"{SEED_000}.txt"), "--sources", str(sources), "--id", "sx-2025"]
        )
        == 1
    )
    assert "sx-2025.txt already exists with different content" in capsys.readouterr().err
    assert snapshot(sources) == before


def test_adding_the_same_text_again_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = tmp_path / "sources"
    new = renamed_seed(tmp_path)
    assert main(["add", str(new), "--sources", str(sources), "--source-url", SOURCE_URL]) == 0
    before = snapshot(sources)
    capsys.readouterr()
    assert main(["add", str(new), "--sources", str(sources)]) == 0
    assert capsys.readouterr().out.startswith("already added:")
    assert snapshot(sources) == before

    other_url = "https://example.org/elsewhere.pdf"
    assert main(["add", str(new), "--sources", str(sources), "--source-url", other_url]) == 1
    assert f"already added, with source_url: {SOURCE_URL}" in capsys.readouterr().err
    assert main(["add", str(new), "--sources", str(sources), "--id", "another-id"]) == 1
    assert "the same text is already in the sources" in capsys.readouterr().err
    assert snapshot(sources) == before


@pytest.mark.parametrize(
    "argument",
    [
        ["--id", "Has Spaces"],
        ["--id", "portal"],
        ["--published", "30/06/2025"],
        ["--source-url", "example.org"],
        ["--id", "con"],
        ["--id", "nul"],
        ["--id", "lpt1"],
        ["--published", "2025W011"],
        ["--published", "2025-01-01 10:00:00"],
        ["--published", "2025-02-30"],
        ["--source-url", "http://"],
        ["--source-url", "https://example.org/a\nb"],
        ["--source-url", "https://example.org/<img src=x>"],
        ["--source-url", 'https://example.org/"x'],
    ],
)
def test_wrong_usage_exits_2(tmp_path: Path, argument: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["add", str(renamed_seed(tmp_path)), "--sources", str(tmp_path / "s"), *argument])
    assert exit_.value.code == 2
    assert not (tmp_path / "s").exists()


def test_add_says_why_an_option_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["add", "x.txt", "--published", "2025W011"])
    assert "argument --published: '2025W011' is not a date such as 2025-03-01 (YYYY-MM-DD)" in (
        capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        main(["add", "x.txt", "--source-url", "http://"])
    assert "argument --source-url: 'http://' is not a web address: it names no host" in (
        capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        main(["add", "x.txt", "--id", "con"])
    assert "argument --id: 'con' is not a disclosure id: ids are lower-case" in (
        capsys.readouterr().err
    )


def test_a_file_named_like_a_windows_device_gets_a_content_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sources = tmp_path / "sources"
    new = renamed_seed(tmp_path / "downloads", "nul.txt")
    assert main(["add", str(new), "--sources", str(sources)]) == 0
    capsys.readouterr()
    assert sorted(snapshot(sources)) == [f"{content_id(new)}.meta.yaml", f"{content_id(new)}.txt"]


def test_sources_that_is_a_file_is_refused(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "passwd"
    not_a_folder.write_text("root:x:0:0:root:/root:/bin/sh\n", encoding="utf-8")
    result = run("add", renamed_seed(tmp_path / "downloads"), "--sources", not_a_folder)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {not_a_folder}: not a folder: --sources must be the folder of disclosure "
        "texts (give a folder, such as the default datasets/sources)\n"
    )
    assert not_a_folder.read_text(encoding="utf-8") == "root:x:0:0:root:/root:/bin/sh\n"


class AuditCrashError(Exception):
    """Stands for any failure after the text is placed (an audit bug, an interrupt)."""


def crash(*_: object) -> None:
    raise AuditCrashError


@pytest.mark.parametrize("text_already_there", [False, True], ids=["added", "record-written"])
def test_an_add_that_fails_after_placing_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text_already_there: bool
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    new = renamed_seed(tmp_path / "downloads", "sx-test-2025-final.txt")
    if text_already_there:
        shutil.copy(new, sources)
    before = sorted(path.name for path in sources.iterdir())
    monkeypatch.setattr("builder.pipeline.add.audit_report", crash)
    with pytest.raises(AuditCrashError):
        add_disclosure(new, sources, None, {"published": "2025-06-30"})
    assert sorted(path.name for path in sources.iterdir()) == before


# --------------------------------------------------------------------- the build's records


def dropped_in(tmp_path: Path, record: dict[str, object] | None = None) -> Path:
    """The other documented path: the text dropped into a sources folder, a record optional."""
    sources = tmp_path / "sources"
    new = renamed_seed(sources, "sx-test-2025-final.txt")
    if record is not None:
        (sources / "sx-test-2025-final.meta.yaml").write_text(
            yaml.safe_dump(record, allow_unicode=True), encoding="utf-8"
        )
    return new


def built_provenance(tmp_path: Path) -> dict[str, object]:
    build_data(tmp_path / "sources", tmp_path / "packages")
    path = tmp_path / "packages" / "sx-test-2025-final" / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    provenance: dict[str, object] = descriptor["x-disclosure"]
    provenance["licence"] = descriptor["licenses"][0]["title"]
    return provenance


def test_a_text_without_a_record_builds(tmp_path: Path) -> None:
    new = dropped_in(tmp_path)
    provenance = built_provenance(tmp_path)
    assert provenance["disclosure_id"] == "sx-test-2025-final"
    assert provenance["unit_name"] == NEW_UNIT
    assert (provenance["year"], provenance["kind"], provenance["scope"]) == (2025, "final", "单位")
    assert provenance["source_sha256"] == file_sha256(new)
    assert provenance["licence"] == DEFAULT_LICENCE
    assert provenance["source_url"] is None
    assert provenance["published"] is None


def test_a_record_of_optional_fields_only_builds(tmp_path: Path) -> None:
    dropped_in(
        tmp_path,
        {"source_url": SOURCE_URL, "published": "2025-06-30", "licence": "CC BY 4.0"},
    )
    provenance = built_provenance(tmp_path)
    assert provenance["unit_name"] == NEW_UNIT
    assert provenance["source_url"] == SOURCE_URL
    assert provenance["published"] == "2025-06-30"
    assert provenance["licence"] == "CC BY 4.0"


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (
            {"unit": SEED_UNIT},
            f"the unit name in the text {NEW_UNIT} differs from {SEED_UNIT} in "
            "sx-test-2025-final.meta.yaml",
        ),
        ({"year": 2024}, "the year on the cover 2025 differs from 2024 in sx-test-2025-final"),
        ({"sha256": "0" * 64}, "the file's sha256 [0-9a-f]{64} differs from 0000"),
        ({"kind": "budget"}, "the kind on the cover final differs from budget"),
        ({"id": "something-else"}, "the file stem sx-test-2025-final differs from something-else"),
        ({"sourceurl": SOURCE_URL}, "unknown keys: sourceurl; a record may hold id, "),
        ({"published": "June 2025"}, "published 'June 2025' is not a date such as 2025-03-01"),
        ({"source_url": "example.org/x.pdf"}, "is not a web address"),
    ],
    ids=["unit", "year", "sha256", "kind", "id", "unknown-key", "date", "url"],
)
def test_a_record_that_contradicts_the_text_is_refused(
    tmp_path: Path, record: dict[str, object], message: str
) -> None:
    dropped_in(tmp_path, record)
    with pytest.raises(DisclosureError, match=message) as error:
        build_data(tmp_path / "sources", tmp_path / "packages", strict=True)
    assert "sx-test-2025-final" in str(error.value.path), "the error names the file"
    assert not (tmp_path / "packages").exists()


def test_a_file_name_that_is_not_a_safe_id_is_refused(tmp_path: Path) -> None:
    renamed_seed(tmp_path / "sources")
    with pytest.raises(DisclosureError, match="cannot be a disclosure id") as error:
        build_data(tmp_path / "sources", tmp_path / "packages", strict=True)
    assert "python -m builder add" in error.value.hint


def test_the_same_text_twice_is_refused(tmp_path: Path) -> None:
    new = dropped_in(tmp_path)
    shutil.copy(new, new.with_name("sx-copy.txt"))
    with pytest.raises(DisclosureError, match=r"the same text as sx-copy\.txt"):
        build_data(tmp_path / "sources", tmp_path / "packages", strict=True)


# --------------------------------------------------------------------- progress and summary


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_is_shown_per_stage_and_disclosure_on_a_terminal(tmp_path: Path) -> None:
    dropped_in(tmp_path)
    shutil.copy(SOURCES / f"{SEED_000}.txt", tmp_path / "sources")
    terminal = Terminal()
    result = build(tmp_path / "sources", tmp_path / "packages", None, Progress(terminal))
    shown = terminal.getvalue()
    assert f"[fingerprint 1/2] {SEED_000}" in shown
    assert "[disclosures 2/2] sx-test-2025-final" in shown
    assert "[portal package 1/1] portal" in shown
    finished = [line.rsplit("\r\x1b[K", 1)[-1] for line in shown.split("\n") if line]
    assert [line.split("]")[0] for line in finished] == [
        "[fingerprint 2/2",
        "[kept packages",
        "[disclosures 2/2",
        "[portal package 1/1",
        "[hash memo",
    ]
    assert list(result.stages) == [
        "fingerprint",
        "kept packages",
        "disclosures",
        "portal package",
        "hash memo",
    ]
    assert set(result.cpu) == {"parse", "audit", "packages", "cache"}

    again = Terminal()
    build(tmp_path / "sources", tmp_path / "packages", None, Progress(again))
    assert "[disclosures 2/2] sx-test-2025-final (unchanged)" in again.getvalue()


def test_progress_is_silent_elsewhere() -> None:
    stream = io.StringIO()
    progress = Progress(stream)
    with progress.stage("parse", 2) as stage:
        stage.step("one")
        stage.step("two")
    assert stream.getvalue() == ""
    assert set(progress.seconds) == {"parse"}


def test_the_summary_counts_findings_and_parse_warnings(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    for stem in (SEED_000, "004_c9b7d00ba9827a50"):
        shutil.copy(SOURCES / f"{stem}.txt", sources)
    summary = build_data(sources, tmp_path / "packages").describe()
    assert "wrote 3 data packages (2 disclosures and the portal-wide package" in summary
    assert "audit findings: 5 error, 2 warning, 6 info" in summary
    assert "parse warnings: 2 (004_c9b7d00ba9827a50: 2; python -m builder parse FILE" in summary
    assert "time per stage: fingerprint " in summary
    assert "CPU per step (" in summary


def test_the_summary_names_at_most_twenty_disclosures_with_parse_warnings() -> None:
    """At 1,000 disclosures the summary listed all 600 with a warning on one line."""
    warnings = {f"d{n:03d}": 1 for n in range(25)}
    result = BuildResult(Path("out"), 25, 26, 100, 1.0, parse_warnings=warnings)
    line = next(x for x in result.describe().splitlines() if x.startswith("parse warnings"))
    assert line.startswith("parse warnings: 25 (d000: 1; d001: 1;")
    assert "d019: 1; … and 5 more disclosures; python -m builder parse FILE" in line
    assert "d020" not in line
