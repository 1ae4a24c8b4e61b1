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
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scrapy

from benchmarks.site import article_id, sections_of, synthetic_article
from goodnews_scraper import settings as project_settings
from goodnews_scraper.mirror.tree import section_slug
from goodnews_scraper.sites.ntdtv import DEFAULT_SECTIONS
from tests.crawl import crawl_command

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BASELINE_SPIDER = PROJECT_ROOT / "benchmarks" / "baseline_spider.py"
DEFAULT_ARTICLES = 2000
#: The article count the memory of a larger run is compared with.
REFERENCE_ARTICLES = 2000
MIRROR_BASE_URL = "https://github.com/OWNER/REPO/blob/main"
#: The same pace for every run: as fast as the machine allows.
PACE = {
    "AUTOTHROTTLE_ENABLED": "False",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "LOG_LEVEL": "INFO",
    "STATS_CLASS": "benchmarks.stats.JsonFileStatsCollector",
}
TIMING_PREFIX = "goodnews/timing/"
VALIDATION_PIPELINE = "goodnews_scraper.pipelines.validation.ArticleValidationPipeline"
TIMEOUT = 3 * 3600


# --------------------------------------------------------------------------- running
@dataclass
class Run:
    """One crawl process and what it cost."""

    name: str
    returncode: int
    #: The whole process (start-up included), from wait4.
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    #: The crawl alone: spider opened to spider closed.
    crawl_wall_s: float
    crawl_cpu_s: float
    articles: int
    requests: dict[str, int]
    changed: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def stat(self, key: str) -> float:
        value = self.stats.get(key, 0)
        return value if isinstance(value, int | float) else 0

    def timing(self) -> dict[str, float]:
        """CPU ms by stage, from the ``goodnews/timing/<stage>_cpu_ms`` stats."""
        return {
            key[len(TIMING_PREFIX) : -len("_cpu_ms")]: float(value)
            for key, value in sorted(self.stats.items())
            if key.startswith(TIMING_PREFIX) and key.endswith("_cpu_ms")
        }


def _environment(project: bool) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    if project:
        # The crawls run in their own folders, away from scrapy.cfg and ./.scrapy.
        env["SCRAPY_SETTINGS_MODULE"] = "goodnews_scraper.settings"
    return env


