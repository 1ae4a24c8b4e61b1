"""A fresh disk against a published tree: real crawls, a real git remote and a
real S3 server. It fetches what a run reads, and publishes what a full restore would."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from goodnews_scraper.mirror.tree import PUBLISHED_ONLY, RUN_INPUTS, MirrorTree
from goodnews_scraper.publishing.base import is_tree_file
from tests.crawl import run_render
from tests.fixture_site import FixtureServer
from tests.publish_git_remote import bare_remote, git, remote_files, site_files
from tests.publish_s3_server import ACCESS_KEY, SECRET_KEY, S3Server, s3_server
from tests.test_publish_git import NEW_ARTICLE_FILES, ok, site_gains_an_article
from tests.test_publish_git import crawl as git_crawl
from tests.test_publish_s3 import PREFIX, bodies, published_only, tree
from tests.test_publish_s3 import crawl as s3_crawl
from tests.test_publish_s3 import ok as s3_ok


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with s3_server() as running:
        yield running


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)


#: One entry a feed, so that most records are not what a run reads.
FEEDS = {"ATOM_ENTRIES": "1"}


def read_inputs(site: Path) -> set[str]:
    """What a run reads of the tree published from ``site``: the inputs and the feeds' records."""
    paths = {path for path in site_files(site) if any(path.startswith(item) for item in RUN_INPUTS)}
    return paths | set(MirrorTree(site).feed_records(1))


def blobs(site: Path) -> set[str]:
    """Ids of the blobs the clone holds (listing them fetches nothing)."""
    listed = git(
        "cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectname)", cwd=site
    )
    return {line.split()[1] for line in listed.splitlines() if line.startswith("blob ")}


def test_a_fresh_git_disk_fetches_what_the_run_reads_and_pushes_what_a_full_clone_does(
    server: FixtureServer, tmp_path: Path
) -> None:
    partial_remote = bare_remote(tmp_path / "partial.git")
    ok(git_crawl(server, tmp_path / "first", partial_remote))
    full_remote = tmp_path / "full.git"
    subprocess.run(["git", "clone", "-q", "--bare", partial_remote, full_remote], check=True)
    published = remote_files(partial_remote)
    old_pages = [path for path in published if re.fullmatch(r"pages/.*\.(md|png)", path)]

    with site_gains_an_article(server):
        partial = ok(git_crawl(server, tmp_path / "partial", partial_remote, **FEEDS))
        ok(git_crawl(server, tmp_path / "full", full_remote, PUBLISH_RESTORE_ALL="True", **FEEDS))

    # The same published result as a full clone.
    assert remote_files(partial_remote) == remote_files(full_remote)
    assert "published files left on the remote" in partial.log
    # On disk: what the run reads, and the new article's files; nothing else.
    site = tmp_path / "partial"
    on_disk = {path for path in site_files(site) if is_tree_file(path)}
    assert on_disk - NEW_ARTICLE_FILES <= read_inputs(tmp_path / "first")
    assert on_disk >= NEW_ARTICLE_FILES
    # No page was fetched, not even as a git object.
    head = git("rev-parse", "HEAD~1", cwd=site).strip()
    old_blobs = {git("rev-parse", f"{head}:{path}", cwd=site).strip() for path in old_pages}
    assert old_blobs and not old_blobs & blobs(site)
    assert git("rev-parse", "--is-shallow-repository", cwd=site).strip() == "true"

    # A run with nothing new on the same disk changes nothing.
    again = ok(git_crawl(server, site, partial_remote, **FEEDS))
    assert "nothing to publish" in again.log

    # scrapy render needs every file: it fetches them, and renders the same tree.
    rendered = run_render(
        site, "PUBLISH=git", f"PUBLISH_GIT_REMOTE={partial_remote}", "ATOM_ENTRIES=1"
    )
    assert rendered.returncode == 0, rendered.stderr
    assert "fetched" in rendered.stderr
    assert not (site / PUBLISHED_ONLY).exists()
    assert run_render(tmp_path / "full", "ATOM_ENTRIES=1").returncode == 0
    assert {p: b for p, b in site_files(site).items() if is_tree_file(p)} == {
        p: b for p, b in site_files(tmp_path / "full").items() if is_tree_file(p)
    }


def test_render_of_a_partial_tree_without_publish_says_what_to_set(
    server: FixtureServer, tmp_path: Path
) -> None:
    remote = bare_remote(tmp_path / "remote.git")
    ok(git_crawl(server, tmp_path / "first", remote))
    ok(git_crawl(server, tmp_path / "fresh", remote))
    rendered = run_render(tmp_path / "fresh")
    assert rendered.returncode == 2
    assert f"listed in {PUBLISHED_ONLY}); set PUBLISH" in rendered.stderr


@pytest.mark.usefixtures("credentials")
def test_a_fresh_s3_disk_downloads_what_the_run_reads_and_uploads_what_a_full_restore_does(
    server: FixtureServer, s3: S3Server, tmp_path: Path
) -> None:
    partial_bucket, full_bucket = s3.new_bucket(), s3.new_bucket()
    s3_ok(s3_crawl(server, tmp_path / "first", s3, partial_bucket))
    for key, held in s3.objects(partial_bucket, PREFIX).items():
        s3.put(full_bucket, PREFIX + key, held["body"], held["content_type"])

    with site_gains_an_article(server):
        s3_ok(s3_crawl(server, tmp_path / "partial", s3, partial_bucket, **FEEDS))
        s3_ok(
            s3_crawl(
                server, tmp_path / "full", s3, full_bucket, PUBLISH_RESTORE_ALL="True", **FEEDS
            )
        )
    assert bodies(s3, partial_bucket) == bodies(s3, full_bucket)
    site = tmp_path / "partial"
    on_disk = set(tree(site))
    assert on_disk - NEW_ARTICLE_FILES <= read_inputs(tmp_path / "first")
    assert set(bodies(s3, partial_bucket)) == on_disk | set(published_only(site))
