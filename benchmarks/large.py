"""A mirror of 100,000 articles: crawl start, re-runs and ``scrapy render`` on a large tree.

    python -m benchmarks.large [--articles 100000] [--out FILE.json] [--workdir DIR]

A crawl of 100,000 articles would take hours, so the tree is built directly
in the store's format with the project's own code: each synthetic article
(``benchmarks/site.py``) goes through the real conversion stages
(``records.convert``) into a store record, and ``MirrorRenderer`` renders
its page and QR code, every index file (split by month as the tree writer
splits them), the feeds and the home page; the crawl state holds a given-up
article for every thousand. The tree is then what ``scrapy render`` would
make of it, file for file.

The site is served by ``benchmarks/server.py`` with the same articles listed
and only new ones given pages. Each step is a real process, measured by
``os.wait4`` (wall, CPU, peak RSS):

1. ``nothing_new``: ``scrapy crawl ntdtv`` with nothing new, i.e. the crawl
   start (listing the pages, reading the index data and the crawl state)
   plus one list page per section;
2. ``new``: the same after 1 % new articles;
3. ``render_changed``: ``scrapy render`` after a template change (the footer,
   so every page changes);
4. ``render_noop``: ``scrapy render`` again, which should write nothing.

The same steps run on a tree of 2,000 articles for the memory comparison
(target: peak RSS within 1.3 times), unless ``--articles`` is that small.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from scrapy.settings import Settings

from benchmarks.figures import machine
from benchmarks.records import convert, record_json
from benchmarks.runs import (
    MIRROR_BASE_URL,
    PROJECT_ROOT,
    Bench,
    Run,
    environment,
    run_process,
    serving,
    workdir_or_temporary,
    write_result,
)
from benchmarks.site import article_id, section_name, sections_of
from benchmarks.tree import changed_files, file_kind, snapshot
from goodnews_scraper import settings as project_settings
from goodnews_scraper.conversion.qr_code import qr_png
from goodnews_scraper.mirror.tree import (
    IndexEntry,
    MirrorTree,
    SectionIndex,
    record_relpath,
    section_slug,
    split_index,
)
from goodnews_scraper.pipelines.images import BACKFILL_MARKER, IMAGES_DIR
from goodnews_scraper.renderers.indexes import HomeSection
from goodnews_scraper.renderers.mirror import MirrorRenderer, RenderedFile
from goodnews_scraper.renderers.pages import index_entry
from goodnews_scraper.renderers.tree import TreeProblems, tree_units
from goodnews_scraper.sites.ntdtv import DEFAULT_SECTIONS
from goodnews_scraper.store.crawl_state import STATE_RELPATH, CrawlState, PendingArticle
from goodnews_scraper.store.records import ArticleRecord, load_record

DEFAULT_ARTICLES = 100_000
REFERENCE_ARTICLES = 2000
#: Peak RSS of a run on the large tree against the same run on the reference tree.
RSS_TARGET = 1.3
#: Articles a build worker converts and writes at a time.
CHUNK = 500
#: One given-up article in the crawl state for this many articles.
GIVEN_UP_EVERY = 1000
#: Records the in-process render profile times.
PROFILE_SAMPLE = 500
#: A line added to the page footer: the template change every page shows.
FOOTER_LINE = "\n本页由 goodnews-scraper 镜像。\n"
SUMMARY = re.compile(r"scrapy render: (\d+) files changed, (\d+) unchanged \(([0-9.]+) s\)")
CRAWL_RUNS = ("nothing_new", "new")
RENDER_RUNS = ("render_changed", "render_noop")

_renderers: dict[str, MirrorRenderer] = {}


def renderer(site: str) -> MirrorRenderer:
    """The renderer of the project's settings, as the crawl and ``scrapy render`` build it."""
    if site not in _renderers:
        settings = Settings()
        settings.setmodule(project_settings, priority="project")
        settings.set("MIRROR_BASE_URL", MIRROR_BASE_URL)
        _renderers[site] = MirrorRenderer.from_settings(settings, site)
    return _renderers[site]


def write(root: Path, files: list[RenderedFile]) -> int:
    """Plain writes: the build is set-up, not a measured run."""
    for file in files:
        path = root / file.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(file.data)
    return len(files)


def _build_chunk(job: tuple[int, int, str, str]) -> list[tuple[int, IndexEntry, str, str]]:
    """Convert and write articles ``start .. stop-1``; their index entries."""
    start, stop, origin, root = job
    out = []
    for c in convert(range(start, stop), origin=origin):
        record = ArticleRecord.from_json(record_json(c.record))
        stored = RenderedFile(record_relpath(record.page), record.to_json())
        write(Path(root), [stored, *renderer(record.site).article_files(record)])
        out.append((c.k, index_entry(record), record.edition, record.site))
    return out


