"""The benchmark's Markdown tables (docs/benchmarks.md), from its JSON result."""

from __future__ import annotations

from typing import Any

from benchmarks.targets import met_text


def table(header: list[str], rows: list[list[Any]]) -> str:
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
        table(
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
    parts.append(table(["run", "stage", "CPU ms/article", "share"], stage_rows))
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
        table(
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
    parts.append(table(["articles", "peak RSS MB (mirror, first run)"], mem_rows))
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
    parts.append(table(["per article", "bytes", "zlib bytes (≈ git)", "largest file"], repo_rows))
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
        table(
            ["target", "goal", "measured", "met"],
            [
                [t["target"], t["goal"], t["measured"], met_text(t["met"])]
                for t in result["targets"]
            ],
        )
    )
    return "\n".join(parts) + "\n"
