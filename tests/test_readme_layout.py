"""The README's layout table matches the repository: every path it names exists, every
top-level folder and file of the repository (and every package of ``builder/``) is named in
it, and no module of ``builder/`` is over the size CONTRIBUTING allows."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import ROOT

MAX_MODULE_LINES = 620  # "no module in builder/ over about 600 lines"
CELL_PATH = re.compile(r"`([^`\s]+)`")


def layout_table() -> list[str]:
    """The first cell of each row of the README's layout table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [row.split(" | ")[0].removeprefix("| ") for row in rows[1:]]  # after the header


def tracked() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    return listed.splitlines()


def test_every_path_of_the_layout_table_exists() -> None:
    named = [path for cell in layout_table() for path in CELL_PATH.findall(cell)]
    assert len(named) >= 10
    missing = [path for path in named if not (ROOT / path).exists()]
    assert not missing, f"the README's layout table names missing paths: {missing}"


def test_every_top_level_entry_and_stage_is_in_the_layout_table() -> None:
    text = "\n".join(layout_table()) + "\n" + _builder_row()
    tops = {path.split("/")[0] + ("/" if "/" in path else "") for path in tracked()}
    tops -= {".gitignore", ".gitattributes", "README.md"}  # the table is in README.md
    unnamed = sorted(top for top in tops if f"`{top}" not in text)
    assert not unnamed, f"not in the README's layout table: {unnamed}"
    packages = {
        path.split("/")[1]
        for path in tracked()
        if path.startswith("builder/") and path.count("/") >= 2
    }
    modules = {
        path.split("/")[1]
        for path in tracked()
        if path.startswith("builder/") and path.count("/") == 1 and path.endswith(".py")
    }
    modules -= {"__init__.py", "__main__.py"}
    unnamed = sorted(name for name in packages | modules if name not in text)
    assert not unnamed, f"builder/ holds what the README's layout table does not name: {unnamed}"


def _builder_row() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return next(line for line in text.splitlines() if line.startswith("| `builder/` |"))


def test_no_module_of_builder_is_too_long() -> None:
    sizes = {
        path: len((ROOT / path).read_text(encoding="utf-8").splitlines())
        for path in tracked()
        if path.startswith("builder/") and path.endswith(".py")
    }
    assert len(sizes) > 100
    long = {path: lines for path, lines in sizes.items() if lines > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"
