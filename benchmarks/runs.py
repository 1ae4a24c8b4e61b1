"""The benchmark's crawl runs: the site server, and each crawl as a measured process.

``Server`` drives ``benchmarks.server`` through its stdin; ``Bench`` runs the
baseline spider and ``scrapy crawl ntdtv`` as real ``scrapy`` subprocesses at
one pace, and records what each cost (``os.wait4``) and what it changed in
the tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.tree import changed_files, snapshot
from goodnews_scraper import settings as project_settings
from tests.crawl import crawl_command

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BASELINE_SPIDER = PROJECT_ROOT / "benchmarks" / "baseline_spider.py"
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


def environment(project: bool) -> dict[str, str]:
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

    def __init__(self, articles: int, delay: float = 0.0, pages_from: int = 0) -> None:
        command = [sys.executable, "-m", "benchmarks.server", "--articles", str(articles)]
        self.process = subprocess.Popen(
            [*command, "--delay", str(delay), "--pages-from", str(pages_from)],
            cwd=PROJECT_ROOT,
            env=environment(project=False),
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


class Bench:
    """The runs of one benchmark, in one work folder, against one server."""

    def __init__(
        self, server: Server, workdir: Path, sections: list[str], pace: dict[str, str] = PACE
    ) -> None:
        self.server = server
        self.workdir = workdir
        self.sections = sections
        self.pace = pace

    def _measure(self, name: str, command: list[str], cwd: Path, project: bool) -> Run:
        stats_file, log_path = cwd / f"{name}-stats.json", cwd / f"{name}.log"
        command = [*command, "-s", f"BENCHMARK_STATS_FILE={stats_file}"]
        stats_file.unlink(missing_ok=True)
        self.server.requests()  # start counting
        returncode, wall, usage = run_process(command, cwd, environment(project), log_path)
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
        for setting, value in {**self.pace, **(settings or {})}.items():
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
        settings = {**self.pace, "MIRROR_BASE_URL": MIRROR_BASE_URL, **(extra or {})}
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


@contextmanager
def serving(articles: int, delay: float = 0.0, pages_from: int = 0) -> Iterator[Server]:
    """A ``Server`` of ``articles`` articles, stopped on the way out.

    With ``pages_from``, only articles from that one on have pages (older ones are listed).
    """
    server = Server(articles, delay, pages_from)
    try:
        yield server
    finally:
        server.close()


@contextmanager
def workdir_or_temporary(workdir: Path | None, prefix: str) -> Iterator[Path]:
    """``workdir`` as given (kept), else a temporary folder removed afterwards."""
    folder = workdir or Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        if workdir is None:
            shutil.rmtree(folder, ignore_errors=True)


def write_result(path: Path | None, result: dict[str, Any]) -> None:
    """The whole result as JSON (``--out``), when asked for."""
    if path:
        path.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str) + "\n")
