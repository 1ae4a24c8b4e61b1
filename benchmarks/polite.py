"""The polite pace: the mirror against Scrapy's floor with the project's politeness settings.

    python -m benchmarks.polite [--articles 200] [--delay 0.1] [--images] [--out FILE.json]

A real crawl waits on its politeness settings (AutoThrottle, ``DOWNLOAD_DELAY``,
the concurrency limits of ``settings.py``) and on a distant server, not on
the CPU. Here the benchmark server answers each request ``--delay`` seconds
after it came, and the baseline spider and ``scrapy crawl ntdtv`` (images
off, so both fetch the same pages) each crawl the same ``--articles`` with
the settings exactly as ``settings.py`` has them. Target: the mirror's wall
time within 5 % of the baseline's (the whole process, start-up included;
the crawl alone is shown beside it). ``--images`` adds a mirror run with
images on, which also fetches the pictures.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.report import table
from benchmarks.runs import Bench, Run, serving, workdir_or_temporary, write_result
from goodnews_scraper import settings as project_settings
from goodnews_scraper.sites.ntdtv import DEFAULT_SECTIONS

#: The politeness settings, as settings.py has them (the crawl helper that
#: ``Bench`` builds on switches some off for tests; these switch them back).
POLITENESS = (
    "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "DOWNLOAD_DELAY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "RETRY_TIMES",
    "RETRY_BACKOFF_BASE",
)
TARGET = 0.05


def polite_pace() -> dict[str, str]:
    pace = {
        name: str(getattr(project_settings, name))
        for name in POLITENESS
        if hasattr(project_settings, name)
    }
    return {
        **pace,
        "LOG_LEVEL": "INFO",
        "STATS_CLASS": "benchmarks.stats.JsonFileStatsCollector",
    }


def _row(run: Run) -> dict[str, Any]:
    return {
        "articles": run.articles,
        "requests": run.requests,
        "process_wall_s": round(run.wall_s, 2),
        "crawl_wall_s": round(run.crawl_wall_s, 2),
        "cpu_s": round(run.cpu_s, 2),
        "returncode": run.returncode,
    }


def measure(articles: int, delay: float, images: bool, workdir: Path) -> dict[str, Any]:
    started = time.perf_counter()
    sections = list(DEFAULT_SECTIONS)
    pace = polite_pace()
    runs: dict[str, Run] = {}
    with serving(articles, delay) as server:
        bench = Bench(server, workdir, sections, pace)
        runs["baseline"] = bench.baseline()
        runs["mirror"] = bench.mirror("mirror", "tree", images=False)
        if images:
            runs["mirror_images"] = bench.mirror("mirror_images", "tree-images", images=True)
    base, mirror = runs["baseline"], runs["mirror"]
    ratio = mirror.wall_s / base.wall_s if base.wall_s else 0.0
    crawl_ratio = mirror.crawl_wall_s / base.crawl_wall_s if base.crawl_wall_s else 0.0
    return {
        "articles": articles,
        "delay_s": delay,
        "pace": {k: v for k, v in pace.items() if k in POLITENESS},
        "runs": {name: _row(run) for name, run in runs.items()},
        "wall_ratio": round(ratio, 4),
        "crawl_wall_ratio": round(crawl_ratio, 4),
        "target_met": bool(ratio) and ratio <= 1 + TARGET and mirror.articles == base.articles,
        "benchmark_wall_s": round(time.perf_counter() - started, 1),
    }


def report(result: dict[str, Any]) -> str:
    rows = [
        [
            name,
            row["articles"],
            row["requests"].get("total", 0),
            f"{row['process_wall_s']:.1f}",
            f"{row['crawl_wall_s']:.1f}",
            f"{row['cpu_s']:.1f}",
        ]
        for name, row in result["runs"].items()
    ]
    pace = ", ".join(f"{k}={v}" for k, v in result["pace"].items())
    met = "met" if result["target_met"] else "**missed**"
    return (
        f"**Polite pace**: {result['articles']} articles, the server answering each request "
        f"after {1000 * result['delay_s']:.0f} ms; {pace}.\n\n"
        + table(["run", "articles", "requests", "wall s", "crawl wall s", "CPU s"], rows)
        + f"\n\nMirror / baseline wall time: **{result['wall_ratio']:.3f}** "
        f"({result['crawl_wall_ratio']:.3f} for the crawl alone); target <= {1 + TARGET:.2f}: "
        f"{met}.\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.polite", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.1, help="seconds (default 0.1)")
    parser.add_argument("--images", action="store_true", help="also a run with images on")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.articles < 1 or args.delay < 0:
        parser.error("--articles must be at least 1 and --delay not negative")
    with workdir_or_temporary(args.workdir, "goodnews-polite-") as workdir:
        result = measure(args.articles, args.delay, args.images, workdir)
    print(report(result))
    write_result(args.out, result)
    return 0 if all(r["returncode"] == 0 for r in result["runs"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
