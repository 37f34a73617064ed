"""The GitHub Actions workflows pass zizmor and the workflow JSON schema, offline.

Each linter is also run on a deliberately broken copy of a workflow, to prove it still bites.
A missing linter is a failure, not a skip: install it with `make setup`. The properties the
project asks of its workflows (least privilege, pinned actions, the Pages artifact flow, the
site URL from the repository) are checked on the parsed files as well.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

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


def load_workflow(name: str) -> dict[str, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS_DIR / name).read_text(encoding="utf-8"))
    loaded["on"] = loaded.pop(True, loaded.get("on"))  # YAML 1.1 reads the key `on` as true
    return loaded


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_least_privilege_pinned_and_quiet_about_credentials(name: str) -> None:
    workflow = load_workflow(name)
    assert workflow["permissions"] == {}, "nothing at the top; each job asks for what it needs"
    assert all("permissions" in job for job in workflow["jobs"].values())
    assert "group" in workflow["concurrency"]
    text = (WORKFLOWS_DIR / name).read_text(encoding="utf-8")
    uses = re.findall(r"uses: (\S+)(.*)$", text, flags=re.MULTILINE)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), f"{action}: version comment"
    for step in steps(workflow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False
        if step.get("uses", "").startswith("actions/setup-python@"):
            assert step["with"]["cache"] == "pip"


def test_ci_runs_the_checks_and_the_strict_build() -> None:
    workflow = load_workflow("ci.yml")
    assert set(workflow["on"]) == {"pull_request", "push"}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    runs = [step.get("run") for step in job["steps"]]
    assert ".ci/run" in runs, "the checks, browser tests included, exactly as make check runs them"
    assert "python -m builder build" in runs, "the build runs mkdocs build --strict"


def test_pages_deploys_the_artifact_not_a_branch() -> None:
    workflow = load_workflow("pages.yml")
    assert set(workflow["on"]) == {"push", "workflow_dispatch", "schedule"}
    assert workflow["on"]["push"]["branches"] == ["main"]
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == ["build", "release", "upload"], "pages go live after their data"
    assert "needs.release.result != 'failure'" in deploy["if"], "runs when there is no release"
    assert "needs.upload.result != 'failure'" in deploy["if"], "runs when there is no upload"
    assert deploy["environment"]["name"] == "github-pages"
    used = [step.get("uses", "").split("@")[0] for step in steps(workflow)]
    assert "actions/upload-pages-artifact" in used
    assert "actions/deploy-pages" in used
    assert "gh-pages" not in (WORKFLOWS_DIR / "pages.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("repository", "site_url"),
    [
        ("Open-Budget/portal", "https://open-budget.github.io/portal/"),
        ("alice/alice.github.io", "https://alice.github.io/"),
    ],
)
@pytest.mark.parametrize("name", WORKFLOW_NAMES)
def test_site_url_comes_from_the_repository(
    tmp_path: Path, name: str, repository: str, site_url: str
) -> None:
    """The step that sets SITE_URL, run as the runner runs it, for any event."""
    (script,) = [
        step["run"] for step in steps(load_workflow(name)) if "SITE_URL" in step.get("run", "")
    ]
    env_file = tmp_path / "github_env"
    env = {
        "PATH": os.environ["PATH"],
        "GITHUB_REPOSITORY": repository,
        "GITHUB_REPOSITORY_OWNER": repository.split("/", maxsplit=1)[0],
        "GITHUB_ENV": str(env_file),
    }
    subprocess.run(["bash", "-e", "-c", script], env=env, check=True, timeout=10)
    assert env_file.read_text(encoding="utf-8") == f"SITE_URL={site_url}\n"


# --------------------------------------------------------------------------- the data host


def pages_step(name_part: str) -> dict[str, Any]:
    (step,) = [s for s in steps(load_workflow("pages.yml")) if name_part in s.get("name", "")]
    return step


def test_only_the_release_job_may_write_and_only_with_a_data_host() -> None:
    jobs = load_workflow("pages.yml")["jobs"]
    writers = [name for name, job in jobs.items() if "write" in job["permissions"].values()]
    assert sorted(writers) == ["deploy", "release"]
    release = jobs["release"]
    assert release["permissions"] == {"contents": "write"}
    assert release["needs"] == "build"
    assert release["if"] == "needs.build.outputs.data_tag != ''"
    assert jobs["build"]["outputs"]["data_tag"] == "${{ steps.datahost.outputs.tag }}"
    assert pages_step("Data host")["if"] == "vars.DATA_HOST != ''"
    script = "\n".join(step.get("run", "") for step in release["steps"])
    assert 'gh release create "$DATA_TAG"' in script
    assert release["env"]["GH_TOKEN"] == "${{ secrets.GITHUB_TOKEN }}"
    artifact = [s for s in jobs["build"]["steps"] if "upload-artifact@" in s.get("uses", "")]
    assert [s["with"]["path"] for s in artifact] == ["site-data/"]


def test_the_static_host_job_holds_no_repository_permission_and_its_own_secrets() -> None:
    jobs = load_workflow("pages.yml")["jobs"]
    upload = jobs["upload"]
    assert upload["permissions"] == {}
    assert upload["needs"] == "build"
    assert upload["if"] == "needs.build.outputs.data_url != ''"
    assert upload["environment"]["name"] == "data-host", "secrets behind an environment"
    assert jobs["build"]["outputs"]["data_url"] == "${{ steps.datahost.outputs.url }}"
    assert upload["env"]["AWS_ACCESS_KEY_ID"] == "${{ secrets.DATA_S3_ACCESS_KEY_ID }}"


def run_data_host_step(
    tmp_path: Path, host: str, url: str = "", scope: str = ""
) -> tuple[subprocess.CompletedProcess[str], str, str]:
    """The step that sets DATA_URL, run as the runner runs it (after the install): the
    result, then what it wrote to GITHUB_ENV and GITHUB_OUTPUT."""
    env_file, output_file = tmp_path / "github_env", tmp_path / "github_output"
    env = {
        "PATH": os.environ["PATH"],
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "Open-Budget/portal",
        "GITHUB_ENV": str(env_file),
        "GITHUB_OUTPUT": str(output_file),
        "DATA_HOST": host,
        "HOST_URL": url,
        "HOST_SCOPE": scope,
    }
    script = pages_step("Data host")["run"]
    result = subprocess.run(
        ["bash", "-e", "-c", script],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    read = [p.read_text(encoding="utf-8") if p.exists() else "" for p in (env_file, output_file)]
    return result, read[0], read[1]


def test_the_data_url_is_the_release_of_the_data_version(tmp_path: Path) -> None:
    releases = yaml.safe_load((REPO_ROOT / "datasets" / "releases.yaml").read_text("utf-8"))
    version = releases[0]["version"]
    result, env, output = run_data_host_step(tmp_path, "github-release")
    assert result.returncode == 0, result.stdout + result.stderr
    assert env == (
        f"DATA_URL=https://github.com/Open-Budget/portal/releases/download/data-{version}/\n"
        "DATA_HOST_SCOPE=bulk\n"
    )
    assert output == f"tag=data-{version}\n"


@pytest.mark.parametrize(("scope", "expected"), [("", "all"), ("bulk", "bulk")])
def test_a_static_host_takes_the_data_url_variable_and_all_by_default(
    tmp_path: Path, scope: str, expected: str
) -> None:
    url = "https://data.example.org/portal/"
    result, env, output = run_data_host_step(tmp_path, "s3", url, scope)
    assert result.returncode == 0, result.stdout + result.stderr
    assert env == f"DATA_URL={url}\nDATA_HOST_SCOPE={expected}\n"
    assert output == f"url={url}\n", "no tag: the release job does not run"


@pytest.mark.parametrize(
    ("host", "url", "message"),
    [
        ("s3", "", "needs the repository variable DATA_URL"),
        ("s3", "http://data.example.org/portal/", "public https:// address"),
        ("s3", "https://data.example.org/portal", "ending in /"),
        ("ftp", "https://data.example.org/", "use github-release or s3"),
    ],
)
def test_a_wrong_data_host_setting_stops_the_build(
    tmp_path: Path, host: str, url: str, message: str
) -> None:
    result, env, output = run_data_host_step(tmp_path, host, url)
    assert result.returncode != 0
    assert message in result.stdout
    assert env == output == "", "nothing is set: no data URL half-configured"


@pytest.mark.parametrize(("files", "fits"), [(3, True), (1000, True), (1001, False)])
def test_the_release_job_refuses_more_files_than_a_release_holds(
    tmp_path: Path, files: int, fits: bool
) -> None:
    folder = tmp_path / "site-data"
    folder.mkdir()
    for number in range(files):
        (folder / f"{number}.zip").write_bytes(b"")
    script = pages_step("fit one release")["run"]
    result = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode == 0) is fits, result.stdout
    if not fits:
        assert "more than one release holds (1,000)" in result.stdout


def job_step(job: str, name_part: str) -> str:
    (step,) = [
        s
        for s in load_workflow("pages.yml")["jobs"][job]["steps"]
        if name_part in s.get("name", "")
    ]
    script: str = step["run"]
    return script


SUM_A, SUM_B, SUM_C = "a" * 64, "b" * 64, "c" * 64


def data_folder(tmp_path: Path, published: str) -> Path:
    """A downloaded data folder: three files and their SHA256SUMS; ``published`` is what the
    host's SHA256SUMS holds."""
    folder = tmp_path / "site-data"
    folder.mkdir()
    for name in ("portal.zip", "portal.sqlite", "syn1.zip"):
        (folder / name).write_bytes(name.encode())
    (folder / "SHA256SUMS").write_text(
        f"{SUM_A}  portal.sqlite\n{SUM_B}  portal.zip\n{SUM_C}  syn1.zip\n", encoding="utf-8"
    )
    (tmp_path / "published.sums").write_text(published, encoding="utf-8")
    return folder


