"""The data build end to end: reproducible, all-or-nothing, clear about bad inputs."""

from __future__ import annotations

import hashlib
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from builder.cli import PARTIAL_BUILD, main
from builder.errors import DisclosureError
from builder.parse import parse_file
from builder.pipeline import build_data, steps
from builder.pipeline.steps import Sharing
from builder.publish.resources import PackagePlan
from tests.conftest import SOURCES, copy_seeds, run_builder
from tests.test_publish import SEED_000, SEED_002, built_packages


def checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def copy_sources(target: Path, *stems: str) -> Path:
    target.mkdir()
    for stem in stems:
        for suffix in (".txt", ".meta.yaml"):
            shutil.copy(SOURCES / f"{stem}{suffix}", target / f"{stem}{suffix}")
    return target


def test_two_builds_give_identical_files(tmp_path: Path) -> None:
    output = tmp_path / "packages"
    output.mkdir()
    (output / "stale.csv").write_text("left over from an old build\n", encoding="utf-8")
    build_data(copy_seeds(tmp_path / "sources"), output)
    first, second = checksums(built_packages()), checksums(output)
    assert first == second, sorted(
        k for k in first.keys() | second.keys() if first.get(k) != second.get(k)
    )
    assert len(first) > 200
    assert "stale.csv" not in second, "what no disclosure wrote is removed"


