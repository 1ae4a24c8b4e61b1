"""Publishing to an S3-compatible bucket: real crawls against the fixture site, a real
S3 server (moto in server mode on 127.0.0.1), and the S3 publisher on its own."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from scrapy.settings import Settings

from goodnews_scraper.mirror.tree import PUBLISHED_ONLY
from goodnews_scraper.publishing.base import PublishError, PublishSettingError, is_tree_file
from goodnews_scraper.publishing.config import publisher_from_settings
from goodnews_scraper.publishing.s3 import S3Publisher, S3Target, content_type
from tests.crawl import CrawlResult, new_article_files, run_crawl
from tests.fixture_site import FixtureServer, build_site
from tests.fixture_site.content import NEW_ARTICLE, with_new_article
from tests.publish_s3_server import ACCESS_KEY, REGION, SECRET_KEY, S3Server, s3_server

SECTIONS = "sections=prog1699,prog1138"
PREFIX = "mirror/gb/"
NEW_ARTICLE_FILES = new_article_files(NEW_ARTICLE.id, "prog1699")


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with s3_server() as running:
        yield running


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Credentials as on a server: in the environment, where botocore finds them."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)


@contextmanager
def site_gains_an_article(server: FixtureServer) -> Iterator[None]:
    arts, secs = with_new_article(path="prog1699")
    server.rebuild(lambda origin: build_site(origin, articles=arts, sections=secs))
    try:
        yield
    finally:
        server.rebuild(build_site)


def crawl(
    server: FixtureServer, site: Path, s3: S3Server, bucket: str, **settings: str
) -> CrawlResult:
    publish = {
        "PUBLISH": "s3",
        "PUBLISH_S3_URI": f"s3://{bucket}/{PREFIX}",
        "PUBLISH_S3_ENDPOINT_URL": s3.endpoint_url,
        **settings,
    }
    return run_crawl(server.origin, site, SECTIONS, settings=publish)


def ok(result: CrawlResult) -> CrawlResult:
    assert result.returncode == 0, result.log[-3000:]
    assert result.stat("goodnews/publish/succeeded") == 1, result.log[-3000:]
    return result


def tree(site: Path) -> dict[str, bytes]:
    """The files of the tree on disk (not the publisher's own hidden files)."""
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file() and is_tree_file(path.relative_to(site).as_posix())
    }


def published_only(site: Path) -> list[str]:
    path = site / PUBLISHED_ONLY
    return path.read_text().splitlines() if path.exists() else []


def bodies(s3: S3Server, bucket: str) -> dict[str, bytes]:
    return {key: held["body"] for key, held in s3.objects(bucket, PREFIX).items()}


# --- end to end: scrapy crawl -----------------------------------------------------------
@pytest.mark.usefixtures("credentials")
def test_runs_upload_everything_then_nothing_then_just_what_changed(
    server: FixtureServer, s3: S3Server, tmp_path: Path
) -> None:
    bucket, site = s3.new_bucket(), tmp_path / "site"
    s3.put(bucket, "index.html", b"<p>the host's own page</p>", "text/html")

    first = ok(crawl(server, site, s3, bucket))
    held = s3.objects(bucket, PREFIX)
    assert bodies(s3, bucket) == tree(site)
    assert {"README.md", "indexes/prog1699.json"} <= set(held)
    assert first.log.index("Stored mirror feed") < first.log.index("Published:")
    for key, got in held.items():
        assert got["content_type"] == content_type(key)
    assert held["README.md"]["content_type"] == "text/markdown; charset=utf-8"
    assert held[f"pages/prog1138/{next(iter(site.glob('pages/prog1138/*.png'))).name}"][
        "content_type"
    ] == ("image/png")
    assert first.stat("goodnews/publish/files") == len(held)
    assert SECRET_KEY not in first.log

    assert sorted(s3.uploads(bucket)) == sorted(["index.html", *(PREFIX + key for key in held)])

    second = ok(crawl(server, site, s3, bucket))
    assert second.stat("goodnews/publish/files") == 0
    assert second.stat("goodnews/publish/files_unchanged") == len(held)
    assert len(s3.uploads(bucket)) == len(held) + 1  # no upload since

    with site_gains_an_article(server):
        third = ok(crawl(server, site, s3, bucket))
    assert third.stat("goodnews/publish/files") == len(NEW_ARTICLE_FILES)
    assert f"uploaded {len(NEW_ARTICLE_FILES)} files (ntdtv: 1 new article in prog1699)" in (
        third.log
    )
    uploaded = s3.uploads(bucket)[len(held) + 1 :]
    assert sorted(uploaded) == sorted(PREFIX + path for path in NEW_ARTICLE_FILES)
    assert uploaded[-1] == PREFIX + "README.md"  # the home page last: its links all work
    assert bodies(s3, bucket) == tree(site)
    # Nothing outside the tree was touched.
    assert s3.objects(bucket)["index.html"]["body"] == b"<p>the host's own page</p>"


