"""One mirror run in a GitHub Actions job: ``python -m goodnews_scraper.github_actions``.

The workflow template (deploy/github-actions/mirror.yml) checks the mirror
repository out and installs the project; everything after that is here, so
that the tests run exactly what the workflow runs. It is ``scrapy crawl``
with ``PUBLISH=git`` into the checkout, in this process:

* the spider's arguments and extra settings come from the job's environment
  (``GOODNEWS_SECTIONS``, ``GOODNEWS_EDITION``, ``GOODNEWS_MAX_PAGES``, the
  ``workflow_dispatch`` inputs ``GOODNEWS_INPUT_*`` when given, and
  ``GOODNEWS_SETTINGS``: one ``NAME=VALUE`` per line, each passed as ``-s``);
* the tree is the checkout (``GITHUB_WORKSPACE``); the push goes to the
  repository and branch the job runs for, with ``GITHUB_TOKEN`` handed to git
  through the environment (``GOODNEWS_GIT_REMOTE``, which publishing masks);
* the exit status is the crawl command's (1: a monitor failed, the crawl did
  not finish, or publishing failed; 2: bad arguments or settings), and the
  run summary is printed last, so the job's log ends with it, and added to the
  job's summary page (``GITHUB_STEP_SUMMARY``).

Running in this process, not a child, lets Scrapy's own signal handlers see
a cancelled or timed-out job: it closes with reason ``shutdown`` and is not
published.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.cmdline import execute

#: Spider arguments: (argument, workflow env, workflow_dispatch input env).
SPIDER_ARGUMENTS = (
    ("sections", "GOODNEWS_SECTIONS", "GOODNEWS_INPUT_SECTIONS"),
    ("edition", "GOODNEWS_EDITION", "GOODNEWS_INPUT_EDITION"),
    ("max_pages", "GOODNEWS_MAX_PAGES", "GOODNEWS_INPUT_MAX_PAGES"),
)
#: The environment variable publishing reads the remote from (settings.py).
REMOTE_ENV = "GOODNEWS_GIT_REMOTE"
#: The user GitHub expects with a GITHUB_TOKEN in an HTTPS URL.
TOKEN_USER = "x-access-token"
SETTING_LINE = re.compile(r"[A-Z][A-Z0-9_]*=.*")
EXIT_SETUP_ERROR = 2


class RunSetupError(Exception):
    """The job's environment cannot make a run; the message is one line."""


def settings_lines(text: str) -> list[str]:
    """``GOODNEWS_SETTINGS``: one ``NAME=VALUE`` per line; blank and ``#`` lines skipped."""
    found = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not SETTING_LINE.fullmatch(line):
            raise RunSetupError(
                f"GOODNEWS_SETTINGS line {number} is not NAME=VALUE with an upper-case "
                f"setting name: {line[:80]!r}"
            )
        found.append(line)
    return found


def git_remote(environ: Mapping[str, str]) -> str:
    """The push URL: ``GOODNEWS_GIT_REMOTE`` if set, else the job's own repository with
    ``GITHUB_TOKEN`` as an HTTPS user, as GitHub documents for git over HTTPS."""
    if environ.get(REMOTE_ENV):
        return environ[REMOTE_ENV]
    missing = [name for name in ("GITHUB_TOKEN", "GITHUB_REPOSITORY") if not environ.get(name)]
    if missing:
        raise RunSetupError(
            f"{' and '.join(missing)} not set: give the step "
            "`env: GITHUB_TOKEN: ${{ github.token }}` (or set GOODNEWS_GIT_REMOTE)"
        )
    server = urlsplit(environ.get("GITHUB_SERVER_URL") or "https://github.com")
    if server.scheme not in ("https", "http") or not server.netloc or "@" in server.netloc:
        raise RunSetupError(f"GITHUB_SERVER_URL is not a plain http(s) URL: {server.geturl()!r}")
    token, repository = environ["GITHUB_TOKEN"], environ["GITHUB_REPOSITORY"]
    return f"{server.scheme}://{TOKEN_USER}:{token}@{server.netloc}/{repository}.git"


def crawl_argv(environ: Mapping[str, str], spider: str, summary_file: Path) -> list[str]:
    """``scrapy crawl`` as this job runs it (``argv[0]`` included)."""
    site = environ.get("GOODNEWS_SITE_DIR") or environ.get("GITHUB_WORKSPACE") or os.getcwd()
    argv = ["scrapy", "crawl", spider]
    for argument, name, input_name in SPIDER_ARGUMENTS:
        value = (environ.get(input_name) or environ.get(name) or "").strip()
        if value:
            argv += ["-a", f"{argument}={value}"]
    settings = [
        f"SITE_DIR={Path(site).resolve()}",
        "PUBLISH=git",
        f"PUBLISH_GIT_REMOTE_ENV={REMOTE_ENV}",
        f"GOODNEWS_SUMMARY_FILE={summary_file}",
    ]
    if environ.get("GITHUB_REF_NAME"):
        settings.append(f"PUBLISH_GIT_BRANCH={environ['GITHUB_REF_NAME']}")
    # The user's lines come last: they may override any of the above.
    settings += settings_lines(environ.get("GOODNEWS_SETTINGS", ""))
    for setting in settings:
        argv += ["-s", setting]
    return argv


def only_spider() -> str:
    """``GOODNEWS_SPIDER``, else the project's only spider, else ntdtv (the one site of old)."""
    if os.environ.get("GOODNEWS_SPIDER"):
        return os.environ["GOODNEWS_SPIDER"]
    from scrapy.spiderloader import get_spider_loader
    from scrapy.utils.project import get_project_settings

    from goodnews_scraper.store.upgrade import LEGACY_SITE

    names = get_spider_loader(get_project_settings()).list()
    if len(names) != 1 and LEGACY_SITE in names:
        # Workflows written when the project had one spider name none.
        return LEGACY_SITE
    if len(names) != 1:
        raise RunSetupError(f"set GOODNEWS_SPIDER to one of: {', '.join(sorted(names))}")
    return names[0]


def step_summary(summary: str, status: int) -> str:
    """The job summary page's section: Markdown, the run summary verbatim."""
    verdict = "passed" if status == 0 else f"failed (exit status {status})"
    return f"### Mirror run {verdict}\n\n```text\n{summary}\n```\n"


def _say(line: str) -> None:
    sys.stdout.flush()
    print(line, file=sys.stderr, flush=True)


def _run_crawl(argv: Sequence[str]) -> int:
    try:
        execute(list(argv))
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0


def main(extra: Sequence[str] = ()) -> int:
    """Run the crawl as the job's environment says; returns its exit status."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "goodnews_scraper.settings")
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    with tempfile.TemporaryDirectory(
        prefix="goodnews-run-", dir=os.environ.get("RUNNER_TEMP") or None
    ) as tmp:
        summary_file = Path(tmp) / "summary.txt"
        try:
            os.environ[REMOTE_ENV] = git_remote(os.environ)
            argv = [*crawl_argv(os.environ, only_spider(), summary_file), *extra]
        except RunSetupError as error:
            _say(f"github_actions: error: {error}")
            return EXIT_SETUP_ERROR
        status = _run_crawl(argv)
        summary = summary_file.read_text("utf-8").rstrip() if summary_file.exists() else ""
    if status and in_actions:
        # An annotation: the reason is on the run's page, not only deep in the log.
        _say(f"::error title=Mirror run failed::exit status {status}; see the log's last lines")
    if not summary:
        summary = f"No run summary: the crawl stopped before its end (exit status {status})."
    _say(summary)
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as page:
            page.write(step_summary(summary, status))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