def test_a_failed_build_leaves_the_previous_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Packages are written to a staging folder and moved in only when all are written."""
    output = tmp_path / "packages"
    shutil.copytree(built_packages(), output)
    before = checksums(output)
    written: list[str] = []
    real = steps.write_package

    def fail_on_second(plan: PackagePlan, root: Path) -> None:
        if written:
            raise OSError("disk full")
        written.append(plan.name)
        real(plan, root)

    monkeypatch.setattr(steps, "write_package", fail_on_second)
    sources = copy_seeds(tmp_path / "sources")
    with pytest.raises(OSError, match="disk full"):
        build_data(sources, output, jobs=1)
    assert checksums(output) == before
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".build-cache", ".build.lock", "packages", "sources"], "no staging folder left"


def test_a_disclosure_without_provenance_gets_the_same_package(tmp_path: Path) -> None:
    """The bundled record of seed 000 states only what its text says and the defaults, so
    without it the derived record publishes byte-identical files."""
    sources = copy_sources(tmp_path / "sources", SEED_000)
    (sources / f"{SEED_000}.meta.yaml").unlink()
    build_data(sources, tmp_path / "packages")
    with_record = checksums(built_packages() / SEED_000)
    assert checksums(tmp_path / "packages" / SEED_000) == with_record


def test_a_file_that_differs_from_its_provenance_is_refused(tmp_path: Path) -> None:
    sources = copy_sources(tmp_path / "sources", SEED_000)
    text = sources / f"{SEED_000}.txt"
    text.write_bytes(text.read_bytes() + b"\n")
    with pytest.raises(DisclosureError, match=r"the file's sha256 \w+ differs from 33f1803c"):
        build_data(sources, tmp_path / "packages", strict=True)
    assert not (tmp_path / "packages").exists()


def test_amounts_in_yuan_are_converted_exactly_to_10k_yuan(tmp_path: Path) -> None:
    """A table printed in 元 is published in 万元, divided by 10,000 with no rounding; the
    printed unit stays in the parse and every printed number is still accounted for."""
    text = (SOURCES / f"{SEED_000}.txt").read_text(encoding="utf-8")
    path = tmp_path / "yuan.txt"
    path.write_text(text.replace("金额单位：万元", "金额单位：元", 2), encoding="utf-8")
    parsed = parse_file(path)
    tables = {t["number"]: t for t in parsed["tables"]}
    first, second, third = tables["01"], tables["02"], tables["03"]
    assert (first["printed_money_unit"], first["money_unit"]) == ("元", "万元")
    assert (second["printed_money_unit"], second["money_unit"]) == ("元", "万元")
    assert third["printed_money_unit"] == "万元"
    total = next(r for r in second["rows"] if r["level"] == "合计")
    assert total["total_income_10k_yuan"] == Decimal("0.638269")  # printed 6382.69 (元)
    assert parsed["report"]["coverage"]["unparsed"] == 0
    assert parsed["document"]["printed_money_units"] == ["万元", "元"]


def test_a_record_may_not_relabel_the_money_unit(tmp_path: Path) -> None:
    sources = copy_sources(tmp_path / "sources", SEED_000)
    meta = sources / f"{SEED_000}.meta.yaml"
    meta.write_text(
        meta.read_text(encoding="utf-8").replace("money_unit: 万元", "money_unit: 元"),
        encoding="utf-8",
    )
    with pytest.raises(DisclosureError, match="the money unit printed on the tables 万元 differs"):
        build_data(sources, tmp_path / "packages", strict=True)


def test_build_and_validate_from_the_command_line(tmp_path: Path) -> None:
    sources = copy_sources(tmp_path / "sources", SEED_000, SEED_002)
    output = tmp_path / "out"

    run = run_builder

    build = run("build", "--no-site", "--sources", str(sources), "--output", str(output))
    assert build.returncode == 0, build.stderr
    assert build.stdout.startswith("wrote 3 data packages (2 disclosures and the portal-wide")
    assert sorted(p.name for p in (output / "packages").iterdir()) == [
        SEED_000,
        SEED_002,
        "portal",
        "portal.2023",  # the portal package of each year
        "portal.2024",
    ]
    validate = run("validate", "--output", str(output))
    assert validate.returncode == 0, validate.stdout
    assert "5 packages checked, 0 with schema violations" in validate.stdout  # 2 of years
    missing = run("validate", "--output", str(tmp_path / "nothing"))
    assert missing.returncode == 1
    assert "no data packages here" in missing.stderr


def one_byte_copy(sources: Path, name: str) -> Path:
    """Seed 000 again under another id, with a newline appended (and no record)."""
    copy = sources / name
    copy.write_bytes((SOURCES / f"{SEED_000}.txt").read_bytes() + b"\n")
    return copy


def test_the_same_disclosure_under_two_ids_is_counted_once(tmp_path: Path) -> None:
    """A copy that differs by one byte is the same disclosure: the later id is skipped with
    a message naming the first (exit 3 from the command line; an error with --strict)."""
    sources = copy_sources(tmp_path / "sources", SEED_000, SEED_002)
    copy = one_byte_copy(sources, "zz-copy.txt")
    result = build_data(sources, tmp_path / "packages", jobs=1)
    assert result.disclosures == 2
    assert [item.file for item in result.skipped] == [copy.name]
    assert result.skipped[0].message.startswith(f"the same disclosure as {SEED_000}.txt")
    assert not (tmp_path / "packages" / "zz-copy").exists()
    with pytest.raises(DisclosureError, match=f"the same disclosure as {SEED_000}.txt"):
        build_data(sources, tmp_path / "strict", strict=True, jobs=1)
    command = ["build", "--no-site", "--sources", str(sources), "--output", str(tmp_path / "o")]
    assert main(command) == PARTIAL_BUILD


def test_add_refuses_a_disclosure_already_present(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`add` of a one-byte copy of a disclosure in the sources exits 1 naming its id."""
    sources = copy_sources(tmp_path / "sources", SEED_000)
    copy = one_byte_copy(tmp_path, "copy.txt")
    assert main(["add", str(copy), "--sources", str(sources)]) == 1
    error = capsys.readouterr().err
    assert f"the same disclosure is already in the sources as {SEED_000}" in error
    assert sorted(p.name for p in sources.iterdir()) == [f"{SEED_000}.meta.yaml", f"{SEED_000}.txt"]


def test_sharing_makes_equal_values_one_object_and_keeps_them_equal() -> None:
    def made(text: str) -> str:  # a new string object each time, as unpickling makes
        return "".join(list(text))

    shared = Sharing()
    first = shared({made("kind"): made("收入"), "rows": [{"n": int(made("1234567"))}]})
    second = shared({"rows": [{"n": int(made("1234567"))}], made("kind"): made("收入")})
    amounts = shared([Decimal("1.0"), Decimal("1.00"), Decimal("1.0"), None, True, ("a",)])
    assert first == {"kind": "收入", "rows": [{"n": 1234567}]}
    assert list(second) == ["rows", "kind"]  # the order of keys is kept
    assert first["kind"] is second["kind"]
    assert next(iter(first)) is list(second)[1]  # the keys too
    assert first["rows"][0]["n"] is second["rows"][0]["n"]
    assert amounts[0] is amounts[2]
    assert [str(a) for a in amounts[:3]] == ["1.0", "1.00", "1.0"]  # 1.0 and 1.00 stay apart
    assert amounts[3:] == [None, True, ("a",)]
