"""The GitHub Actions workflows pass zizmor and the workflow JSON schema, offline.

Each linter is also run on a deliberately broken copy of a workflow, to prove it still bites.
A missing linter is a failure, not a skip: install it with `make setup`.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
WORKFLOW_NAMES = ("ci.yml", "pages.yml")
SCHEMA_ARGS = ("--builtin-schema", "vendor.github-workflows")
LINTER_TIMEOUT_SECONDS = 120


def find_linter(name: str) -> str:
    beside_python = Path(sys.executable).parent / name
    if beside_python.is_file():
        return str(beside_python)
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"linter {name!r} is not installed; run `make setup`")
    return found


def run_linter(name: str, *args: str | Path, cwd: Path = REPO_ROOT) -> tuple[int, str]:
    result = subprocess.run(
        [find_linter(name), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=LINTER_TIMEOUT_SECONDS,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def write_broken_copy(tmp_path: Path, name: str, pattern: str, replacement: str) -> Path:
    original = (WORKFLOWS_DIR / name).read_text(encoding="utf-8")
    broken, count = re.subn(pattern, replacement, original, flags=re.MULTILINE)
    assert count == 1, f"{pattern!r} should occur once in {name}, found {count}"
    path = tmp_path / name
    path.write_text(broken, encoding="utf-8")
    return path


def test_expected_workflows_exist() -> None:
    assert sorted(path.name for path in WORKFLOWS_DIR.glob("*.yml")) == sorted(WORKFLOW_NAMES)


def test_zizmor_finds_nothing() -> None:
    returncode, output = run_linter("zizmor", "--offline", WORKFLOWS_DIR)
    assert returncode == 0, output


def test_workflows_match_github_schema() -> None:
    workflows = sorted(WORKFLOWS_DIR.glob("*.yml"))
    returncode, output = run_linter("check-jsonschema", *SCHEMA_ARGS, *workflows)
    assert returncode == 0, output


@pytest.mark.parametrize(
    ("pattern", "replacement", "audit"),
    [
        pytest.param(
            r"actions/checkout@[0-9a-f]{40}.*$",
            "actions/checkout@v4",
            "unpinned-uses",
            id="tag-instead-of-sha",
        ),
        pytest.param(
            r"run: python -m builder build$",
            'run: echo "${{ github.event.pull_request.title }}" && python -m builder build',
            "template-injection",
            id="untrusted-input-in-run",
        ),
    ],
)
def test_zizmor_rejects_broken_workflow(
    tmp_path: Path, pattern: str, replacement: str, audit: str
) -> None:
    broken = write_broken_copy(tmp_path, "ci.yml", pattern, replacement)
    returncode, output = run_linter("zizmor", "--offline", broken, cwd=tmp_path)
    assert returncode != 0, output
    assert audit in output


def test_schema_rejects_misspelt_key(tmp_path: Path) -> None:
    broken = write_broken_copy(
        tmp_path, "ci.yml", r"^    runs-on: ubuntu-latest$", "    runs_on: ubuntu-latest"
    )
    returncode, output = run_linter("check-jsonschema", *SCHEMA_ARGS, broken, cwd=tmp_path)
    assert returncode != 0, output
    assert "'runs-on' is a required property" in output
