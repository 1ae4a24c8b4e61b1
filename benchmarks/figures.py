"""The figures of a benchmark: the machine, throughput, CPU by stage, re-run cost."""

from __future__ import annotations

import os
import platform
import shutil
import time
from pathlib import Path
from typing import Any

import scrapy

from benchmarks.runs import Run
from benchmarks.tree import file_kind


def file_create_cpu_ms(folder: Path, count: int = 200) -> float:
    """CPU ms to create one small file in ``folder``: what each page and QR code pays.

    Worth knowing: it is 15 µs on tmpfs but can be 0.5 ms on a virtual disk.
    """
    probe = folder / ".create-probe"
    probe.mkdir(parents=True, exist_ok=True)
    started = time.process_time()
    for n in range(count):
        descriptor = os.open(probe / f"f{n}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(descriptor, b"x" * 4096)
        os.close(descriptor)
    spent = time.process_time() - started
    shutil.rmtree(probe)
    return round(1000 * spent / count, 3)


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    memory_gb = 0.0
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory_gb = round(pages / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "scrapy": scrapy.__version__,
    }


def per_article(value: float, articles: float) -> float:
    return value / articles if articles else 0.0


def throughput(run: Run, baseline: Run) -> dict[str, Any]:
    rate = per_article(run.articles, run.crawl_wall_s) if run.crawl_wall_s else 0.0
    base = per_article(baseline.articles, baseline.crawl_wall_s) if baseline.crawl_wall_s else 0.0
    return {
        "articles": run.articles,
        "crawl_wall_s": round(run.crawl_wall_s, 2),
        "articles_per_s": round(rate, 1),
        "crawl_cpu_s": round(run.crawl_cpu_s, 2),
        "cpu_ms_per_article": round(1000 * per_article(run.crawl_cpu_s, run.articles), 2),
        "process_wall_s": round(run.wall_s, 2),
        "process_cpu_s": round(run.cpu_s, 2),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "throughput_vs_baseline": round(rate / base, 3) if base else None,
    }


def stages(run: Run) -> dict[str, float]:
    """CPU ms per article by stage, and what is left for Scrapy and the rest."""
    per = {stage: round(per_article(ms, run.articles), 3) for stage, ms in run.timing().items()}
    total = 1000 * per_article(run.crawl_cpu_s, run.articles)
    per["scrapy_and_rest"] = round(total - sum(per.values()), 3)
    per["total"] = round(total, 3)
    return per


def rerun_summary(run: Run, first: Run) -> dict[str, Any]:
    by_kind: dict[str, int] = {}
    for path in run.changed:
        by_kind[file_kind(path)] = by_kind.get(file_kind(path), 0) + 1
    return {
        "requests": run.requests,
        "articles_mirrored": run.articles,
        "files_changed": len(run.changed),
        "files_changed_by_kind": by_kind,
        "index_files_changed": [p for p in run.changed if file_kind(p) in ("indexes", "home")],
        "process_wall_s": round(run.wall_s, 2),
        "process_wall_vs_first": round(run.wall_s / first.wall_s, 4) if first.wall_s else None,
        "crawl_wall_vs_first": round(run.crawl_wall_s / first.crawl_wall_s, 4)
        if first.crawl_wall_s
        else None,
        "process_cpu_s": round(run.cpu_s, 2),
        "index_cpu_ms": round(run.timing().get("indexes", 0.0), 1),
    }
