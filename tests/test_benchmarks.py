"""The benchmark harness runs end to end on a tiny site and reports what it should.

A smoke test: it checks that every run happened and every figure is there
and sane (counts, files, sizes), never how fast anything was.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from benchmarks import large, photos, polite, run, stages, store_layout
from benchmarks.records import convert
from benchmarks.site import sections_of
from goodnews_scraper import settings as run_settings

ARTICLES = 16


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "result.json"
    assert (
        run.main(["--articles", str(ARTICLES), "--out", str(out), "--workdir", str(folder / "w")])
        == 0
    )
    data: dict[str, object] = json.loads(out.read_text("utf-8"))
    return data


def test_every_run_crawled_the_whole_site(result: dict) -> None:
    runs = result["runs"]
    expected = {"baseline", "baseline_stock", "mirror", "mirror_no_conversion", "rerun", "new"}
    assert expected <= set(runs)
    assert ("mirror_images" in runs) == result["images_measured"]
    assert runs["baseline"]["articles"] == runs["baseline_stock"]["articles"] == ARTICLES
    assert runs["mirror"]["articles"] == runs["mirror_no_conversion"]["articles"] == ARTICLES
    for name, data in runs.items():
        assert data["returncode"] == 0, name
        assert data["cpu_s"] > 0 and data["crawl_cpu_s"] > 0 and data["peak_rss_mb"] > 0


def test_throughput_and_stages_are_reported(result: dict) -> None:
    mirror = result["throughput"]["mirror"]
    assert mirror["articles"] == ARTICLES
    assert mirror["articles_per_s"] > 0 and mirror["throughput_vs_baseline"] > 0
    stages = result["stages"]["mirror"]
    for stage in ("parse", "clean", "markdown", "qr_code", "page_template", "write_pages"):
        assert stages[stage] > 0, stage
    assert stages["total"] >= sum(
        v for k, v in stages.items() if k not in ("total", "scrapy_and_rest")
    )


def test_reruns_request_and_write_what_they_should(result: dict) -> None:
    sections = len(result["sections"])
    rerun = result["rerun"]
    assert rerun["requests"] == {"total": sections + 1, "list": sections, "robots": 1}
    assert rerun["files_changed"] == 0
    new = result["new_articles"]
    assert len(new["new_ids"]) == 1
    assert new["requests"]["article"] == 1
    assert new["files_changed_by_kind"]["pages"] == new["files_changed_by_kind"]["qr_codes"] == 1
    assert set(new["index_files_changed"]) <= set(new["affected_index_files"])
    assert len(sections_of(ARTICLES)) * 2 + 1 >= len(new["index_files_changed"]) >= 3


def test_repository_figures_and_targets(result: dict) -> None:
    repo = result["repository"]
    assert repo["page"]["files"] == ARTICLES
    assert 0 < repo["qr_code"]["largest_bytes"] <= 500
    assert repo["index_files"] and repo["home_bytes"] > 0
    if result["images_measured"]:
        assert repo["images"]["files"] > 0
    names = [target["target"] for target in result["targets"]]
    assert "throughput, images off" in names and "QR code size" in names
    assert result["machine"]["cores"] and result["machine"]["file_create_cpu_ms"] > 0


def test_the_table_is_printed(result: dict) -> None:
    table = run.report(result)
    for heading in ("**Throughput**", "**Where the CPU goes**", "**Re-runs**", "**Targets**"):
        assert heading in table
    assert Path(run.BASELINE_SPIDER).is_file()


def test_stage_benchmark_times_every_stage_and_its_output_is_stable() -> None:
    """``benchmarks.stages``: each stage timed; the same pages give the same digests."""
    first = stages.measure(articles=6, repeat=1)
    again = stages.measure(articles=6, repeat=1)
    assert first["articles"] == 6
    names = ("parse", "clean", "markdown", "qr_code", "page_template")
    assert tuple(first["cpu_ms_per_article"]) == names
    assert all(value > 0 for value in first["cpu_ms_per_article"].values())
    assert first["digest"] == again["digest"]
    fixture = stages.measure(articles=0, repeat=1, fixture=True)
    assert fixture["articles"] > 25 and fixture["digest"] != first["digest"]


def _skimage_or_skip() -> None:
    """Skip without scikit-image, unless the run says it must be there."""
    try:
        import skimage  # noqa: F401
    except ImportError:
        if not os.environ.get("GOODNEWS_TESTS_NEED_SKIMAGE"):
            pytest.skip("scikit-image is not installed (GOODNEWS_TESTS_NEED_SKIMAGE unset)")
        raise


def test_photo_benchmark_on_one_photo_gives_the_whole_table() -> None:
    """``benchmarks.photos`` on one photograph: every encoding, sane sizes and SSIM."""
    _skimage_or_skip()
    result = photos.measure(["coffee"], per_day=40, sample=4)
    rows = result["encodings"]
    assert [(r["format"], r["quality"]) for r in rows] == list(photos.ENCODINGS)
    for row in rows:
        assert 0 < row["bytes"]["body"] < row["bytes"]["featured"] < 800 * 450 * 3
        assert 0 < row["ssim_min"] <= row["ssim_mean"] < 1
    for fmt in ("jpeg", "webp"):  # a higher quality costs bytes and buys SSIM
        same = [r for r in rows if r["format"] == fmt]
        assert [r["bytes"]["featured"] for r in same] == sorted(
            r["bytes"]["featured"] for r in same
        )
        assert [r["ssim_mean"] for r in same] == sorted(r["ssim_mean"] for r in same)
    names = {f"{r['format']} {r['quality']}": r for r in rows}
    today, best = names[result["today"]], names[result["recommended"]]
    assert result["today"] == f"jpeg {run_settings.IMAGES_JPEG_QUALITY}"
    assert best["ssim_mean"] >= today["ssim_mean"] and best["ssim_min"] >= today["ssim_min"]
    parts = result["per_article"]
    assert len(parts) == 5 and all(p["raw"] >= p["git"] > 0 for p in parts.values())
    assert result["per_article_git_bytes"] == sum(p["git"] for p in parts.values())
    assert result["years_in_1_gb"] == round(
        1e9 / (result["per_article_git_bytes"] * 40 * 365.25), 1
    )
    table = photos.report(result)
    header = next(line for line in table.splitlines() if line.startswith("| encoding"))
    lines = [line for line in table.splitlines() if line.startswith("| ")]
    # two tables, each with a header and a rule; the second ends with the total
    assert len(lines) == 2 + len(rows) + 2 + len(parts) + 1
    assert all(line.count("|") == header.count("|") for line in lines[: 2 + len(rows)])
    assert "**recommended**" in table


def test_store_layout_benchmark_writes_and_commits_both_layouts(tmp_path: Path) -> None:
    """``benchmarks.store_layout`` on 40 records and 2 days of 8: real files, real git."""
    result = store_layout.measure(
        records=40, days=2, per_day=8, workdir=tmp_path, layouts=store_layout.LAYOUTS
    )
    assert result["record_bytes_mean"] > 2000  # a converted body, not an empty record
    per_article, per_month = result["layouts"]["per_article"], result["layouts"]["per_month"]
    by_month = result["layouts"]["per_article_by_month"]
    for layout in (per_article, by_month):
        assert layout["store_files"] == 40 + 2 * 8
        assert layout["daily_run"]["files"] == 8
    # 8 consecutive articles fall in at most 8 sections' month files, usually fewer
    assert 1 <= per_month["daily_run"]["files"] <= 8 and per_month["store_files"] <= 16
    # a month file is rewritten whole: a day writes more bytes than the new records hold
    assert per_month["daily_run"]["bytes"] > per_article["daily_run"]["bytes"]
    for layout in (per_article, per_month, by_month):
        git = layout["git"]
        assert git["after_days_before_gc"]["count"] > git["after_first_commit"]["count"] > 0
        assert git["after_gc"]["count"] == 0 and git["after_gc"]["size_pack"] > 0
        assert git["push_last_day_bytes"] > 0
    assert "| per_article |" in store_layout.report(result)
    assert not any(tmp_path.iterdir())  # the repositories are removed


def test_polite_benchmark_runs_both_spiders_at_the_project_pace(tmp_path: Path) -> None:
    """``benchmarks.polite``, one article a section: both fetch the same pages at the same pace."""
    result = polite.measure(articles=8, delay=0.01, images=False, workdir=tmp_path)
    assert result["pace"]["AUTOTHROTTLE_ENABLED"] == str(run_settings.AUTOTHROTTLE_ENABLED)
    assert result["pace"]["DOWNLOAD_DELAY"] == str(run_settings.DOWNLOAD_DELAY)
    base, mirror = result["runs"]["baseline"], result["runs"]["mirror"]
    assert base["returncode"] == mirror["returncode"] == 0
    assert base["articles"] == mirror["articles"] == 8
    assert base["requests"] == mirror["requests"]
    assert result["wall_ratio"] > 0 and "Mirror / baseline" in polite.report(result)
    # Scrapy logs the settings each crawl ran with: the politeness of settings.py
    for log in (tmp_path / "baseline" / "baseline.log", tmp_path / "tree" / "mirror.log"):
        overridden = log.read_text().split("Overridden settings:", 1)[1].split("}", 1)[0]
        for name in ("AUTOTHROTTLE_ENABLED", "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS_PER_DOMAIN"):
            assert f"'{name}': '{getattr(run_settings, name)}'" in overridden, (log, name)


def test_store_layouts_put_a_record_where_they_say(tmp_path: Path) -> None:
    """The three layouts' paths, and a month file that keeps its records sorted by id."""
    first, second = convert([8, 16])  # one section, one month
    paths = {
        name: sorted(store_layout.Layout(name, tmp_path).files([second, first]))
        for name in store_layout.LAYOUTS
    }
    store = tmp_path / "store"
    assert paths["per_article"] == sorted(
        store / "articles" / c.slug / f"{c.record['article_id']}.json" for c in (first, second)
    )
    assert paths["per_article_by_month"] == sorted(
        store / "articles" / c.slug / c.month / f"{c.record['article_id']}.json"
        for c in (first, second)
    )
    assert paths["per_month"] == sorted(
        {store / c.slug / f"{c.month}.jsonl" for c in (first, second)}
    )
    (data,) = store_layout.Layout("per_month", tmp_path).files([second, first]).values()
    ids = [json.loads(line)["article_id"] for line in data.splitlines()]
    assert ids == [first.record["article_id"], second.record["article_id"]]