@pytest.mark.usefixtures("credentials")
def test_a_fresh_site_dir_starts_from_what_the_bucket_holds(
    server: FixtureServer, s3: S3Server, tmp_path: Path
) -> None:
    """As on Scrapy Cloud, where each job starts on an empty disk."""
    bucket = s3.new_bucket()
    ok(crawl(server, tmp_path / "first", s3, bucket))
    published = bodies(s3, bucket)
    s3.put(bucket, PREFIX + "pages/prog1699/a1.md", b"kept from an earlier crawl\n")
    with site_gains_an_article(server):
        fresh = ok(crawl(server, tmp_path / "fresh", s3, bucket))
    assert f"{len(published) + 1} files in s3://{bucket}/{PREFIX}" in fresh.log
    # A page the run does not read stays in the bucket, and the tree knows it.
    assert not (tmp_path / "fresh" / "pages/prog1699/a1.md").exists()
    assert "pages/prog1699/a1.md" in published_only(tmp_path / "fresh")
    # Indexes grew from the published ones instead of starting over.
    assert fresh.stat("goodnews/publish/files") == len(NEW_ARTICLE_FILES)
    held, on_disk = bodies(s3, bucket), tree(tmp_path / "fresh")
    assert {path: held[path] for path in on_disk} == on_disk
    assert set(held) == set(on_disk) | set(published_only(tmp_path / "fresh"))


@pytest.mark.usefixtures("credentials")
def test_an_unfinished_crawl_uploads_nothing_and_says_so(
    server: FixtureServer, s3: S3Server, tmp_path: Path
) -> None:
    bucket = s3.new_bucket()
    result = crawl(server, tmp_path / "site", s3, bucket, CLOSESPIDER_ITEMCOUNT="1")
    assert "'finish_reason': 'closespider_itemcount'" in result.log
    assert result.stat("goodnews/publish/skipped") == 1
    assert "Not publishing to s3://" in result.log
    assert s3.objects(bucket) == {}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.usefixtures("credentials")
def test_an_unreachable_endpoint_stops_the_crawl_at_start_in_one_line(
    server: FixtureServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")  # botocore's own: no retries to wait for
    site = tmp_path / "site"
    settings = {
        "PUBLISH": "s3",
        "PUBLISH_S3_URI": "s3://mirror/x",
        "PUBLISH_S3_ENDPOINT_URL": f"http://127.0.0.1:{closed_port()}",
    }
    server.requests.clear()
    result = run_crawl(server.origin, site, SECTIONS, settings=settings)
    (line,) = [line for line in result.log.splitlines() if "Publishing failed:" in line]
    assert "ERROR" in line and "cannot list s3://mirror/x/" in line
    assert "(PUBLISH_S3_ENDPOINT_URL)" in line
    assert "'finish_reason': 'publish_setup_failed'" in result.log
    assert result.stat("goodnews/publish/failed") == 1
    assert result.returncode == 1
    assert not [path for path in server.requests if path.endswith(".html")]


# --- the publisher on its own -------------------------------------------------------------
def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for relpath, data in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data)


def publisher(root: Path, s3: S3Server, bucket: str, prefix: str = PREFIX) -> S3Publisher:
    target = S3Target(
        bucket=bucket,
        prefix=prefix,
        endpoint_url=s3.endpoint_url,
        region=REGION,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
    )
    return S3Publisher(root, target)


def test_only_new_and_changed_files_are_uploaded_and_none_deleted(
    s3: S3Server, tmp_path: Path
) -> None:
    bucket, site = s3.new_bucket(), tmp_path / "site"
    write_tree(
        site,
        {
            "README.md": b"home",
            "pages/p1/a1.md": b"one",
            "pages/p1/a1.png": b"\x89PNG...",
            "images/ab/cd.jpg": b"\xff\xd8jpeg",
            ".goodnews-tmp-x": b"half written",
        },
    )
    s3_site = publisher(site, s3, bucket)
    s3_site.prepare()
    first = s3_site.publish("ntdtv")
    assert first.published == ("images/ab/cd.jpg", "pages/p1/a1.md", "pages/p1/a1.png", "README.md")
    assert s3.objects(bucket, PREFIX)["images/ab/cd.jpg"]["content_type"] == "image/jpeg"

    (site / "pages/p1/a1.md").unlink()
    (site / "README.md").write_bytes(b"home, changed")
    write_tree(site, {"pages/p1/a2.md": b"two"})
    second = s3_site.publish("ntdtv")
    assert second.published == ("pages/p1/a2.md", "README.md")
    assert second.unchanged == 3  # the bucket still holds a1.md (nothing is deleted)
    held = bodies(s3, bucket)
    assert held["pages/p1/a1.md"] == b"one"  # deleted locally, kept in the bucket
    assert held["README.md"] == b"home, changed"
    assert ".goodnews-tmp-x" not in held
    assert s3_site.publish("ntdtv").published == ()


