"""Benchmark the mirror on a synthetic site served on 127.0.0.1.

    python -m benchmarks.run [--articles N] [--out FILE.json] [--workdir DIR]

Serves a synthetic site of N articles (``benchmarks/site.py``) from its own
process (``benchmarks/server.py``), then runs, each as a real ``scrapy``
subprocess with the same pace settings:

1. ``baseline``: Scrapy's own floor, a spider that fetches the same list and
   article pages and writes the raw HTML to a JSON-lines feed;
2. ``mirror``: ``scrapy crawl ntdtv`` into an empty tree, images off;
3. ``mirror_images``: the same with images on (when the project mirrors images);
4. ``rerun`` (and ``rerun_images``): again over the unchanged site;
5. ``new``: after 1 % new articles were published;
6. ``reference``: for N above 2,000, a fresh mirror of the first 2,000
   articles, for the memory comparison.

Each run's CPU time and peak RSS come from ``os.wait4`` on its process; the
crawl itself (spider opened to spider closed, so without interpreter start-up)
is timed inside it by ``benchmarks.stats``, which also hands over the final
stats, among them the per-stage CPU timers ``goodnews/timing/<stage>_cpu_ms``.
It prints Markdown tables (the README's "Benchmarks" section) and writes
everything as JSON.

This module only orders the runs; ``runs.py`` runs them, ``tree.py`` measures
the tree, ``figures.py`` and ``targets.py`` make the figures and check the
targets, and ``report.py`` prints them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.figures import file_create_cpu_ms, machine, rerun_summary, stages, throughput
from benchmarks.report import report
from benchmarks.runs import (
    BASELINE_SPIDER,
    VALIDATION_PIPELINE,
    Bench,
    Run,
    images_supported,
    serving,
    workdir_or_temporary,
    write_result,
)
from benchmarks.site import article_id
from benchmarks.targets import targets
from benchmarks.tree import affected_index_files, repository
from goodnews_scraper.sites.ntdtv import DEFAULT_SECTIONS

__all__ = ["BASELINE_SPIDER", "benchmark", "main", "report"]

DEFAULT_ARTICLES = 2000
#: The article count the memory of a larger run is compared with.
REFERENCE_ARTICLES = 2000


def benchmark(articles: int, workdir: Path) -> dict[str, Any]:

    started = time.perf_counter()
    sections = list(DEFAULT_SECTIONS)
    images = images_supported()
    runs: dict[str, Run] = {}
    with serving(articles) as server:
        bench = Bench(server, workdir, sections)
        runs["baseline"] = bench.baseline()
        # The same spider at Scrapy's default CONCURRENT_ITEMS (see README, "Benchmarks").
        runs["baseline_stock"] = bench.baseline("baseline_stock", {"CONCURRENT_ITEMS": "100"})
        runs["mirror"] = bench.mirror("mirror", "tree", images=False if images else None)
        # The same crawl with no conversion at all: what Scrapy, the spider, the
        # item checks and the tree cost on their own (its pages are empty).
        runs["mirror_no_conversion"] = bench.mirror(
            "mirror_no_conversion",
            "tree-no-conversion",
            images=False if images else None,
            extra={"ITEM_PIPELINES": json.dumps({VALIDATION_PIPELINE: 50})},
        )
        if images:
            runs["mirror_images"] = bench.mirror("mirror_images", "tree-images", images=True)
        runs["rerun"] = bench.mirror("rerun", "tree", images=False if images else None)
        if images:
            runs["rerun_images"] = bench.mirror("rerun_images", "tree-images", images=True)
        repo = repository(workdir / "tree" / "site", runs["mirror"].articles)
        if images:
            with_images = repository(
                workdir / "tree-images" / "site", runs["mirror_images"].articles
            )
            repo["images"] = with_images["images"]
        new_count = max(1, articles // 100)
        server.serve(articles + new_count)
        runs["new"] = bench.mirror("new", "tree", images=False if images else None)
        if articles > REFERENCE_ARTICLES:
            server.serve(REFERENCE_ARTICLES)
            runs["reference"] = bench.mirror(
                "reference", "tree-reference", images=False if images else None
            )
    baseline = runs["baseline"]
    result: dict[str, Any] = {
        "articles": articles,
        "sections": sections,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": {**machine(), "file_create_cpu_ms": file_create_cpu_ms(workdir)},
        "images_measured": images,
        "throughput": {
            name: throughput(runs[name], baseline)
            for name in (
                "baseline",
                "baseline_stock",
                "mirror",
                "mirror_no_conversion",
                "mirror_images",
            )
            if name in runs
        },
        "stages": {
            name: stages(runs[name]) for name in ("mirror", "mirror_images") if name in runs
        },
        "rerun": rerun_summary(runs["rerun"], runs["mirror"]),
        "rerun_images": rerun_summary(runs["rerun_images"], runs["mirror_images"])
        if "rerun_images" in runs
        else None,
        "new_articles": {
            **rerun_summary(runs["new"], runs["mirror"]),
            "new_ids": [article_id(k) for k in range(articles, articles + new_count)],
            "affected_index_files": affected_index_files(range(articles, articles + new_count)),
        },
        "memory": {
            "articles": articles,
            "peak_rss_mb": round(runs["mirror"].peak_rss_mb, 1),
            "reference_articles": REFERENCE_ARTICLES if "reference" in runs else None,
            "reference_peak_rss_mb": round(runs["reference"].peak_rss_mb, 1)
            if "reference" in runs
            else None,
            "ratio": round(runs["mirror"].peak_rss_mb / runs["reference"].peak_rss_mb, 3)
            if "reference" in runs
            else None,
        },
        "index_cpu_ms": {
            "first": round(runs["mirror"].timing().get("indexes", 0.0), 1),
            "rerun": round(runs["rerun"].timing().get("indexes", 0.0), 1),
            "new": round(runs["new"].timing().get("indexes", 0.0), 1),
        },
        "repository": repo,
        "runs": {
            name: {key: value for key, value in asdict(run).items() if key != "changed"}
            | {"files_changed": len(run.changed)}
            for name, run in runs.items()
        },
    }
    result["targets"] = targets(result, runs)
    result["benchmark_wall_s"] = round(time.perf_counter() - started, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES, help="default 2000")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep the trees and logs here (default: a temp folder)",
    )
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    with workdir_or_temporary(args.workdir, "goodnews-bench-") as workdir:
        result = benchmark(args.articles, workdir)
    print(report(result))
    write_result(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