def test_large_benchmark_on_a_small_tree_reports_every_step(tmp_path: Path) -> None:
    """``benchmarks.large`` on 300 articles against 100: every step ran and agrees with the tree."""
    out = tmp_path / "large.json"
    args = ["--articles", "300", "--reference", "100", "--workdir", str(tmp_path / "w")]
    assert large.main([*args, "--out", str(out)]) == 0
    result = json.loads(out.read_text("utf-8"))
    sections = result["sections"]
    for tree in (result["large"], result["reference"]):
        articles, new = tree["articles"], tree["new_articles"]
        assert tree["build"]["articles"] == articles
        steps = [tree[name] for name in (*large.CRAWL_RUNS, *large.RENDER_RUNS)]
        assert all(step["returncode"] == 0 and step["peak_rss_mb"] > 0 for step in steps)
        nothing = tree["nothing_new"]
        # the crawl start, then one list page a section: nothing fetched, nothing written
        assert nothing["requests"] == {"total": sections + 1, "list": sections, "robots": 1}
        assert nothing["files_written"] == 0 and nothing["articles"] == 0
        fresh = tree["new"]
        assert fresh["articles"] == new and fresh["requests"]["article"] == new
        for kind in ("pages", "qr_codes", "records"):
            assert fresh["files_by_kind"][kind] == new, kind
        assert fresh["files_by_kind"]["home"] == 1 and "crawl_state" not in fresh["files_by_kind"]
        # the footer change rewrites every page and nothing else; then nothing is left to write
        changed, noop = tree["render_changed"], tree["render_noop"]
        assert changed["files_written"] == changed["files_changed_on_disk"] == articles + new
        assert noop["files_written"] == noop["files_changed_on_disk"] == 0
        assert noop["files_unchanged"] == changed["files_written"] + changed["files_unchanged"]
        largest = tree["largest_files_after"]
        assert largest["index_json"]["bytes"] > 0 and largest["crawl_state"]["bytes"] > 0
    assert set(result["memory"]) == {*large.CRAWL_RUNS, *large.RENDER_RUNS}
    table = large.report(result)
    assert "| 300 | render_noop |" in table and "| 100 | nothing_new |" in table
    assert not (tmp_path / "w" / "n100" / "tree" / "site").exists()  # the reference is removed
