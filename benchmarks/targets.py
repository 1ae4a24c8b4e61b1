"""The issue's targets, each checked against the figures of one benchmark run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.figures import per_article
from benchmarks.runs import Run
from benchmarks.tree import file_kind


def met_text(ok: bool | None) -> str:
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
    qr_ms = per_article(first.timing().get("qr_code", 0.0), int(codes))
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
        if file_kind(path) not in ("pages", "qr_codes", "indexes", "home")
        or (file_kind(path) in ("pages", "qr_codes") and Path(path).stem not in new["new_ids"])
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
