"""The tree's layout, name checks, atomic writes and what it reads back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from goodnews_scraper.mirror.files import (
    TEMP_PREFIX,
    WriteBatch,
    remove_temp_files,
    write_if_changed,
)
from goodnews_scraper.mirror.tree import (
    IndexEntry,
    MirrorTree,
    SectionIndex,
    UnsafeNameError,
    page_meta_line,
    page_relpath,
    parse_page_meta,
    section_slug,
)

HOSTILE_NAMES = [
    "..",
    "../etc",
    "%2e%2e",
    "/etc/passwd",
    "a1/../../x",
    "a1\0",
    "prog204\n",
    "a" + "1" * 300,
    "",
    "PROG204",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_ids_and_sections_are_refused(name: str) -> None:
    with pytest.raises(UnsafeNameError):
        page_relpath("prog204", name)
    with pytest.raises(UnsafeNameError):
        section_slug(name)


def test_slugs_and_paths() -> None:
    assert section_slug("news/china") == "news-china"
    assert page_relpath("news-china", "a103124021") == "pages/news-china/a103124021.md"


def test_meta_line_survives_a_hostile_title() -> None:
    entry = IndexEntry(
        id="a1",
        title="--> <script>alert(1)</script> ](x) \n# h",
        published="2021-05-20T08:30:00+08:00",
        page="pages/prog204/a1.md",
        url="https://www.ntdtv.com/gb/2021/05/20/a1.html",
    )
    line = page_meta_line(entry)
    assert line.count("-->") == 1 and line.endswith("-->\n")
    assert "<script" not in line
    assert parse_page_meta(line) == entry


def test_meta_line_rejects_junk() -> None:
    assert parse_page_meta("# a title") is None
    assert parse_page_meta('<!-- goodnews-scraper {"id": "../x"} -->') is None


def test_index_json_round_trip_is_stable() -> None:
    entries = {
        f"a{n}": IndexEntry(
            f"a{n}",
            f"标题{n}",
            f"2021-05-{n:02d}T08:00:00+08:00",
            f"pages/prog204/a{n}.md",
            f"https://x/a{n}.html",
        )
        for n in (3, 1, 2)
    }
    index = SectionIndex("gb", "prog204", "大陆", entries)
    raw = index.to_json()
    again = SectionIndex.from_json(raw)
    assert again.to_json() == raw
    assert [entry.id for entry in again.sorted_entries()] == ["a3", "a2", "a1"]
    # One article a line: a new article is a one-line diff.
    assert raw.count(b"\n") == 5


def test_write_if_changed_is_atomic_and_lazy(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b.md"
    assert write_if_changed(target, b"one") is True
    mtime = target.stat().st_mtime_ns
    assert write_if_changed(target, b"one") is False
    assert target.stat().st_mtime_ns == mtime
    assert write_if_changed(target, b"two") is True
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["b.md"]


def test_write_batch_puts_files_in_place_only_when_committed(tmp_path: Path) -> None:
    kept, new = tmp_path / "a" / "kept.md", tmp_path / "a" / "b" / "new.png"
    write_if_changed(kept, b"same")
    mtime = kept.stat().st_mtime_ns
    batch = WriteBatch()
    assert batch.add(kept, b"same") is False
    assert batch.add(new, b"\x89PNG") is True
    assert batch.add(kept, b"changed") is True
    assert len(batch) == 2
    # Before the commit: the targets are as they were, the bytes wait beside them.
    assert not new.exists() and kept.read_bytes() == b"same"
    assert kept.stat().st_mtime_ns == mtime
    assert any(p.name.startswith(TEMP_PREFIX) for p in new.parent.iterdir())
    assert batch.commit() == [new, kept]
    assert (new.read_bytes(), kept.read_bytes()) == (b"\x89PNG", b"changed")
    assert oct(new.stat().st_mode & 0o777) == oct(0o644)
    leftovers = [p for p in tmp_path.rglob(f"{TEMP_PREFIX}*")]
    assert leftovers == [] and len(batch) == 0 and batch.commit() == []


def test_write_batch_removes_its_temp_files_when_a_rename_fails(tmp_path: Path) -> None:
    batch = WriteBatch()
    batch.add(tmp_path / "one.md", b"1")
    batch.add(tmp_path / "two.md", b"2")
    (tmp_path / "one.md").mkdir()  # a folder where the file should go
    with pytest.raises(OSError):
        batch.commit()
    assert list(tmp_path.rglob(f"{TEMP_PREFIX}*")) == []


def test_leftover_temp_files_are_removed(tmp_path: Path) -> None:
    (tmp_path / "pages" / "prog204").mkdir(parents=True)
    leftover = tmp_path / "pages" / "prog204" / f"{TEMP_PREFIX}abc"
    leftover.write_bytes(b"half a page")
    assert remove_temp_files(tmp_path) == 1
    assert not leftover.exists()


def test_existing_pages_ignore_strangers(tmp_path: Path) -> None:
    tree = MirrorTree(tmp_path)
    assert tree.existing_pages() == {}  # no pages folder yet
    for name in ("a1.md", "a2.png", f"{TEMP_PREFIX}x", "notes.md", "a4.md.tmp", "a5.MD", "md"):
        (tmp_path / "pages" / "prog204").mkdir(parents=True, exist_ok=True)
        (tmp_path / "pages" / "prog204" / name).write_text("x")
    (tmp_path / "pages" / "..hidden").mkdir()
    (tmp_path / "pages" / "..hidden" / "a3.md").write_text("x")
    (tmp_path / "pages" / "prog1").write_text("a file where a folder would be")
    assert tree.existing_pages() == {"a1": "prog204"}


def test_a_pages_file_is_no_tree(tmp_path: Path) -> None:
    (tmp_path / "pages").write_text("x")
    assert MirrorTree(tmp_path).existing_pages() == {}


def test_writes_outside_the_tree_are_refused(tmp_path: Path) -> None:
    tree = MirrorTree(tmp_path / "site")
    with pytest.raises(UnsafeNameError):
        tree.write(tmp_path / "elsewhere.md", b"x")
    os.makedirs(tmp_path / "site")
    assert tree.write(tmp_path / "site" / "ok.md", b"x") is True
