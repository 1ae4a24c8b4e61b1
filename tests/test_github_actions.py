"""The GitHub Actions workflow: the template passes actionlint and zizmor, and its
crawl step, run as the workflow runs it, publishes to a git server standing in
for GitHub.

Each run is what a runner does: a shallow clone of the mirror repository (as
actions/checkout leaves it: no token in .git/config), the project installed
from its source (``pip install --target``: the installed copy, not the
checkout, is imported), the workflow's env block and the step's env with the
``${{ github.* }}`` / ``${{ inputs.* }}`` expressions filled in, then the
step's own command. The remote is a real smart-HTTP git server on 127.0.0.1
that wants the token, as GitHub does.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from goodnews_scraper.github_actions import (
    RunSetupError,
    crawl_argv,
    git_remote,
    settings_lines,
)
from tests.crawl import PROJECT_ROOT, new_article_files
from tests.fixture_site import FixtureServer, build_site, faults
from tests.fixture_site.content import MIRRORED, NEW_ARTICLE, article, section, with_new_article
from tests.publish_git_http import GitHttpServer
from tests.publish_git_remote import commit_subjects, files_of_commit, git, remote_files

TEMPLATE = PROJECT_ROOT / "deploy" / "github-actions" / "mirror.yml"
TOKEN = "ghs_test-SECRET-0123456789abcdef"
REPOSITORY = "owner/mirror"
WORKFLOW_PATH = ".github/workflows/mirror.yml"
#: What the fixture crawls need on top of the workflow's own settings lines.
FIXTURE_LINES = (
    *("AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_DELAY=0", "RETRY_TIMES=1"),
    *("RETRY_BACKOFF_BASE=0.05", "GOODNEWS_PROGRESS_INTERVAL=0"),
)
#: Clean sections of the fixture site: their crawls pass the default monitors.
CLEAN_SECTIONS = "prog1699,prog1138"
#: Expressions the template may use, and what a run fills them with.
EXPRESSION = re.compile(r"\$\{\{\s*([a-z_]+)\.([a-z_]+)\s*\}\}")


def tool(name: str) -> str:
    """A linter pip installed (requirements-test.txt) beside this interpreter."""
    path = Path(sysconfig.get_path("scripts")) / name
    return str(path) if path.is_file() else name


def workflow() -> dict[Any, Any]:
    loaded = yaml.safe_load(TEMPLATE.read_text("utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def crawl_step() -> dict[str, Any]:
    (step,) = [
        s for s in workflow()["jobs"]["mirror"]["steps"] if "goodnews_scraper" in s.get("run", "")
    ]
    return step


# --- the template -------------------------------------------------------------------------
def test_template_passes_actionlint() -> None:
    done = subprocess.run(
        [tool("actionlint"), "-no-color", str(TEMPLATE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_template_passes_zizmor_even_pedantic() -> None:
    done = subprocess.run(
        [tool("zizmor"), "--offline", "--persona", "pedantic", str(TEMPLATE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings" in done.stdout + done.stderr


def test_linters_catch_what_the_template_must_not_do(tmp_path: Path) -> None:
    """The two checks above can fail: an unpinned action and a typo'd context fail them."""
    text = TEMPLATE.read_text("utf-8")
    bad = tmp_path / "bad.yml"
    unpinned = re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v7", text)
    bad.write_text(unpinned.replace("github.token", "github.tokn"), "utf-8")
    lint = subprocess.run(
        [tool("actionlint"), str(bad)], capture_output=True, text=True, check=False
    )
    assert lint.returncode != 0 and "tokn" in lint.stdout
    audit = subprocess.run(
        [tool("zizmor"), "--offline", "--persona", "pedantic", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert audit.returncode != 0 and "unpinned-uses" in audit.stdout


def test_actions_are_pinned_by_commit_with_their_tag_beside() -> None:
    uses = [line.strip() for line in TEMPLATE.read_text("utf-8").splitlines() if "uses:" in line]
    assert len(uses) == 2
    for line in uses:
        assert re.fullmatch(r"uses: actions/[a-z-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), line


def test_least_permissions_one_run_at_a_time_and_a_time_limit() -> None:
    flow = workflow()
    job = flow["jobs"]["mirror"]
    assert flow["permissions"] == {}
    assert job["permissions"] == {"contents": "write"}
    assert flow["concurrency"]["cancel-in-progress"] is False
    assert 0 < job["timeout-minutes"] <= 120
    checkout = job["steps"][0]["with"]
    assert checkout["persist-credentials"] is False and checkout["fetch-depth"] == 1
    # on: is read by YAML 1.1 as True
    assert {"schedule", "workflow_dispatch"} <= set(flow[True])
    assert set(flow[True]["workflow_dispatch"]["inputs"]) == {"sections", "max_pages"}


# --- the environment, read on its own -------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("A=1\n\n  # a comment\nHTML_ENABLED=True\n", ["A=1", "HTML_ENABLED=True"]),
        (
            "ASSETS_BASE_URL=https://x.example/gh/o/r@main",
            ["ASSETS_BASE_URL=https://x.example/gh/o/r@main"],
        ),
    ],
)
def test_settings_lines(text: str, expected: list[str]) -> None:
    assert settings_lines(text) == expected


@pytest.mark.parametrize("line", ["html_enabled=True", "NO_EQUALS_SIGN", "-s A=1", "=1"])
def test_a_bad_settings_line_is_named(line: str) -> None:
    with pytest.raises(RunSetupError, match=r"GOODNEWS_SETTINGS line 2 is not NAME=VALUE"):
        settings_lines(f"A=1\n{line}")


def test_the_remote_is_the_jobs_repository_with_its_token() -> None:
    environ = {"GITHUB_TOKEN": "t0k", "GITHUB_REPOSITORY": "o/r"}
    assert git_remote(environ) == "https://x-access-token:t0k@github.com/o/r.git"
    ghes = {**environ, "GITHUB_SERVER_URL": "https://git.example.org"}
    assert git_remote(ghes) == "https://x-access-token:t0k@git.example.org/o/r.git"
    assert git_remote({**environ, "GOODNEWS_GIT_REMOTE": "git@host:o/r.git"}) == "git@host:o/r.git"
    with pytest.raises(RunSetupError, match="GITHUB_TOKEN not set"):
        git_remote({"GITHUB_REPOSITORY": "o/r"})


def test_inputs_win_over_the_env_block_and_settings_lines_come_last(tmp_path: Path) -> None:
    environ = {
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_REF_NAME": "main",
        "GOODNEWS_SECTIONS": "prog204",
        "GOODNEWS_INPUT_SECTIONS": "prog1699",
        "GOODNEWS_MAX_PAGES": "5",
        "GOODNEWS_INPUT_MAX_PAGES": "",
        "GOODNEWS_SETTINGS": "PUBLISH_GIT_BRANCH=mirror",
    }
    argv = crawl_argv(environ, "ntdtv", tmp_path / "summary.txt")
    assert argv[:7] == ["scrapy", "crawl", "ntdtv", "-a", "sections=prog1699", "-a", "max_pages=5"]
    assert argv[-4:] == ["-s", "PUBLISH_GIT_BRANCH=main", "-s", "PUBLISH_GIT_BRANCH=mirror"]
    assert f"SITE_DIR={tmp_path.resolve()}" in argv and "PUBLISH=git" in argv


# --- runs of the workflow's step --------------------------------------------------------------
@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project installed as the workflow's pip step installs it (dependencies aside:
    they are the test machine's), from a copy, so no build file lands in the checkout."""
    base = tmp_path_factory.mktemp("installed")
    source = base / "source"
    for name in ("setup.py", "requirements.txt"):
        source.mkdir(exist_ok=True)
        shutil.copy2(PROJECT_ROOT / name, source / name)
    for folder in ("goodnews_scraper", "templates"):
        shutil.copytree(
            PROJECT_ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    target = base / "lib"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
            *("--no-deps", "--no-build-isolation", "--target", str(target), str(source)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return target


@dataclass
class Run:
    returncode: int
    log: str
    checkout: Path
    step_summary: str

    def last_lines(self, count: int) -> list[str]:
        return self.log.rstrip().splitlines()[-count:]


class Mirror:
    """A mirror repository on a git server, and runs of the workflow against it."""

    def __init__(self, server: FixtureServer, http: GitHttpServer, installed: Path, base: Path):
        self.server, self.http, self.installed, self.base = server, http, installed, base
        self.bare = base / "git" / f"{REPOSITORY}.git"
        self.runs = 0
        seed = base / "seed"
        git("init", "-q", "--bare", "-b", "main", str(self.bare), cwd=base)
        git("init", "-q", "-b", "main", str(seed), cwd=base)
        (seed / WORKFLOW_PATH).parent.mkdir(parents=True)
        shutil.copy2(TEMPLATE, seed / WORKFLOW_PATH)
        git("add", ".", cwd=seed)
        git("commit", "-q", "-m", "Add the mirror workflow", cwd=seed)
        git("push", "-q", str(self.bare), "HEAD:main", cwd=seed)

    @property
    def server_url(self) -> str:
        return f"http://127.0.0.1:{self.http.port}"

    def checkout(self, path: Path) -> None:
        """What actions/checkout does with fetch-depth 1 and persist-credentials false."""
        git(
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-tags",
            f"file://{self.bare}",
            str(path),
            cwd=self.base,
        )
        git("remote", "set-url", "origin", f"{self.server_url}/{REPOSITORY}", cwd=path)

    def environment(
        self, workspace: Path, inputs: dict[str, str], lines: tuple[str, ...]
    ) -> dict[str, str]:
        context = {
            "github": {
                "server_url": self.server_url,
                "repository": REPOSITORY,
                "ref_name": "main",
                "token": TOKEN,
            },
            "inputs": {"sections": "", "max_pages": "", **inputs},
        }

        def fill(value: object) -> str:
            def one(match: re.Match[str]) -> str:
                return context[match.group(1)][match.group(2)]  # KeyError: an unknown expression

            return EXPRESSION.sub(one, str(value))

        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("GOODNEWS_", "GITHUB_", "SCRAPY_", "RUNNER_"))
        }
        env |= {key: fill(value) for key, value in workflow()["env"].items()}
        env |= {key: fill(value) for key, value in crawl_step()["env"].items()}
        env["GOODNEWS_SETTINGS"] += "\n".join(
            (f"NTDTV_BASE_URL={self.server.origin}", *FIXTURE_LINES, *lines)
        )
        runner_temp = workspace.parent / f"{workspace.name}-temp"
        runner_temp.mkdir()
        env |= {
            "PYTHONPATH": str(self.installed),
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_REF_NAME": "main",
            "GITHUB_REPOSITORY": REPOSITORY,
            "GITHUB_SERVER_URL": self.server_url,
            "GITHUB_STEP_SUMMARY": str(runner_temp / "step_summary.md"),
            "RUNNER_TEMP": str(runner_temp),
        }
        return env

    def run(
        self,
        *lines: str,
        sections: str = CLEAN_SECTIONS,
        interrupt_after: str = "",
        **inputs: str,
    ) -> Run:
        """One scheduled or dispatched run on a fresh runner; ``lines`` join GOODNEWS_SETTINGS.

        ``interrupt_after``: once the log shows this text, SIGINT, as the runner
        sends when the run is cancelled or times out.
        """
        self.runs += 1
        workspace = self.base / f"run{self.runs}" / "mirror"
        workspace.parent.mkdir()
        self.checkout(workspace)
        env = self.environment(workspace, {"sections": sections, **inputs}, lines)
        command = crawl_step()["run"]
        match = re.fullmatch(r"exec python -m ([\w.]+)", command)
        assert match, command
        log_path = workspace.parent / "log.txt"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", match.group(1)],
                cwd=workspace,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                if interrupt_after:
                    deadline = time.monotonic() + 60
                    while interrupt_after not in log_path.read_text("utf-8", "replace"):
                        assert process.poll() is None and time.monotonic() < deadline
                        time.sleep(0.05)
                    process.send_signal(signal.SIGINT)
                returncode = process.wait(timeout=180)
            finally:
                if process.poll() is None:
                    process.kill()
        summary_page = Path(env["GITHUB_STEP_SUMMARY"])
        step_summary = summary_page.read_text("utf-8") if summary_page.exists() else ""
        return Run(returncode, log_path.read_text("utf-8"), workspace, step_summary)

    def subjects(self) -> list[str]:
        return commit_subjects(self.bare)


def tree(root: Path) -> dict[str, bytes]:
    """What the mirror holds: every file but hidden ones (.git, .scrapy) and the workflow."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(root).parts)
    }


def published(mirror: Mirror) -> dict[str, bytes]:
    files = remote_files(mirror.bare)
    assert files.pop(WORKFLOW_PATH) == TEMPLATE.read_bytes()  # the mirror's own files stay
    return files


def assert_summary_last(run: Run, reason: str = "finished") -> None:
    lines = run.log.rstrip().splitlines()
    starts = [n for n, line in enumerate(lines) if line == f"Summary of the run ({reason}):"]
    assert starts, run.log[-3000:]
    # The printed copy is the log's end: only the summary's own lines after it.
    assert all(line.startswith("  ") for line in lines[starts[-1] + 1 :]), lines[starts[-1] :]
    assert lines[-1].startswith("  duration: ")


@pytest.fixture
def mirror(server: FixtureServer, installed: Path, tmp_path: Path) -> Iterator[Mirror]:
    with GitHttpServer(tmp_path / "git", "x-access-token", TOKEN) as http:
        yield Mirror(server, http, installed, tmp_path)


@contextmanager
def site_gains_an_article(server: FixtureServer) -> Iterator[None]:
    arts, secs = with_new_article(path="prog1699")
    server.rebuild(lambda origin: build_site(origin, articles=arts, sections=secs))
    try:
        yield
    finally:
        server.rebuild(build_site)


def test_the_run_imports_the_installed_copy(installed: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import goodnews_scraper.github_actions as m; print(m.__file__)"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(done.stdout.strip()).is_relative_to(installed)
    assert (installed / "goodnews_scraper" / "templates" / "page.md.j2").is_file()


def test_runs_push_the_tree_then_nothing_then_the_new_article(mirror: Mirror) -> None:
    first = mirror.run()
    assert first.returncode == 0, first.log[-3000:]
    subjects = mirror.subjects()
    assert len(subjects) == 2 and subjects[1] == "Add the mirror workflow"
    assert subjects[0] == "ntdtv: 3 new articles in prog1138, prog1699"
    assert published(mirror) == tree(first.checkout)
    assert {"README.md", "indexes/prog1699.md", "indexes/prog1138.json"} <= set(
        tree(first.checkout)
    )
    # Share links and QR codes point at the repository (the env block's MIRROR_BASE_URL).
    page = (first.checkout / "pages" / "prog1699" / "a103124840.md").read_text("utf-8")
    assert f"{mirror.server_url}/{REPOSITORY}/blob/main/pages/prog1699/a103124840.md" in page
    assert_summary_last(first)
    assert "### Mirror run passed" in first.step_summary and "prog1699" in first.step_summary
    assert TOKEN not in first.log
    for path in (first.checkout / ".git").rglob("*"):
        assert not path.is_file() or TOKEN.encode() not in path.read_bytes(), path

    second = mirror.run()
    assert second.returncode == 0, second.log[-3000:]
    assert mirror.subjects() == subjects
    assert "nothing to publish" in second.log
    assert_summary_last(second)

    with site_gains_an_article(mirror.server):
        third = mirror.run()
    assert third.returncode == 0, third.log[-3000:]
    assert mirror.subjects()[1:] == subjects
    assert mirror.subjects()[0] == "ntdtv: 1 new article in prog1699"
    assert files_of_commit(mirror.bare) == new_article_files(NEW_ARTICLE.id, "prog1699")
    assert published(mirror) == tree(third.checkout)


def test_a_failing_crawl_exits_non_zero_and_pushes_nothing_broken(mirror: Mirror) -> None:
    # prog204 has an article that answers 404, one without title, one cut off:
    # with the default thresholds the monitors fail the run.
    run = mirror.run(sections="prog1699,prog204")
    assert run.returncode == 1, run.log[-3000:]
    (verdict,) = [line for line in run.log.splitlines() if "did not do its job" in line]
    assert re.search(r"\d+ monitors? failed", verdict), verdict
    assert "::error title=Mirror run failed::exit status 1" in run.log
    assert "### Mirror run failed (exit status 1)" in run.step_summary
    assert_summary_last(run)
    # What it pushed is whole: the complete articles, their indexes and home page.
    files = published(mirror)
    assert files == tree(run.checkout)
    ids = section("prog1699").ids + section("prog204").ids
    complete = {i for i in ids if article(i).expect == MIRRORED}
    assert 0 < len(complete) < len(ids)
    assert {
        Path(path).stem for path in files if path.startswith("pages/") and path.endswith(".md")
    } == complete
    # No page, index or home page names an article that was not mirrored; the crawl
    # state does, so that the next run fetches it again.
    state = files["store/crawl-state.json"].decode()
    for broken in set(ids) - complete:
        named = [path for path, data in files.items() if broken.encode() in data]
        assert named == ["store/crawl-state.json"], broken
        assert f'"article_id": "{broken}"' in state


def test_an_unfinished_crawl_pushes_nothing(mirror: Mirror) -> None:
    run = mirror.run("CLOSESPIDER_ITEMCOUNT=1")
    assert run.returncode == 1, run.log[-3000:]
    assert "Not publishing to git" in run.log
    assert mirror.subjects() == ["Add the mirror workflow"]
    assert_summary_last(run, "closespider_itemcount")


def test_a_bad_settings_line_stops_the_run_in_one_line(mirror: Mirror) -> None:
    run = mirror.run("html_enabled=True")
    assert run.returncode == 2
    errors = [line for line in run.log.splitlines() if "error:" in line]
    assert len(errors) == 1, run.log
    assert re.fullmatch(
        r"github_actions: error: GOODNEWS_SETTINGS line \d+ is not NAME=VALUE with an "
        r"upper-case setting name: 'html_enabled=True'",
        errors[0],
    ), errors
    assert mirror.subjects() == ["Add the mirror workflow"]


def test_a_cancelled_run_pushes_nothing(mirror: Mirror) -> None:
    slow = article(section("prog1138").ids[-1]).path
    page = mirror.server.lookup(slow)
    assert isinstance(page, faults.FixtureResponse)
    mirror.server.set(slow, faults.Slow(page, delay=20))
    try:
        run = mirror.run(interrupt_after="Publishing set up")
    finally:
        mirror.server.set(slow, page)
    assert run.returncode == 1, run.log[-3000:]
    assert "Not publishing to git" in run.log
    assert mirror.subjects() == ["Add the mirror workflow"]
    assert_summary_last(run, "shutdown")
