"""Store layout: one JSON file per article, or one JSON-lines file per section and month?

    python -m benchmarks.store_layout [--records 20000] [--days 60] [--per-day 40]
        [--layouts per_article,per_month] [--aggressive] [--workdir DIR] [--out FILE.json]

Both layouts start from the same ``--records`` synthetic article records
(``benchmarks/records.py``: the store's fields, bodies converted by the real
stages), committed to a real git repository. Then ``--days`` daily runs each
add ``--per-day`` newer articles (the synthetic site publishes one every 36
minutes, 40 a day) and commit:

- ``per_article``: ``store/articles/<slug>/<id>.json``, one new file a record;
- ``per_article_by_month`` (with ``--layouts``): the same in month folders,
  ``store/articles/<slug>/<YYYY-MM>/<id>.json``, so a commit rewrites a
  month's small tree object rather than the section's folder of every article;
- ``per_month``: ``store/<slug>/<YYYY-MM>.jsonl``, records sorted by id, the
  whole file rewritten when a record joins it.

Files are written as the mirror writes its tree (``WriteBatch``: temporary
files, one filesystem sync, renames). It reports a daily run's write cost
(files, bytes, ms) and the repository, from ``git count-objects -v``: after
the first commit, after the daily commits (loose objects, before any gc), and
after ``git gc`` (and ``git gc --aggressive`` with ``--aggressive``, which takes
minutes at 20,000 records); and the thin pack a push of the last day sends.
Automatic gc is off, so the loose figures are what the days wrote.

The synthetic bodies are made of the fixture's sentences, which git would
find again in every article and pack 15 times smaller than real text; the
records here have their Chinese characters shifted per article
(``records.distinct_text``), which keeps each one's size and own zlib ratio
and leaves nothing for git to share between two articles but markup.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks.records import Converted, many_records, record_json, record_line
from benchmarks.report import table
from benchmarks.runs import workdir_or_temporary, write_result
from goodnews_scraper.mirror.files import WriteBatch

LAYOUTS = ("per_article", "per_month", "per_article_by_month")
DEFAULT_LAYOUTS = LAYOUTS[:2]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def _git(repo: Path, *args: str) -> str:
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", **GIT_ENV}
    done = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def count_objects(repo: Path) -> dict[str, int]:
    """``git count-objects -v``, sizes in bytes."""
    out: dict[str, int] = {}
    for line in _git(repo, "count-objects", "-v").splitlines():
        key, _, value = line.partition(": ")
        number = int(value)
        out[key.replace("-", "_")] = number * 1024 if key.startswith("size") else number
    return out


class Layout:
    """One store layout in one git repository."""

    def __init__(self, name: str, repo: Path) -> None:
        self.name = name
        self.repo = repo
        self.store = repo / "store"
        #: per_month: the records of each (slug, month) file, by id.
        self.months: dict[Path, dict[str, bytes]] = defaultdict(dict)

    def files(self, batch: list[Converted]) -> dict[Path, bytes]:
        """The files a run adding ``batch`` writes, with their new bytes."""
        if self.name.startswith("per_article"):
            by_month = self.name == "per_article_by_month"
            return {
                self.store
                / "articles"
                / c.slug
                / (c.month if by_month else "")
                / f"{c.record['article_id']}.json": record_json(c.record)
                for c in batch
            }
        touched: set[Path] = set()
        for c in batch:
            path = self.store / c.slug / f"{c.month}.jsonl"
            if path not in self.months and path.exists():  # a run starts from the disk
                for line in path.read_bytes().splitlines(keepends=True):
                    self.months[path][json.loads(line)["article_id"]] = line
            self.months[path][c.record["article_id"]] = record_line(c.record)
            touched.add(path)
        return {path: b"".join(v for _, v in sorted(self.months[path].items())) for path in touched}

    def write(self, batch: list[Converted]) -> dict[str, float]:
        """Write ``batch`` as a run would; files, bytes and wall ms it took."""
        started = time.perf_counter()
        self.months.clear()  # each run reads what it rewrites
        files = self.files(batch)
        writes = WriteBatch()
        for path, data in sorted(files.items()):
            path.parent.mkdir(parents=True, exist_ok=True)
            writes.add(path, data)
        written = writes.commit()
        ms = 1000 * (time.perf_counter() - started)
        return {
            "files": len(written),
            "bytes": sum(len(files[p]) for p in written),
            "ms": ms,
        }

    def commit(self, message: str) -> None:
        _git(self.repo, "add", "-A", "store")
        _git(self.repo, "commit", "-q", "--no-verify", "-m", message)


def push_bytes(repo: Path) -> int:
    """Bytes of the thin pack ``git push`` sends for the last commit."""
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", **GIT_ENV}
    done = subprocess.run(
        ["git", "-C", str(repo), "pack-objects", "--revs", "--thin", "--stdout", "-q"],
        input=b"HEAD\n^HEAD~1\n",
        env=env,
        check=True,
        capture_output=True,
    )
    return len(done.stdout)


def measure(
    records: int,
    days: int,
    per_day: int,
    workdir: Path,
    aggressive: bool = False,
    layouts: tuple[str, ...] = DEFAULT_LAYOUTS,
) -> dict[str, Any]:
    started = time.perf_counter()
    converted = many_records(records + days * per_day, distinct=True)
    base, later = converted[:records], converted[records:]
    result: dict[str, Any] = {
        "records": records,
        "days": days,
        "per_day": per_day,
        "record_bytes_mean": round(sum(len(record_json(c.record)) for c in base) / len(base)),
        "convert_s": round(time.perf_counter() - started, 1),
        "aggressive": aggressive,
        "layouts": {},
    }
    for name in layouts:
        repo = workdir / name
        shutil.rmtree(repo, ignore_errors=True)
        repo.mkdir(parents=True)
        _git(repo, "init", "-q", "-b", "main")
        for key, value in (("gc.auto", "0"), ("maintenance.auto", "false")):
            _git(repo, "config", key, value)
        layout = Layout(name, repo)
        first = layout.write(base)
        layout.commit(f"{records} records")
        git: dict[str, Any] = {"after_first_commit": count_objects(repo)}
        runs = []
        for day in range(days):
            runs.append(layout.write(later[day * per_day : (day + 1) * per_day]))
            layout.commit(f"day {day + 1}")
        git["after_days_before_gc"] = count_objects(repo)
        git["push_last_day_bytes"] = push_bytes(repo) if days else 0
        for label, options in (("gc", ()), ("gc_aggressive", ("--aggressive",)))[
            : 2 if aggressive else 1
        ]:
            gc_started = time.perf_counter()
            _git(repo, "gc", "-q", "--prune=now", *options)
            git[f"{label}_s"] = round(time.perf_counter() - gc_started, 1)
            git[f"after_{label}"] = count_objects(repo)
        result["layouts"][name] = {
            "store_files": sum(1 for p in layout.store.rglob("*") if p.is_file()),
            "largest_file_bytes": max(p.stat().st_size for p in layout.store.rglob("*.json*")),
            "first_write": {**first, "ms": round(first["ms"])},
            "daily_run": {
                "files": round(sum(r["files"] for r in runs) / len(runs), 1),
                "bytes": round(sum(r["bytes"] for r in runs) / len(runs)),
                "ms": round(sum(r["ms"] for r in runs) / len(runs), 1),
            }
            if runs
            else None,
            "git": git,
        }
        shutil.rmtree(repo, ignore_errors=True)
    result["benchmark_wall_s"] = round(time.perf_counter() - started, 1)
    return result


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f}"


def report(result: dict[str, Any]) -> str:
    days = result["days"]
    aggressive = result["aggressive"]
    rows = []
    for name, row in result["layouts"].items():
        git = row["git"]
        first, before = git["after_first_commit"], git["after_days_before_gc"]
        daily = row["daily_run"] or {"files": 0, "bytes": 0, "ms": 0}
        loose_added = before["size"] - first["size"]
        cells = [
            name,
            f"{row['store_files']:,}",
            _mb(row["largest_file_bytes"]),
            daily["files"],
            f"{daily['bytes']:,}",
            daily["ms"],
            _mb(first["size"]),
            _mb(loose_added),
            f"{git['push_last_day_bytes']:,}",
            f"{_mb(git['after_gc']['size_pack'])} ({git['gc_s']} s)",
        ]
        if aggressive:
            cells.append(
                f"{_mb(git['after_gc_aggressive']['size_pack'])} ({git['gc_aggressive_s']} s)"
            )
        rows.append(cells)
    header = [
        "layout",
        "store files",
        "largest file MB",
        "daily run: files",
        "bytes written",
        "ms",
        "first commit: loose MB",
        f"{days} days: loose MB added",
        "push of a day: bytes",
        "after gc: pack MB",
    ]
    if aggressive:
        header.append("after gc --aggressive: pack MB")
    return (
        f"**Store layout**: {result['records']:,} records (mean {result['record_bytes_mean']:,} "
        f"bytes as one file), then {days} daily runs of {result['per_day']} articles, "
        f"each committed; {result['benchmark_wall_s']} s in all.\n\n" + table(header, rows) + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.store_layout", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--per-day", type=int, default=40)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--layouts",
        default=",".join(DEFAULT_LAYOUTS),
        help=f"comma-separated, of {', '.join(LAYOUTS)}",
    )
    parser.add_argument(
        "--aggressive",
        action="store_true",
        help="also git gc --aggressive (minutes at 20,000 records)",
    )
    args = parser.parse_args(argv)
    if args.records < 1 or args.days < 0 or args.per_day < 1:
        parser.error("--records and --per-day must be at least 1, --days at least 0")
    layouts = tuple(name for name in args.layouts.split(",") if name)
    if not layouts or any(name not in LAYOUTS for name in layouts):
        parser.error(f"--layouts: choose from {', '.join(LAYOUTS)}")
    with workdir_or_temporary(args.workdir, "goodnews-store-") as workdir:
        result = measure(args.records, args.days, args.per_day, workdir, args.aggressive, layouts)
    print(report(result))
    write_result(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
