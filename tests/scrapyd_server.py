"""A real ``scrapyd`` on 127.0.0.1 for the deployment tests, and its HTTP API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from tests.crawl import project_copy


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Scrapyd:
    """``scrapyd`` started in ``home`` (config, eggs, logs, dbs, items there), stopped by PID."""

    def __init__(self, home: Path, *, items_dir: bool) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.items_dir = home / "items" if items_dir else None
        home.mkdir(parents=True, exist_ok=True)
        (home / "scrapyd.conf").write_text(
            "[scrapyd]\n"
            "bind_address = 127.0.0.1\n"
            f"http_port = {self.port}\n"
            f"eggs_dir = {home / 'eggs'}\n"
            f"logs_dir = {home / 'logs'}\n"
            f"dbs_dir = {home / 'dbs'}\n"
            f"items_dir = {self.items_dir or ''}\n"
            "poll_interval = 0.2\n"
            "max_proc = 2\n",
            encoding="utf-8",
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Scrapyd:
        with (self.home / "scrapyd.out").open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "scrapyd"],
                cwd=self.home,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.get("daemonstatus.json")["status"] == "ok":
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "scrapyd did not start: "
                    + (self.home / "scrapyd.out").read_text(errors="replace")
                )
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def get(self, endpoint: str, **params: str) -> dict[str, object]:
        query = f"?{urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}/{endpoint}{query}", timeout=10) as answer:
            return json.load(answer)  # type: ignore[no-any-return]

    def post(self, endpoint: str, fields: list[tuple[str, str]]) -> dict[str, object]:
        request = urllib.request.Request(f"{self.url}/{endpoint}", data=urlencode(fields).encode())
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)  # type: ignore[no-any-return]

    def deploy(self, workdir: Path) -> subprocess.CompletedProcess[str]:
        """``scrapyd-deploy`` from the project, to a target named in a user config."""
        config_home = workdir / "xdg"
        config_home.mkdir(parents=True, exist_ok=True)
        (config_home / "scrapy.cfg").write_text(
            f"[deploy:test]\nurl = {self.url}/\nproject = goodnews_scraper\n", encoding="utf-8"
        )
        return subprocess.run(
            # As a module: the console script may not be on PATH (pyenv shims, venvs).
            [
                sys.executable,
                "-m",
                "scrapyd_client.deploy",
                "test",
                "-p",
                "goodnews_scraper",
                "--version",
                "r1",
            ],
            cwd=project_copy(self.home / "project"),
            env={**os.environ, "XDG_CONFIG_HOME": str(config_home)},
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def wait_for(self, job: str, timeout: float = 120) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            jobs = self.get("listjobs.json", project="goodnews_scraper")
            for finished in jobs["finished"]:  # type: ignore[union-attr]
                if finished["id"] == job:  # type: ignore[index]
                    return finished  # type: ignore[return-value]
            time.sleep(0.2)
        raise TimeoutError(f"job {job} did not finish in {timeout} s")

    def job_log(self, job: str) -> str:
        return (self.home / "logs" / "goodnews_scraper" / "ntdtv" / f"{job}.log").read_text(
            encoding="utf-8", errors="replace"
        )