def build_tree(root: Path, articles: int, origin: str) -> dict[str, Any]:
    """A tree of ``articles`` articles of the site at ``origin``, as the mirror writes it."""
    started = time.perf_counter()
    jobs = [(a, min(a + CHUNK, articles), origin, str(root)) for a in range(0, articles, CHUNK)]
    with ProcessPoolExecutor(min(os.cpu_count() or 1, max(1, len(jobs)))) as pool:
        converted = [row for part in pool.map(_build_chunk, jobs) for row in part]
    site = converted[0][3] if converted else "ntdtv"
    indexes: dict[str, SectionIndex] = {}
    for k, entry, edition, _ in converted:
        for section in sections_of(k):
            index = indexes.setdefault(
                section_slug(section), SectionIndex(edition, section, section_name(section), {})
            )
            index.entries[entry.id] = entry
    tree = MirrorTree(root)
    render = renderer(site)
    load = partial(load_record, tree)
    files = 0
    homes = []
    for slug, index in sorted(indexes.items()):
        head, parts = split_index(index, slug)
        for part in [*parts, head]:
            data_path = tree.month_data_path(slug, part.month) if part.month else None
            relpath = (data_path or tree.index_data_path(slug)).relative_to(root).as_posix()
            files += write(root, [RenderedFile(relpath, part.to_json())])
            files += write(root, render.index_files(slug, part))
        files += write(root, render.feed_files(slug, head, load))
        homes.append(HomeSection(slug, head))
    edition = homes[0].head.edition if homes else "gb"
    files += write(root, render.home_files(edition, homes, load))
    state = CrawlState({})
    for i in range(articles // GIVEN_UP_EVERY):
        given_up = f"a{int(article_id(0)[1:]) - 1 - i}"
        url = f"{origin}/gb/2019/12/31/{given_up}.html"
        section = DEFAULT_SECTIONS[i % len(DEFAULT_SECTIONS)]
        state.articles[given_up] = PendingArticle(
            given_up, url, section, "2019-12-31", "http_404", given_up=True
        )
    files += write(root, [RenderedFile(STATE_RELPATH, state.to_json())])
    # As a crawl with images off leaves the tree (the runs below keep them off).
    files += write(root, [RenderedFile(f"{IMAGES_DIR}/{BACKFILL_MARKER}", b"")])
    return {
        "articles": len(converted),
        "files": files + 3 * len(converted),
        "build_wall_s": round(time.perf_counter() - started, 1),
    }


def largest_files(root: Path) -> dict[str, Any]:
    """The largest index data and page files, and the crawl state: what a run reads whole."""
    largest: dict[str, tuple[int, str]] = {}
    for path in (root / "indexes").rglob("*"):
        if path.is_file():
            kind = f"index_{path.suffix.lstrip('.')}"
            size = path.stat().st_size
            if size > largest.get(kind, (0, ""))[0]:
                largest[kind] = (size, path.relative_to(root).as_posix())
    state = root / STATE_RELPATH
    out: dict[str, Any] = {
        kind: {"bytes": size, "path": relpath} for kind, (size, relpath) in sorted(largest.items())
    }
    out["crawl_state"] = {"bytes": state.stat().st_size, "path": STATE_RELPATH}
    out["index_files"] = sum(1 for p in (root / "indexes").rglob("*") if p.is_file())
    return out


def changed_template(folder: Path) -> Path:
    """A TEMPLATES_DIR whose footer has one more line, so every page changes."""
    folder.mkdir(parents=True, exist_ok=True)
    footer = (PROJECT_ROOT / "templates" / "footer.md.j2").read_text(encoding="utf-8")
    (folder / "footer.md.j2").write_text(footer + FOOTER_LINE, encoding="utf-8")
    return folder


def render_run(name: str, site: Path, cwd: Path, templates: Path) -> dict[str, Any]:
    """``scrapy render`` as its own process: its cost, and its summary line."""
    command = [sys.executable, "-m", "scrapy", "render", "--no-progress"]
    for setting, value in {
        "SITE_DIR": str(site),
        "MIRROR_BASE_URL": MIRROR_BASE_URL,
        "TEMPLATES_DIR": str(templates),
    }.items():
        command += ["-s", f"{setting}={value}"]
    log = cwd / f"{name}.log"
    before = snapshot(site)
    returncode, wall, usage = run_process(command, cwd, environment(project=True), log)
    changed = changed_files(before, snapshot(site))
    found = SUMMARY.search(log.read_text(encoding="utf-8", errors="replace"))
    if returncode != 0 or found is None:
        print(f"warning: {name} ended with status {returncode}; see {log}")
    return {
        "returncode": returncode,
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "files_written": int(found.group(1)) if found else -1,
        "files_unchanged": int(found.group(2)) if found else -1,
        "summary_s": float(found.group(3)) if found else -1.0,
        "files_changed_on_disk": len(changed),
    }


def render_profile(site: Path, sample: int = PROFILE_SAMPLE) -> dict[str, float]:
    """CPU ms an article of ``scrapy render`` spends, by part, on ``sample`` of the tree's records.

    The parts of one article unit (``renderers.tree``): read and parse the
    record, draw the QR code, render the page template, compare both with the
    disk. A render runs the unit once to plan and once more to write it if it
    changed, so a full render costs about twice what a no-op render does.
    """
    tree = MirrorTree(site)
    render = renderer("ntdtv")
    pages = [f"pages/{slug}/{aid}.md" for aid, slug in sorted(tree.existing_records().items())]
    step = max(1, len(pages) // sample)
    spent = dict.fromkeys(("read_record", "qr_code", "page_template", "compare"), 0.0)
    count = 0
    for page in pages[::step][:sample]:
        began = time.process_time()
        record = ArticleRecord.from_json(tree.record_path(page).read_bytes())
        read = time.process_time()
        qr_png(render.links.share_url(record))
        drawn = time.process_time()
        files = render.article_files(record)  # QR again, then the page
        rendered = time.process_time()
        for file in files:
            path = site / file.relpath
            _ = path.stat().st_size == len(file.data) and path.read_bytes() == file.data
        compared = time.process_time()
        spent["read_record"] += read - began
        spent["qr_code"] += drawn - read
        spent["page_template"] += (rendered - drawn) - (drawn - read)
        spent["compare"] += compared - rendered
        count += 1
    out = {part: round(1000 * value / max(1, count), 3) for part, value in spent.items()}
    out["total"] = round(sum(out.values()), 3)
    out["sample"] = count
    out["unit_list_bytes_per_article"] = unit_list_bytes(tree) / max(1, len(pages))
    return out


def unit_list_bytes(tree: MirrorTree) -> float:
    """Bytes ``scrapy render`` holds for its list of units (it lists them all before rendering)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        units = list(tree_units(tree, renderer("ntdtv"), TreeProblems()))
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    del units
    return round(held, 0)


def crawl_start_bytes(site: Path) -> dict[str, float]:
    """Bytes an article of what the spider's start keeps (``tracemalloc``), and the peak.

    The start lists every page (``existing_pages``) and keeps every indexed id
    of every section, read from all its month files: memory that grows with
    the tree, where the crawl's other memory does not.
    """
    tree = MirrorTree(site)
    tracemalloc.start()
    try:
        stored = tree.existing_pages()
        pages_bytes = tracemalloc.get_traced_memory()[0]
        indexed = {}
        for section in DEFAULT_SECTIONS:
            index = tree.load_index(section_slug(section))
            indexed[section] = set(index.entries) if index else set()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    articles = max(1, len(stored))
    return {
        "existing_pages_bytes_per_article": round(pages_bytes / articles),
        "indexed_ids_bytes_per_article": round((held - pages_bytes) / articles),
        "peak_mb": round(peak / 2**20, 1),
    }


def kind_of(path: str) -> str:
    """``tree.file_kind``, with the store's and the feeds' files told apart."""
    if path == STATE_RELPATH:
        return "crawl_state"
    if path.startswith("store/"):
        return "records"
    if path.startswith("feeds/"):
        return "feeds"
    return file_kind(path)


def crawl_figures(run: Run) -> dict[str, Any]:
    kinds: dict[str, int] = {}
    for path in run.changed:
        kinds[kind_of(path)] = kinds.get(kind_of(path), 0) + 1
    return {
        "returncode": run.returncode,
        "wall_s": round(run.wall_s, 2),
        "cpu_s": round(run.cpu_s, 2),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "crawl_wall_s": round(run.crawl_wall_s, 2),
        "crawl_cpu_s": round(run.crawl_cpu_s, 2),
        "articles": run.articles,
        "requests": run.requests,
        "files_written": len(run.changed),
        "files_by_kind": dict(sorted(kinds.items())),
    }


def measure_tree(articles: int, workdir: Path) -> dict[str, Any]:
    """Build a tree of ``articles`` articles, then the crawls and renders on it."""
    sections = list(DEFAULT_SECTIONS)
    new_count = max(1, articles // 100)
    with serving(articles, pages_from=articles) as server:
        bench = Bench(server, workdir, sections)
        site = workdir / "tree" / "site"
        result: dict[str, Any] = {"articles": articles, "new_articles": new_count}
        result["build"] = build_tree(site, articles, server.origin)
        result["largest_files"] = largest_files(site)
        runs = {"nothing_new": bench.mirror("nothing_new", "tree", images=False)}
        server.serve(articles + new_count)
        runs["new"] = bench.mirror("new", "tree", images=False)
    for name, run in runs.items():
        result[name] = crawl_figures(run)
    templates = changed_template(workdir / "templates")
    for name in RENDER_RUNS:
        result[name] = render_run(name, site, workdir / "tree", templates)
    result["largest_files_after"] = largest_files(site)
    result["render_profile_ms"] = render_profile(site)
    result["crawl_start_memory"] = crawl_start_bytes(site)
    return result


def memory(large: dict[str, Any], reference: dict[str, Any] | None) -> dict[str, Any]:
    """Peak RSS of each step against the same step on the reference tree."""
    if reference is None:
        return {}
    out = {}
    for name in (*CRAWL_RUNS, *RENDER_RUNS):
        ratio = large[name]["peak_rss_mb"] / reference[name]["peak_rss_mb"]
        out[name] = {"ratio": round(ratio, 2), "within_target": ratio <= RSS_TARGET}
    return out


def benchmark(articles: int, workdir: Path, reference_articles: int) -> dict[str, Any]:
    started = time.perf_counter()
    reference = None
    if reference_articles and articles > reference_articles:
        reference = measure_tree(reference_articles, workdir / f"n{reference_articles}")
        shutil.rmtree(workdir / f"n{reference_articles}" / "tree" / "site", ignore_errors=True)
    large = measure_tree(articles, workdir / f"n{articles}")
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "sections": len(DEFAULT_SECTIONS),
        "rss_target": RSS_TARGET,
        "large": large,
        "reference": reference,
        "memory": memory(large, reference),
        "benchmark_wall_s": round(time.perf_counter() - started, 1),
    }


def report(result: dict[str, Any]) -> str:
    """The figures as Markdown tables."""
    rows = [
        "| articles | step | wall s | CPU s | peak RSS MB | RSS vs reference "
        "| requests | files written |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    trees = [t for t in (result["reference"], result["large"]) if t is not None]
    for tree in trees:
        is_large = tree is result["large"]
        for name in (*CRAWL_RUNS, *RENDER_RUNS):
            step = tree[name]
            ratio = result["memory"].get(name, {}).get("ratio") if is_large else None
            requests = step.get("requests", {}).get("total", 0)
            rows.append(
                f"| {tree['articles']:,} | {name} | {step['wall_s']} | {step['cpu_s']} "
                f"| {step['peak_rss_mb']} | {'' if ratio is None else ratio} "
                f"| {requests} | {step['files_written']:,} |"
            )
    rows += [
        "",
        "| articles | build s | tree files | crawl start + 1 list page a section: crawl wall s "
        "| list requests (nothing new) | largest index .json bytes | largest index .md bytes "
        "| crawl state bytes |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for tree in trees:
        largest = tree["largest_files_after"]
        rows.append(
            f"| {tree['articles']:,} | {tree['build']['build_wall_s']} "
            f"| {tree['build']['files']:,} | {tree['nothing_new']['crawl_wall_s']} "
            f"| {tree['nothing_new']['requests'].get('list', 0)} "
            f"| {largest['index_json']['bytes']:,} | {largest['index_md']['bytes']:,} "
            f"| {largest['crawl_state']['bytes']:,} |"
        )
    rows += [
        "",
        "`scrapy render` CPU ms an article, by part (in process, on a sample of records):",
        "",
        "| articles | read record | QR code | page template | compare | total "
        "| unit list: bytes an article |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for tree in trees:
        p = tree["render_profile_ms"]
        rows.append(
            f"| {tree['articles']:,} | {p['read_record']} | {p['qr_code']} "
            f"| {p['page_template']} | {p['compare']} | {p['total']} "
            f"| {p['unit_list_bytes_per_article']:,.0f} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.large", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--articles", type=int, default=DEFAULT_ARTICLES, help="default 100000")
    parser.add_argument(
        "--reference",
        type=int,
        default=REFERENCE_ARTICLES,
        help="articles of the tree memory is compared with (default 2000; 0: none)",
    )
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument("--workdir", type=Path, default=None, help="keep trees and logs here")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    with workdir_or_temporary(args.workdir, "goodnews-large-") as workdir:
        result = benchmark(args.articles, workdir, args.reference)
    print(report(result))
    write_result(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