def run_process(
    command: list[str], cwd: Path, env: dict[str, str], log_path: Path
) -> tuple[int, float, Any]:
    """Run to the end; (exit status, wall seconds, rusage of that process alone)."""
    cwd.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        watchdog = threading.Timer(TIMEOUT, process.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, wall, usage


class Server:
    """``benchmarks.server`` in its own process, driven through its stdin."""

    def __init__(self, articles: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.server", "--articles", str(articles)],
            cwd=PROJECT_ROOT,
            env=_environment(project=False),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.origin = str(self._answer()["origin"])
        self.articles = articles

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the benchmark server stopped")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def command(self, line: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self._answer()

    def serve(self, articles: int) -> None:
        self.command(f"articles {articles}")
        self.articles = articles

    def requests(self) -> dict[str, int]:
        """Requests by kind since the last call."""
        answer = self.command("requests")
        return {"total": int(answer["requests"]), **answer["paths"]}

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


Snapshot = dict[str, tuple[int, int, int]]


def snapshot(root: Path) -> Snapshot:
    """Every file of a tree: (size, mtime, inode); an atomic rewrite changes the inode."""
    files: Snapshot = {}
    if not root.is_dir():
        return files
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            info = path.stat()
            files[path.relative_to(root).as_posix()] = (info.st_size, info.st_mtime_ns, info.st_ino)
    return files


def changed_files(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(path for path, info in after.items() if before.get(path) != info)


class Bench:
    """The runs of one benchmark, in one work folder, against one server."""

    def __init__(self, server: Server, workdir: Path, sections: list[str]) -> None:
        self.server = server
        self.workdir = workdir
        self.sections = sections

    def _measure(self, name: str, command: list[str], cwd: Path, project: bool) -> Run:
        stats_file, log_path = cwd / f"{name}-stats.json", cwd / f"{name}.log"
        command = [*command, "-s", f"BENCHMARK_STATS_FILE={stats_file}"]
        stats_file.unlink(missing_ok=True)
        self.server.requests()  # start counting
        returncode, wall, usage = run_process(command, cwd, _environment(project), log_path)
        requests = self.server.requests()
        stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
        if returncode != 0:
            print(f"warning: {name} ended with status {returncode}; see {log_path}")
        return Run(
            name=name,
            returncode=returncode,
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            peak_rss_mb=usage.ru_maxrss / 1024,
            crawl_wall_s=float(stats.get("benchmark/wall_closed_s", 0))
            - float(stats.get("benchmark/wall_opened_s", 0)),
            crawl_cpu_s=float(stats.get("benchmark/cpu_closed_s", 0))
            - float(stats.get("benchmark/cpu_opened_s", 0)),
            articles=0,
            requests=requests,
            stats=stats,
        )

    def baseline(self, name: str = "baseline", settings: dict[str, str] | None = None) -> Run:
        cwd = self.workdir / name
        command = [sys.executable, "-m", "scrapy", "runspider", str(BASELINE_SPIDER)]
        command += [
            "-a",
            f"origin={self.server.origin}",
            "-a",
            f"sections={','.join(self.sections)}",
        ]
        command += ["-o", str(cwd / "raw.jsonl")]
        for setting, value in {**PACE, **(settings or {})}.items():
            command += ["-s", f"{setting}={value}"]
        run = self._measure(name, command, cwd, project=False)
        run.articles = int(run.stat("item_scraped_count"))
        (cwd / "raw.jsonl").unlink(missing_ok=True)  # as large as the site; not needed
        return run

    def mirror(
        self, name: str, tree: str, images: bool | None, extra: dict[str, str] | None = None
    ) -> Run:
        cwd = self.workdir / tree
        site = cwd / "site"
        settings = {**PACE, "MIRROR_BASE_URL": MIRROR_BASE_URL, **(extra or {})}
        if images is not None:
            settings["IMAGES_ENABLED"] = str(images)
        command = crawl_command(
            self.server.origin,
            site,
            f"sections={','.join(self.sections)}",
            "max_pages=1000",
            settings=settings,
        )
        before = snapshot(site)
        run = self._measure(name, command, cwd, project=True)
        run.changed = changed_files(before, snapshot(site))
        run.articles = int(run.stat("goodnews/tree/pages"))
        return run


def images_supported() -> bool:
    """Whether the project mirrors images (an ``IMAGES_ENABLED`` setting)."""
    return hasattr(project_settings, "IMAGES_ENABLED")


# --------------------------------------------------------------------------- results
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


def _per_article(value: float, articles: float) -> float:
    return value / articles if articles else 0.0


def throughput(run: Run, baseline: Run) -> dict[str, Any]:
    rate = _per_article(run.articles, run.crawl_wall_s) if run.crawl_wall_s else 0.0
    base = _per_article(baseline.articles, baseline.crawl_wall_s) if baseline.crawl_wall_s else 0.0
    return {
        "articles": run.articles,
        "crawl_wall_s": round(run.crawl_wall_s, 2),
        "articles_per_s": round(rate, 1),
        "crawl_cpu_s": round(run.crawl_cpu_s, 2),
        "cpu_ms_per_article": round(1000 * _per_article(run.crawl_cpu_s, run.articles), 2),
        "process_wall_s": round(run.wall_s, 2),
        "process_cpu_s": round(run.cpu_s, 2),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "throughput_vs_baseline": round(rate / base, 3) if base else None,
    }


def stages(run: Run) -> dict[str, float]:
    """CPU ms per article by stage, and what is left for Scrapy and the rest."""
    per = {stage: round(_per_article(ms, run.articles), 3) for stage, ms in run.timing().items()}
    total = 1000 * _per_article(run.crawl_cpu_s, run.articles)
    per["scrapy_and_rest"] = round(total - sum(per.values()), 3)
    per["total"] = round(total, 3)
    return per


def _kind(path: str) -> str:
    if path.startswith("pages/") and path.endswith(".md"):
        return "pages"
    if path.startswith("pages/") and path.endswith(".png"):
        return "qr_codes"
    if path.startswith("indexes/"):
        return "indexes"
    if path.startswith("images/"):
        return "images"
    if path == "README.md":
        return "home"
    return "other"


def rerun_summary(run: Run, first: Run) -> dict[str, Any]:
    by_kind: dict[str, int] = {}
    for path in run.changed:
        by_kind[_kind(path)] = by_kind.get(_kind(path), 0) + 1
    return {
        "requests": run.requests,
        "articles_mirrored": run.articles,
        "files_changed": len(run.changed),
        "files_changed_by_kind": by_kind,
        "index_files_changed": [p for p in run.changed if _kind(p) in ("indexes", "home")],
        "process_wall_s": round(run.wall_s, 2),
        "process_wall_vs_first": round(run.wall_s / first.wall_s, 4) if first.wall_s else None,
        "crawl_wall_vs_first": round(run.crawl_wall_s / first.crawl_wall_s, 4)
        if first.crawl_wall_s
        else None,
        "process_cpu_s": round(run.cpu_s, 2),
        "index_cpu_ms": round(run.timing().get("indexes", 0.0), 1),
    }


def repository(site: Path, articles: int) -> dict[str, Any]:
    """Bytes the tree adds per article, raw and as git would compress it (zlib)."""

    def sizes(pattern: str) -> tuple[int, int, int, int]:
        total = packed = count = largest = 0
        for path in site.glob(pattern):
            data = path.read_bytes()
            total += len(data)
            packed += len(zlib.compress(data))
            count += 1
            largest = max(largest, len(data))
        return total, packed, count, largest

    out: dict[str, Any] = {}
    for kind, pattern in (
        ("page", "pages/*/*.md"),
        ("qr_code", "pages/*/*.png"),
        ("images", "images/**/*"),
    ):
        total, packed, count, largest = sizes(pattern)
        out[kind] = {
            "files": count,
            "bytes_per_article": round(_per_article(total, articles)),
            "zlib_bytes_per_article": round(_per_article(packed, articles)),
            "largest_bytes": largest,
        }
    index_files = {
        path.relative_to(site).as_posix(): path.stat().st_size
        for path in sorted(site.glob("indexes/**/*"))
        if path.is_file()
    }
    out["index_files"] = index_files
    out["largest_index_file_bytes"] = max(index_files.values(), default=0)
    out["home_bytes"] = (site / "README.md").stat().st_size if (site / "README.md").exists() else 0
    return out


def affected_index_files(new: range) -> list[str]:
    """The index files new articles ``new`` may change: their sections' heads and months."""
    files = {"README.md"}
    for k in new:
        month = str(synthetic_article(k).published)[:7]
        for section in sections_of(k):
            slug = section_slug(section)
            for suffix in (".json", ".md"):
                files |= {f"indexes/{slug}{suffix}", f"indexes/{slug}/{month}{suffix}"}
    return sorted(files)


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("yes" if ok else "**no**")


def targets(result: dict[str, Any], runs: dict[str, Run]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(name: str, target: str, measured: str, ok: bool | None) -> None:
        out.append({"target": name, "goal": target, "measured": measured, "met": ok})

    mirror = result["throughput"]["mirror"]
    ratio = mirror["throughput_vs_baseline"] or 0.0
    add("throughput, images off", ">= 0.5 of baseline", f"{ratio:.2f}", ratio >= 0.5)
    first = runs["mirror"]
    codes = first.stat("goodnews/pipeline/qr_codes") or first.articles
    qr_ms = _per_article(first.timing().get("qr_code", 0.0), int(codes))
    add("QR code CPU", "<= 2 ms a code", f"{qr_ms:.2f} ms", qr_ms <= 2.0 if codes else None)
    qr = result["repository"]["qr_code"]
    qr_avg = qr["bytes_per_article"]
    add(
        "QR code size",
        "<= 500 bytes a code",
        f"{qr_avg} bytes on average, {qr['largest_bytes']} at most",
        qr["largest_bytes"] <= 500,
    )
    rerun = result["rerun"]
    sections = len(result["sections"])
    requests = rerun["requests"]
    add(
        "re-run, nothing new: requests",
        f"{sections} list pages + robots.txt",
        f"{requests.get('list', 0)} list pages, {requests.get('robots', 0)} robots.txt, "
        f"{requests.get('article', 0)} articles",
        requests.get("list", 0) == sections
        and requests.get("article", 0) == 0
        and requests.get("total", 0) <= sections + 1,
    )
    add(
        "re-run, nothing new: files changed",
        "0",
        str(rerun["files_changed"]),
        rerun["files_changed"] == 0,
    )
    fraction = rerun["process_wall_vs_first"] or 0.0
    add(
        "re-run, nothing new: wall time",
        "< 5 % of the first run",
        f"{100 * fraction:.1f} % ({100 * (rerun['crawl_wall_vs_first'] or 0):.1f} % "
        "without process start-up)",
        fraction < 0.05,
    )
    new = result["new_articles"]
    unexpected = [
        path
        for path in runs["new"].changed
        if _kind(path) not in ("pages", "qr_codes", "indexes", "home")
        or (_kind(path) in ("pages", "qr_codes") and Path(path).stem not in new["new_ids"])
    ]
    add(
        "1 % new: files written",
        "new pages, their QR codes, affected indexes, home",
        f"{new['files_changed']} ({new['files_changed_by_kind']}), {len(unexpected)} others",
        not unexpected and new["articles_mirrored"] == len(new["new_ids"]),
    )
    memory = result["memory"]
    if memory.get("ratio") is not None:
        add(
            "memory flat",
            f"peak RSS at {memory['articles']:,} <= 1.3x at {memory['reference_articles']:,}",
            f"{memory['ratio']:.2f}x "
            f"({memory['peak_rss_mb']} / {memory['reference_peak_rss_mb']} MB)",
            memory["ratio"] <= 1.3,
        )
    index = result["index_cpu_ms"]
    first_ms = index["first"] or 0.0
    allowed = set(new["affected_index_files"])
    extra = [p for p in new["index_files_changed"] if p not in allowed]
    add(
        "index writing follows what changed",
        "1 % new: only the heads and months it adds to; re-run: <= 5 % of the first run's CPU",
        f"{len(new['index_files_changed'])} index files, {len(extra)} others; "
        f"CPU {index['first']} / {index['rerun']} / {index['new']} ms (first / re-run / 1 % new)",
        not extra and index["rerun"] <= 0.05 * first_ms if first_ms else None,
    )
    return out


# --------------------------------------------------------------------------- report
def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def report(result: dict[str, Any]) -> str:
    m = result["machine"]
    parts = [
        f"Synthetic site of {result['articles']:,} articles in {len(result['sections'])} "
        f"sections, {result['date']}; {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB, "
        f"{m['os']}, Python {m['python']}, Scrapy {m['scrapy']}; creating a file costs "
        f"{m['file_create_cpu_ms']} ms of CPU there. "
        f"Benchmark took {result['benchmark_wall_s'] / 60:.1f} min.",
        "",
        "**Throughput** (the crawl itself, spider opened to closed; CPU of the crawl process)",
        "",
    ]
    rows = []
    for name, row in result["throughput"].items():
        ratio = row["throughput_vs_baseline"]
        rows.append(
            [
                name,
                f"{row['articles']:,}",
                f"{row['crawl_wall_s']:.1f}",
                f"{row['articles_per_s']:.0f}",
                f"{row['cpu_ms_per_article']:.2f}",
                f"{row['peak_rss_mb']:.0f}",
                "1" if name == "baseline" else f"{ratio:.2f}" if ratio else "",
            ]
        )
    parts.append(
        _table(
            [
                "run",
                "articles",
                "wall s",
                "articles/s",
                "CPU ms/article",
                "peak RSS MB",
                "vs baseline",
            ],
            rows,
        )
    )
    stock = result["throughput"].get("baseline_stock")
    if stock and stock["articles_per_s"]:
        parts += [
            "",
            "`baseline_stock` is the baseline at Scrapy's default `CONCURRENT_ITEMS` (100); "
            "against it the mirror's throughput is "
            f"{result['throughput']['mirror']['articles_per_s'] / stock['articles_per_s']:.2f}.",
        ]
    bare = result["throughput"].get("mirror_no_conversion")
    if bare:
        parts += [
            "",
            "`mirror_no_conversion` is the mirror with every conversion pipeline off (no "
            "cleaning, Markdown, QR code or template; empty pages): Scrapy, the spider's "
            "parsing, the item checks and the tree alone, the most that faster conversion "
            f"could reach in one process: {bare['throughput_vs_baseline'] or 0:.2f} "
            "of the baseline.",
        ]
    parts += ["", "**Where the CPU goes** (ms per article, first mirror run)", ""]
    stage_rows = []
    for name, per in result["stages"].items():
        total = per.get("total", 0.0) or 1.0
        for stage, ms in per.items():
            if stage != "total":
                stage_rows.append([name, stage, f"{ms:.3f}", f"{100 * ms / total:.0f} %"])
        stage_rows.append([name, "**total**", f"{per.get('total', 0.0):.3f}", "100 %"])
    parts.append(_table(["run", "stage", "CPU ms/article", "share"], stage_rows))
    rerun, new = result["rerun"], result["new_articles"]
    parts += ["", "**Re-runs**", ""]

    def rerun_row(label: str, row: dict[str, Any]) -> list[Any]:
        return [
            label,
            row["requests"].get("total", 0),
            ", ".join(f"{k} {v}" for k, v in sorted(row["requests"].items()) if k != "total"),
            row["files_changed"],
            ", ".join(f"{k} {v}" for k, v in sorted(row["files_changed_by_kind"].items())),
            f"{row['process_wall_s']:.1f}",
            f"{100 * (row['process_wall_vs_first'] or 0):.1f} %",
            row["index_cpu_ms"],
        ]

    rerun_rows = [
        rerun_row("nothing new", rerun),
        rerun_row(f"{len(new['new_ids'])} new (1 %)", new),
    ]
    if result.get("rerun_images"):
        rerun_rows.append(rerun_row("nothing new, images on", result["rerun_images"]))
    parts.append(
        _table(
            [
                "re-run",
                "requests",
                "by kind",
                "files changed",
                "by kind",
                "wall s",
                "wall vs first",
                "index CPU ms",
            ],
            rerun_rows,
        )
    )
    memory, repo = result["memory"], result["repository"]
    parts += ["", "**Memory and repository growth**", ""]
    mem_rows = [[f"{memory['articles']:,}", memory["peak_rss_mb"]]]
    if memory.get("reference_articles"):
        mem_rows.append([f"{memory['reference_articles']:,}", memory["reference_peak_rss_mb"]])
    parts.append(_table(["articles", "peak RSS MB (mirror, first run)"], mem_rows))
    parts.append("")
    repo_rows = [
        [
            kind,
            repo[kind]["bytes_per_article"],
            repo[kind]["zlib_bytes_per_article"],
            repo[kind]["largest_bytes"],
        ]
        for kind in ("page", "qr_code", "images")
        if repo[kind]["files"]
    ]
    parts.append(_table(["per article", "bytes", "zlib bytes (≈ git)", "largest file"], repo_rows))
    parts.append("")
    index_files = repo["index_files"]
    shown = sorted(index_files.items(), key=lambda item: -item[1])[:12]
    parts.append(
        f"Index files: {len(index_files)}, {sum(index_files.values()):,} bytes in all, "
        f"largest {repo['largest_index_file_bytes']:,}; home page {repo['home_bytes']:,} bytes. "
        "Largest: " + ", ".join(f"`{path}` {size:,}" for path, size in shown) + "."
    )
    parts += ["", "**Targets**", ""]
    parts.append(
        _table(
            ["target", "goal", "measured", "met"],
            [[t["target"], t["goal"], t["measured"], _met(t["met"])] for t in result["targets"]],
        )
    )
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------- main
@contextmanager
def _server(articles: int) -> Iterator[Server]:
    server = Server(articles)
    try:
        yield server
    finally:
        server.close()


def benchmark(articles: int, workdir: Path) -> dict[str, Any]:

    started = time.perf_counter()
    sections = list(DEFAULT_SECTIONS)
    images = images_supported()
    runs: dict[str, Run] = {}
    with _server(articles) as server:
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
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="goodnews-bench-"))
    try:
        result = benchmark(args.articles, workdir)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print(report(result))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
