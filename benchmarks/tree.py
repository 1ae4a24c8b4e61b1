"""What a run did to the mirror's tree: files changed, bytes per article, index files."""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Any

from benchmarks.site import sections_of, synthetic_article
from goodnews_scraper.mirror.tree import section_slug

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


def file_kind(path: str) -> str:
    """The kind of a tree file, by its place: pages, qr_codes, indexes, images, home."""
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
            "bytes_per_article": round(total / articles) if articles else 0,
            "zlib_bytes_per_article": round(packed / articles) if articles else 0,
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
