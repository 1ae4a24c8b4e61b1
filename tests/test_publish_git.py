"""Publishing to git: real crawls against the fixture site, real git remotes on disk
(and one over HTTP with a token), and the git publisher on its own."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from goodnews_scraper.extensions.publish import PublishExtension
from goodnews_scraper.mirror.tree import PUBLISHED_ONLY
from goodnews_scraper.publishing.base import PublishError, PublishSettingError
from goodnews_scraper.publishing.config import publisher_from_settings
from goodnews_scraper.publishing.git import GitPublisher, GitTarget
from goodnews_scraper.publishing.redact import mask_url, redact
from goodnews_scraper.publishing.summary import commit_message
from tests.crawl import CrawlResult, new_article_files, run_crawl
from tests.fixture_site import FixtureServer, build_site
from tests.fixture_site.content import NEW_ARTICLE, with_new_article
from tests.publish_git_http import GitHttpServer
from tests.publish_git_remote import (
    bare_remote,
    commit_subjects,
    files_of_commit,
    git,
    push_other_commit,
    refuse_pushes,
    remote_files,
    site_files,
)

SECTIONS = "sections=prog1699,prog1138"
TOKEN = "ghp-test-SECRET-0123456789"
NEW_PAGE = f"pages/prog1699/{NEW_ARTICLE.id}"
NEW_ARTICLE_FILES = new_article_files(NEW_ARTICLE.id, "prog1699")


@contextmanager
def site_gains_an_article(server: FixtureServer) -> Iterator[None]:
    arts, secs = with_new_article(path="prog1699")
    server.rebuild(lambda origin: build_site(origin, articles=arts, sections=secs))
    try:
        yield
    finally:
        server.rebuild(build_site)


def crawl(server: FixtureServer, site: Path, remote: Path | str, **settings: str) -> CrawlResult:
    publish = {"PUBLISH": "git", "PUBLISH_GIT_REMOTE": str(remote), **settings}
    return run_crawl(server.origin, site, SECTIONS, settings=publish)


def ok(result: CrawlResult) -> CrawlResult:
    assert result.returncode == 0, result.log[-3000:]
    assert result.stat("goodnews/publish/succeeded") == 1, result.log[-3000:]
    return result


def expected_subject(site: Path) -> str:
    """What the first commit of a tree must say, counted from its pages."""
    counts: dict[str, int] = {}
    for page in site.glob("pages/*/*.md"):
        counts[page.parent.name] = counts.get(page.parent.name, 0) + 1
    slugs = sorted(counts, key=lambda slug: (-counts[slug], slug))
    return f"ntdtv: {sum(counts.values())} new articles in {', '.join(slugs)}"


def error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if "Publishing failed:" in line]


# --- end to end: scrapy crawl -----------------------------------------------------------
def test_runs_push_the_tree_then_nothing_then_just_what_changed(
    server: FixtureServer, tmp_path: Path
) -> None:
    remote, site = bare_remote(tmp_path / "remote.git"), tmp_path / "site"

    first = ok(crawl(server, site, remote))
    assert remote_files(remote) == site_files(site)
    # Indexes and home page are written when the mirror feed closes: published after it.
    assert {"README.md", "indexes/prog1699.json", "indexes/prog1138.md"} <= set(site_files(site))
    assert first.log.index("Stored mirror feed") < first.log.index("Published:")
    assert commit_subjects(remote) == [expected_subject(site)]
    assert first.stat("goodnews/publish/files") == len(site_files(site))

    second = ok(crawl(server, site, remote))
    assert len(commit_subjects(remote)) == 1
    assert second.stat("goodnews/publish/commits") == 0
    assert "nothing to publish" in second.log

    with site_gains_an_article(server):
        third = ok(crawl(server, site, remote))
    assert commit_subjects(remote)[0] == "ntdtv: 1 new article in prog1699"
    assert files_of_commit(remote) == NEW_ARTICLE_FILES
    assert third.stat("goodnews/publish/files") == len(NEW_ARTICLE_FILES)
    assert remote_files(remote) == site_files(site)


@pytest.fixture(scope="module")
def cloned(
    server: FixtureServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, Path, CrawlResult, list[str]]:
    """A first machine publishes; someone adds a file; a fresh SITE_DIR crawls again."""
    base = tmp_path_factory.mktemp("cloned")
    remote, first_site, fresh_site = bare_remote(base / "remote.git"), base / "a", base / "b"
    ok(crawl(server, first_site, remote))
    push_other_commit(remote, base / "other", ".github/CODEOWNERS", "* @someone\n")
    server.requests.clear()
    result = ok(crawl(server, fresh_site, remote))
    return remote, first_site, fresh_site, result, list(server.requests)


def test_a_fresh_site_dir_starts_from_the_remote_and_keeps_its_files(
    cloned: tuple[Path, Path, Path, CrawlResult, list[str]],
) -> None:
    remote, first_site, fresh_site, result, _ = cloned
    assert "SITE_DIR now tracks" in result.log
    # What a run reads is on disk, the rest is listed; no new commit, and the
    # file the mirror does not own is still there.
    published = {**site_files(first_site), ".github/CODEOWNERS": b"* @someone\n"}
    on_disk = site_files(fresh_site)
    listed = on_disk.pop(PUBLISHED_ONLY).decode().splitlines()
    assert {path: published[path] for path in on_disk} == on_disk
    assert set(on_disk) | set(listed) | {".github/CODEOWNERS"} == set(published)
    assert not [path for path in on_disk if path.startswith("pages/")]
    assert len(commit_subjects(remote)) == 2
    assert ".github/CODEOWNERS" in remote_files(remote)


def test_a_fresh_clone_spares_the_article_requests(
    cloned: tuple[Path, Path, Path, CrawlResult, list[str]],
) -> None:
    requests = cloned[4]
    assert not [path for path in requests if path.endswith(".html")]


def test_a_remote_that_moved_is_rebased_once_and_its_commit_kept(
    server: FixtureServer, tmp_path: Path
) -> None:
    remote, site = bare_remote(tmp_path / "remote.git"), tmp_path / "site"
    ok(crawl(server, site, remote))
    push_other_commit(remote, tmp_path / "other", "NOTICE.md", "Mirror of ntdtv.com\n")
    with site_gains_an_article(server):
        result = ok(crawl(server, site, remote))
    assert result.stat("goodnews/publish/rebased") == 1
    assert commit_subjects(remote)[:2] == ["ntdtv: 1 new article in prog1699", "other: NOTICE.md"]
    assert files_of_commit(remote) == NEW_ARTICLE_FILES
    assert remote_files(remote) == site_files(site)


def test_a_refusing_remote_keeps_tree_and_commit_for_the_next_run(
    server: FixtureServer, tmp_path: Path
) -> None:
    remote, site = bare_remote(tmp_path / "remote.git"), tmp_path / "site"
    ok(crawl(server, site, remote))
    refuse_pushes(remote)
    with site_gains_an_article(server):
        refused = crawl(server, site, remote)
    assert refused.stat("goodnews/publish/failed") == 1
    assert refused.returncode == 1
    (line,) = error_lines(refused.log)
    assert "ERROR" in line and "PUBLISH_GIT_REMOTE" in line
    assert "pushes are frozen today" in line and "kept in SITE_DIR" in line
    assert len(commit_subjects(remote)) == 1
    assert commit_subjects(site, "HEAD")[0] == "ntdtv: 1 new article in prog1699"
    assert (site / f"{NEW_PAGE}.md").is_file()

    refuse_pushes(remote, refuse=False)
    later = ok(crawl(server, site, remote))  # the site has nothing new: the kept commit goes
    assert later.stat("goodnews/publish/commits") == 0
    assert commit_subjects(remote)[0] == "ntdtv: 1 new article in prog1699"
    assert remote_files(remote) == site_files(site)


def test_an_unfinished_crawl_publishes_nothing_and_says_so(
    server: FixtureServer, tmp_path: Path
) -> None:
    remote, site = bare_remote(tmp_path / "remote.git"), tmp_path / "site"
    result = crawl(server, site, remote, CLOSESPIDER_ITEMCOUNT="1")
    assert "'finish_reason': 'closespider_itemcount'" in result.log
    assert result.stat("goodnews/publish/skipped") == 1
    assert "Not publishing to git" in result.log and "closespider_itemcount" in result.log
    assert commit_subjects(remote) == []
    assert not error_lines(result.log)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


BAD_REMOTES = {
    "missing": (
        {"PUBLISH_GIT_REMOTE": "", "PUBLISH_GIT_REMOTE_ENV": "GOODNEWS_TEST_UNSET_VARIABLE"},
        "PUBLISH=git needs a remote: set PUBLISH_GIT_REMOTE or the environment variable "
        "GOODNEWS_TEST_UNSET_VARIABLE",
    ),
    "bad URL": ({"PUBLISH_GIT_REMOTE": "htps://example.invalid/x.git"}, "PUBLISH_GIT_REMOTE must"),
    "unreachable": (
        {"PUBLISH_GIT_REMOTE": f"https://bot:{TOKEN}@127.0.0.1:{closed_port()}/x.git"},
        "cannot read git remote https://***@127.0.0.1:",
    ),
}


@pytest.mark.parametrize("case", list(BAD_REMOTES))
def test_a_bad_remote_stops_the_crawl_at_start_in_one_line(
    server: FixtureServer, tmp_path: Path, case: str
) -> None:
    settings, message = BAD_REMOTES[case]
    site = tmp_path / "site"
    server.requests.clear()
    result = crawl(server, site, "", **settings)
    # One line, from the extension, or from the crawl command's start-up check if
    # it checks publishing settings too; either way before any article is requested.
    starts = ("Publishing failed:", "scrapy crawl: error:")
    (line,) = [line for line in result.log.splitlines() if any(s in line for s in starts)]
    assert message in line and "PUBLISH_GIT_REMOTE" in line
    assert TOKEN not in result.log
    assert result.returncode != 0
    assert not [path for path in server.requests if path.endswith(".html")]
    assert not (site / ".git").exists()


def test_a_token_from_the_environment_pushes_over_http_and_stays_secret(
    server: FixtureServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote, site = bare_remote(tmp_path / "repos" / "mirror.git"), tmp_path / "site"
    with GitHttpServer(tmp_path / "repos", "bot", TOKEN) as http:
        monkeypatch.setenv("GOODNEWS_GIT_REMOTE", http.url("mirror.git"))
        result = ok(run_crawl(server.origin, site, SECTIONS, settings={"PUBLISH": "git"}))
    assert remote_files(remote) == site_files(site)
    assert f"git http://***@127.0.0.1:{http.port}/mirror.git branch main" in result.log
    assert TOKEN not in result.log
    for path in (site / ".git").rglob("*"):
        assert not path.is_file() or TOKEN.encode() not in path.read_bytes(), path


# --- the publisher on its own -------------------------------------------------------------
def write_tree(root: Path, files: dict[str, str]) -> None:
    for relpath, text in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text, "utf-8")


def publisher(root: Path, remote: Path | str) -> GitPublisher:
    return GitPublisher(root, GitTarget(str(remote)))


def test_deleted_files_are_restored_and_never_deleted_from_the_remote(tmp_path: Path) -> None:
    remote, site = bare_remote(tmp_path / "remote.git"), tmp_path / "site"
    write_tree(site, {"README.md": "home", "pages/p1/a1.md": "one", "pages/p1/a2.md": "two"})
    git_site = publisher(site, remote)
    git_site.prepare()
    git_site.publish("ntdtv")
    (site / "pages/p1/a1.md").unlink()
    (site / "README.md").write_text("home, changed")
    result = git_site.publish("ntdtv")
    assert result.published == ("README.md",)
    assert remote_files(remote)["pages/p1/a1.md"] == b"one"
    git_site.prepare()  # the next run starts from the whole published tree
    assert (site / "pages/p1/a1.md").read_text() == "one"


def test_a_folder_holding_a_mirror_tree_keeps_its_files_and_gains_the_remote_ones(
    tmp_path: Path,
) -> None:
    remote = bare_remote(tmp_path / "remote.git")
    first = tmp_path / "first"
    write_tree(first, {"README.md": "old home", "pages/p1/a1.md": "one"})
    publisher(first, remote).prepare()
    publisher(first, remote).publish("ntdtv")
    site = tmp_path / "site"
    write_tree(site, {"README.md": "new home", "pages/p2/a9.md": "nine"})
    git_site = publisher(site, remote)
    assert "now tracks" in git_site.prepare()
    assert site_files(site) == {
        "README.md": b"new home",
        "pages/p1/a1.md": b"one",
        "pages/p2/a9.md": b"nine",
    }
    result = git_site.publish("ntdtv")
    assert commit_subjects(remote)[0] == "ntdtv: 1 new article in p2"
    assert set(result.published) == {"README.md", "pages/p2/a9.md"}


def test_a_folder_with_files_a_mirror_does_not_own_is_refused(tmp_path: Path) -> None:
    remote, site = bare_remote(tmp_path / "remote.git"), tmp_path / "site"
    write_tree(site, {"README.md": "home", "thesis.tex": "mine"})
    with pytest.raises(PublishError, match=r"does not own \(thesis\.tex\)") as raised:
        publisher(site, remote).prepare()
    assert raised.value.setting == "SITE_DIR"
    assert not (site / ".git").exists()


def test_site_dir_inside_another_repository_gets_a_repository_of_its_own(
    tmp_path: Path,
) -> None:
    outer = tmp_path / "project"
    write_tree(outer, {"setup.py": "", "site/README.md": "home"})
    git("init", "-q", "-b", "main", cwd=outer)
    git("add", "setup.py", cwd=outer)
    git("commit", "-q", "-m", "project", cwd=outer)
    remote = bare_remote(tmp_path / "remote.git")
    git_site = publisher(outer / "site", remote)
    git_site.prepare()
    git_site.publish("ntdtv")
    assert (outer / "site" / ".git").is_dir()
    assert remote_files(remote) == {"README.md": b"home"}
    assert commit_subjects(outer) == ["project"]


def test_a_remote_that_moved_in_conflict_is_reported_and_the_commit_kept(
    tmp_path: Path,
) -> None:
    remote, site = bare_remote(tmp_path / "remote.git"), tmp_path / "site"
    write_tree(site, {"README.md": "home"})
    git_site = publisher(site, remote)
    git_site.prepare()
    git_site.publish("ntdtv")
    push_other_commit(remote, tmp_path / "other", "README.md", "their home")
    (site / "README.md").write_text("our home")
    with pytest.raises(PublishError, match=r"does not rebase on it \(conflicts: README\.md\)"):
        git_site.publish("ntdtv")
    assert (site / "README.md").read_text() == "our home"
    assert commit_subjects(site, "HEAD")[0] == "ntdtv: update 1 file"
    assert git("status", "--porcelain", cwd=site) == ""  # no rebase left half done


def test_a_wrong_token_fails_cleanly_and_is_masked(tmp_path: Path) -> None:
    bare_remote(tmp_path / "repos" / "mirror.git")
    site = tmp_path / "site"
    with GitHttpServer(tmp_path / "repos", "bot", TOKEN) as http:
        url = http.url("mirror.git", token="wrong-" + TOKEN)
        with pytest.raises(PublishError) as raised:
            publisher(site, url).prepare()
    message = str(raised.value)
    assert "Authentication failed" in message and "PUBLISH_GIT_REMOTE" in message
    assert TOKEN not in message and "http://***@127.0.0.1" in message
    assert "\n" not in message


# --- settings, messages, masking ---------------------------------------------------------
def test_without_publish_the_extension_is_off() -> None:
    with pytest.raises(NotConfigured):
        PublishExtension.from_crawler(get_crawler(settings_dict={"PUBLISH": ""}))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"PUBLISH": "ftp"}, "PUBLISH must be empty, git or s3, got 'ftp'"),
        ({"PUBLISH_GIT_REMOTE": "ext::sh -c evil"}, "PUBLISH_GIT_REMOTE is not a git remote"),
        ({"PUBLISH_GIT_REMOTE": "ext::sh"}, "PUBLISH_GIT_REMOTE must be an https"),
        ({"PUBLISH_GIT_BRANCH": "main..x"}, "PUBLISH_GIT_BRANCH is not a branch name"),
        ({"PUBLISH_GIT_AUTHOR_NAME": "a <b>"}, "PUBLISH_GIT_AUTHOR_NAME must not hold"),
    ],
)
def test_bad_git_settings_are_named(settings: dict[str, str], message: str) -> None:
    values = Settings(
        {"PUBLISH": "git", "PUBLISH_GIT_REMOTE": "git@github.com:o/r.git", "SITE_DIR": "site"}
    )
    values.setdict(settings)
    with pytest.raises(PublishSettingError, match=message.replace("(", r"\(")):
        publisher_from_settings(values, environ={})


def test_the_remote_can_come_from_an_environment_variable(tmp_path: Path) -> None:
    settings = Settings(
        {"PUBLISH": "git", "SITE_DIR": str(tmp_path), "PUBLISH_GIT_REMOTE_ENV": "R"}
    )
    found = publisher_from_settings(settings, environ={"R": "https://t0ken@example.invalid/r"})
    assert isinstance(found, GitPublisher)
    assert found.target.remote_setting == "PUBLISH_GIT_REMOTE_ENV=R"
    assert found.destination == "git https://***@example.invalid/r branch main"


def test_credentials_are_masked_wherever_they_appear() -> None:
    url = "https://x-access-token:p%40ss@github.com/o/r.git"
    assert mask_url(f"fatal: {url} failed") == "fatal: https://***@github.com/o/r.git failed"
    assert redact("password p@ss leaked", ("p@ss",)) == "password *** leaked"
    assert mask_url("git@github.com:o/r.git") == "git@github.com:o/r.git"


def test_the_commit_message_counts_new_and_updated_articles_by_section(tmp_path: Path) -> None:
    added = ["pages/prog204/a1.md", "pages/prog204/a1.png", "pages/prog204/a2.md"]
    added += ["pages/news-china/a3.md", "indexes/prog204.json", "images/x.jpg"]
    message = commit_message("ntdtv", added, ["README.md", "pages/prog202/a4.md"], tmp_path)
    assert message.splitlines() == [
        "ntdtv: 3 new articles in prog204, news-china; 1 updated article",
        "",
        "- news-china: 1 new",
        "- prog202: 1 updated",
        "- prog204: 2 new",
        "",
        "Files: 6 added, 2 modified.",
    ]