def test_prepare_restores_missing_files_and_keeps_local_ones(s3: S3Server, tmp_path: Path) -> None:
    bucket, site = s3.new_bucket(), tmp_path / "site"
    for key, body in {
        "README.md": b"published home",
        "pages/p1/a1.md": b"one",
        "../escape.md": b"no",
        "pages//empty.md": b"no",
        ".hidden/x": b"no",
    }.items():
        s3.put(bucket, PREFIX + key, body)
    s3.put(bucket, "elsewhere/b.md", b"not under the prefix")
    write_tree(site, {"README.md": b"local home"})
    summary = publisher(site, s3, bucket).prepare()
    found = f"5 files in s3://{bucket}/{PREFIX} at {s3.endpoint_url}"
    # A page is not what a run reads: listed, not downloaded, until all is asked for.
    assert summary == f"{found}; 1 left in the bucket (not needed by a run)"
    assert tree(site) == {"README.md": b"local home"}
    assert published_only(site) == ["pages/p1/a1.md"]
    assert publisher(site, s3, bucket).restore_all() == 1
    assert tree(site) == {"README.md": b"local home", "pages/p1/a1.md": b"one"}
    assert published_only(site) == []
    assert not (tmp_path / "escape.md").exists()


def test_a_missing_bucket_is_named(s3: S3Server, tmp_path: Path) -> None:
    with pytest.raises(PublishError) as raised:
        publisher(tmp_path, s3, "no-such-bucket").prepare()
    assert raised.value.setting == "PUBLISH_S3_URI"
    assert "bucket 'no-such-bucket' does not exist" in str(raised.value)


def test_no_credentials_anywhere_is_named(
    s3: S3Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    # Keep botocore off ~/.aws and the instance metadata address: 127.0.0.1 only.
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    target = S3Target(bucket=s3.new_bucket(), endpoint_url=s3.endpoint_url, region=REGION)
    with pytest.raises(PublishError, match="no credentials found") as raised:
        S3Publisher(tmp_path, target).prepare()
    assert raised.value.setting == "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"PUBLISH_S3_URI": ""}, "PUBLISH=s3 needs PUBLISH_S3_URI"),
        ({"PUBLISH_S3_URI": "https://bucket/x"}, "expected s3://BUCKET"),
        ({"PUBLISH_S3_URI": "s3://key:secret@bucket/x"}, "without credentials"),
        ({"PUBLISH_S3_URI": "s3://Bad_Bucket/x"}, "is not a bucket name"),
        ({"PUBLISH_S3_URI": "s3://bucket/a/../b"}, "is not a key prefix"),
        ({"PUBLISH_S3_ENDPOINT_URL": "127.0.0.1:9000"}, "PUBLISH_S3_ENDPOINT_URL must be"),
    ],
)
def test_bad_s3_settings_are_named(settings: dict[str, str], message: str) -> None:
    values = Settings({"PUBLISH": "s3", "PUBLISH_S3_URI": "s3://bucket/x", "SITE_DIR": "site"})
    values.setdict(settings)
    with pytest.raises(PublishSettingError, match=message.replace(".", r"\.")) as raised:
        publisher_from_settings(values)
    assert "secret" not in str(raised.value)


def test_settings_build_the_target() -> None:
    values = Settings(
        {
            "PUBLISH": "s3",
            "SITE_DIR": "site",
            "PUBLISH_S3_URI": "s3://my-bucket/mirror/gb/",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9000",
            "AWS_REGION_NAME": "eu-west-1",
            "AWS_VERIFY": "False",
            "PUBLISH_S3_ACL": "public-read",
        }
    )
    found = publisher_from_settings(values)
    assert isinstance(found, S3Publisher)
    assert found.target == S3Target(
        bucket="my-bucket",
        prefix="mirror/gb/",
        endpoint_url="http://127.0.0.1:9000",
        region="eu-west-1",
        acl="public-read",
        verify=False,
    )
