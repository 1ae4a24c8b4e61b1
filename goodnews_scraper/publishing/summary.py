"""Say in one line what a publication changed: ``ntdtv: 12 new articles in prog204, prog202``.

Works from the changed paths alone (what git status or the bucket comparison
found), so the message is true to what is sent; section names come from the
tree's index data when it has them.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from goodnews_scraper.mirror.tree import SLUG_RE, MirrorTree

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

_PAGE = re.compile(rf"pages/(?P<slug>{SLUG_RE.pattern})/[^/]+\.md")
#: Sections named in a subject line at most; the body lists them all.
SUBJECT_SECTIONS = 4


def _per_section(paths: Iterable[str]) -> Counter[str]:
    return Counter(match["slug"] for path in paths if (match := _PAGE.fullmatch(path)))


def _articles(count: int, kind: str) -> str:
    return f"{count} {kind} article{'' if count == 1 else 's'}"


def _in_sections(counts: Counter[str]) -> str:
    slugs = [slug for slug, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    shown = ", ".join(slugs[:SUBJECT_SECTIONS])
    more = len(slugs) - SUBJECT_SECTIONS
    return f"{shown} and {more} more" if more > 0 else shown


def subject(name: str, added: Iterable[str], modified: Iterable[str]) -> str:
    """The first line: new articles by section, else updated ones, else a file count."""
    added, modified = list(added), list(modified)
    new, updated = _per_section(added), _per_section(modified)
    parts = []
    if new:
        parts.append(f"{_articles(sum(new.values()), 'new')} in {_in_sections(new)}")
    if updated:
        text = _articles(sum(updated.values()), "updated")
        parts.append(text if new else f"{text} in {_in_sections(updated)}")
    if not parts:
        count = len(added) + len(modified)
        parts.append(f"update {count} file{'' if count == 1 else 's'}")
    return f"{name}: " + "; ".join(parts)


def _section_label(tree: MirrorTree, slug: str) -> str:
    try:
        index = tree.load_index(slug)
    except (ValueError, KeyError, TypeError):
        index = None  # a damaged index only loses the name here
    return f"{slug} ({index.name})" if index is not None and index.name != slug else slug


def commit_message(name: str, added: Iterable[str], modified: Iterable[str], root: Path) -> str:
    """Subject, then one line per section touched, then the file counts."""
    added, modified = sorted(added), sorted(modified)
    new, updated = _per_section(added), _per_section(modified)
    tree = MirrorTree(root)
    sections = []
    for slug in sorted(set(new) | set(updated)):
        counts = [f"{new[slug]} new"] if new[slug] else []
        counts += [f"{updated[slug]} updated"] if updated[slug] else []
        sections.append(f"- {_section_label(tree, slug)}: {', '.join(counts)}")
    files = f"Files: {len(added)} added, {len(modified)} modified."
    body = [*sections, ""] if sections else []
    return "\n".join([subject(name, added, modified), "", *body, files]) + "\n"