def fake_tool(tmp_path: Path, name: str) -> Path:
    """An executable ``name`` on PATH that appends its arguments, one call a line, to a log."""
    bin_dir, log = tmp_path / "bin", tmp_path / f"{name}.log"
    bin_dir.mkdir(exist_ok=True)
    tool = bin_dir / name
    tool.write_text(f'#!/bin/bash\necho "$*" >> {log}\n', encoding="utf-8")
    tool.chmod(0o755)
    return log


def run_in(tmp_path: Path, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script],
        cwd=tmp_path,
        env={"PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("job", ["release", "upload"])
@pytest.mark.parametrize(
    ("published", "changed"),
    [
        ("", ["portal.sqlite", "portal.zip", "syn1.zip"]),  # a first upload: every file
        (f"{SUM_A}  portal.sqlite\n{SUM_B}  portal.zip\n{SUM_C}  syn1.zip\n", []),
        (f"{SUM_A}  portal.sqlite\n{SUM_C}  portal.zip\n", ["portal.zip", "syn1.zip"]),
    ],
)
def test_only_files_not_in_the_published_sums_are_uploaded(
    tmp_path: Path, job: str, published: str, changed: list[str]
) -> None:
    data_folder(tmp_path, published)
    result = run_in(tmp_path, job_step(job, "not in the published SHA256SUMS"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "changed.txt").read_text(encoding="utf-8").split() == changed
    assert f"{len(changed)} of 3 data files changed" in result.stdout


@pytest.mark.parametrize("endpoint", ["", "https://account.r2.cloudflarestorage.com"])
def test_the_static_host_upload_sends_the_changed_files_then_the_sums(
    tmp_path: Path, endpoint: str
) -> None:
    data_folder(tmp_path, "")
    (tmp_path / "changed.txt").write_text("portal.zip\nsyn1.zip\n", encoding="utf-8")
    log = fake_tool(tmp_path, "aws")
    script = job_step("upload", "Upload the changed files")
    uri = "s3://bucket/portal/"
    result = run_in(tmp_path, script, DATA_S3_URI=uri, DATA_S3_ENDPOINT=endpoint)
    assert result.returncode == 0, result.stderr
    flag = f"--endpoint-url {endpoint} " if endpoint else ""
    assert log.read_text(encoding="utf-8").splitlines() == [
        f"s3 cp {flag}--no-progress --recursive changed/ {uri}",
        f"s3 cp {flag}--no-progress site-data/SHA256SUMS {uri}SHA256SUMS",
    ]
    assert sorted(p.name for p in (tmp_path / "changed").iterdir()) == ["portal.zip", "syn1.zip"]


def test_the_release_upload_sends_the_changed_files_then_the_sums(tmp_path: Path) -> None:
    data_folder(tmp_path, "")
    (tmp_path / "changed.txt").write_text("portal.zip\nsyn1.zip\n", encoding="utf-8")
    log = fake_tool(tmp_path, "gh")
    result = run_in(tmp_path, job_step("release", "Upload the changed files"), DATA_TAG="data-1")
    assert result.returncode == 0, result.stderr
    assert log.read_text(encoding="utf-8").splitlines() == [
        "release upload data-1 --clobber portal.zip syn1.zip",
        "release upload data-1 site-data/SHA256SUMS --clobber",
    ]


@pytest.mark.parametrize("uri", ["", "bucket/portal/", "s3://bucket/portal"])
def test_the_static_host_upload_refuses_a_wrong_bucket_address(tmp_path: Path, uri: str) -> None:
    fake_tool(tmp_path, "curl")
    script = job_step("upload", "Fetch the SHA256SUMS")
    result = run_in(tmp_path, script, DATA_S3_URI=uri, DATA_URL="https://data.example.org/")
    assert result.returncode != 0
    assert "DATA_S3_URI to s3://BUCKET/FOLDER/" in result.stdout
