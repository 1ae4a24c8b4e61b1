"""Deployment: a real scrapyd (with and without items_dir) and the Scrapy Cloud egg."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawl import project_copy
from tests.fixture_site import FixtureServer
from tests.fixture_site.content import section
from tests.qr_decoders import zxing_decode
from tests.scrapyd_server import Scrapyd

MIRROR = "https://github.com/OWNER/REPO/blob/main"
SECRET = "0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module", params=[True, False], ids=["items_dir", "no_items_dir"])
def scrapyd(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scrapyd]:
    daemon = Scrapyd(tmp_path_factory.mktemp("scrapyd"), items_dir=request.param).start()
    try:
        deployed = daemon.deploy(daemon.home)
        assert deployed.returncode == 0, deployed.stdout + deployed.stderr
        yield daemon
    finally:
        daemon.stop()


def schedule(scrapyd: Scrapyd, server: FixtureServer, site: Path, *extra: tuple[str, str]) -> str:
    answer = scrapyd.post(
        "schedule.json",
        [
            ("project", "goodnews_scraper"),
            ("spider", "ntdtv"),
            ("sections", "prog1699,prog1138"),
            ("setting", f"SITE_DIR={site}"),
            ("setting", f"NTDTV_BASE_URL={server.origin}"),
            ("setting", f"MIRROR_BASE_URL={MIRROR}"),
            ("setting", "AUTOTHROTTLE_ENABLED=False"),
            ("setting", "DOWNLOAD_DELAY=0"),
            *extra,
        ],
    )
    assert answer["status"] == "ok", answer
    return str(answer["jobid"])


def test_scheduled_job_writes_the_tree(
    scrapyd: Scrapyd, server: FixtureServer, tmp_path: Path
) -> None:
    site = tmp_path / "mirror"
    job = schedule(scrapyd, server, site)
    scrapyd.wait_for(job)
    log = scrapyd.job_log(job)
    assert "Spider closed (finished)" in log, log[-3000:]
    assert "Traceback" not in log
    expected = {*section("prog1699").ids, *section("prog1138").ids}
    stored = {path.stem: path for path in site.glob("pages/*/*.md")}
    assert set(stored) == expected
    for article_id, page in stored.items():
        png = page.with_suffix(".png").read_bytes()
        slug = page.parent.name
        assert zxing_decode(png) == [f"{MIRROR}/pages/{slug}/{article_id}.md"]
    assert (site / "indexes" / "prog1699.md").is_file()
    assert (site / "README.md").is_file()
    if scrapyd.items_dir is not None:
        # Scrapyd's own item feed is written too, beside the tree.
        feed = scrapyd.items_dir / "goodnews_scraper" / "ntdtv" / f"{job}.jl"
        items = [json.loads(line) for line in feed.read_text("utf-8").splitlines()]
        assert {item.get("article_id") for item in items} >= expected
        assert "FEEDS was replaced" in log


def test_bad_setting_fails_the_job_at_start_in_one_line(
    scrapyd: Scrapyd, server: FixtureServer, tmp_path: Path
) -> None:
    site = tmp_path / "mirror"
    job = schedule(scrapyd, server, site, ("setting", "MIRROR_BASE_URL=ftp://nowhere"))
    scrapyd.wait_for(job)
    log = scrapyd.job_log(job)
    errors = [line for line in log.splitlines() if "error:" in line]
    assert len(errors) == 1 and "MIRROR_BASE_URL" in errors[0]
    assert "Spider opened" not in log
    assert not site.exists()


def test_scrapy_cloud_egg_carries_settings_and_templates(tmp_path: Path) -> None:
    egg = tmp_path / "project.egg"
    built = subprocess.run(
        [sys.executable, "-m", "shub", "deploy", "12345", "--build-egg", str(egg)],
        cwd=project_copy(tmp_path / "project"),
        env={**os.environ, "SHUB_APIKEY": SECRET},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert SECRET not in built.stdout + built.stderr
    with zipfile.ZipFile(egg) as archive:
        names = archive.namelist()
        assert not any(SECRET.encode() in archive.read(name) for name in names)
    assert "goodnews_scraper/templates/page.md.j2" in names
    # A fresh interpreter that only has the egg (not the source tree) on its path.
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from scrapy.utils.project import get_project_settings;"
        "import os; os.environ['SCRAPY_SETTINGS_MODULE'] = 'goodnews_scraper.settings';"
        "s = get_project_settings();"
        "import goodnews_scraper;"
        "assert goodnews_scraper.__file__.startswith(sys.argv[1]), goodnews_scraper.__file__;"
        "from goodnews_scraper.conversion.templates import load_templates;"
        "t = load_templates();"
        "loader = t['page.md.j2'].environment.loader.loaders[0];"
        "print(s['BOT_NAME'], sorted(t), type(loader).__name__)"
    )
    checked = subprocess.run(
        [sys.executable, "-c", probe, str(egg)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.split() == [
        "goodnews_scraper",
        "['home.md.j2',",
        "'index.md.j2',",
        "'page.html.j2',",
        "'page.md.j2']",
        "PackageLoader",
    ]
