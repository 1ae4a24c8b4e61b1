"""Fresh disk: what a job on an empty disk fetches of a published tree, partial against full.

    python -m benchmarks.fresh_disk [--articles 20000] [--workdir DIR]

Builds a published tree of ``--articles`` synthetic articles in the store's
format (records, pages, QR codes, split index data, crawl state) in a bare
git repository, then sets up an empty SITE_DIR from it twice with the real
``GitPublisher.prepare``: once as a fresh disk does now (shallow, blobless,
sparse: what a run reads) and once with ``PUBLISH_RESTORE_ALL`` (a full
clone, as before). Reports the bytes of the fetched git objects, the files
on disk and the wall time of each.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.records import many_records, record_json
from benchmarks.store_layout import GIT_ENV
from goodnews_scraper.conversion.qr_code import qr_png
from goodnews_scraper.mirror.tree import IndexEntry, MirrorTree, SectionIndex, split_index
from goodnews_scraper.publishing.git import GitPublisher, GitTarget
from goodnews_scraper.store.crawl_state import STATE_RELPATH, CrawlState


def build_tree(root: Path, articles: int) -> None:
    """The published tree, written with the tree's own index functions."""
    indexes: dict[str, SectionIndex] = {}
    for c in many_records(articles, distinct=True):
        record = c.record
        page = record["page"]
        files = {
            record_relpath_of(page): record_json(record),
            page: c.page_markdown.encode(),
            page.removesuffix(".md") + ".png": qr_png(record["url"]),
        }
        for relpath, data in files.items():
            path = root / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        entry = IndexEntry(
            record["article_id"], record["title"], record["published"], page, record["url"]
        )
        index = indexes.setdefault(
            c.slug, SectionIndex(record["edition"], record["section"], record["section_name"], {})
        )
        index.entries[entry.id] = entry
    tree = MirrorTree(root)
    for slug, index in indexes.items():
        head, parts = split_index(index, slug)
        for part in parts:
            path = tree.month_data_path(slug, part.month)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(part.to_json())
        tree.indexes_dir.mkdir(parents=True, exist_ok=True)
        tree.index_data_path(slug).write_bytes(head.to_json())
    (root / STATE_RELPATH).parent.mkdir(parents=True, exist_ok=True)
    (root / STATE_RELPATH).write_bytes(CrawlState({}).to_json())
    (root / "README.md").write_text("# mirror\n", encoding="utf-8")


def record_relpath_of(page: str) -> str:
    folder, _, name = page.removeprefix("pages/").partition("/")
    return f"store/articles/{folder}/{name.removesuffix('.md')}.json"


def git(cwd: Path, *args: str) -> str:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **GIT_ENV}
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    ).stdout


def disk(site: Path) -> dict[str, int]:
    objects = files = 0
    for folder, _, names in os.walk(site):
        for name in names:
            size = os.lstat(os.path.join(folder, name)).st_size
            if f"{os.sep}.git" in folder or folder.endswith(".git"):
                objects += size
            else:
                files += 1
    return {"git_dir_bytes": objects, "tree_files": files}


def measure(articles: int, workdir: Path) -> dict[str, Any]:
    source, remote = workdir / "source", workdir / "remote.git"
    started = time.perf_counter()
    build_tree(source, articles)
    git(source, "init", "-q", "-b", "main")
    git(source, "add", "-A")
    git(source, "commit", "-q", "-m", f"{articles} articles")
    git(workdir, "clone", "-q", "--bare", str(source), str(remote))
    git(remote, "config", "uploadpack.allowFilter", "true")
    result: dict[str, Any] = {"articles": articles, "build_s": round(time.perf_counter() - started)}
    for label, restore_all in (("partial", False), ("full", True)):
        site = workdir / label
        publisher = GitPublisher(site, GitTarget(str(remote), restore_all=restore_all))
        began = time.perf_counter()
        publisher.prepare()
        result[label] = {**disk(site), "wall_s": round(time.perf_counter() - began, 2)}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        result = measure(args.articles, Path(tmp))
    json.dump(result, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
