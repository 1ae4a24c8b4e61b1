"""Section indexes (whole, or one month of a long one) and the home page, as Markdown.

Both are rendered from the index data (``indexes/<slug>.json`` and its
months), which the tree writer merges run after run; these functions only
turn that data into pages, so a render and a crawl give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from goodnews_scraper.conversion.templates import render

if TYPE_CHECKING:
    from jinja2 import Template

    from goodnews_scraper.mirror.tree import IndexEntry, SectionIndex


def index_relpath(slug: str, month: str = "") -> str:
    """``indexes/<slug>.md``, or ``indexes/<slug>/<YYYY-MM>.md`` for a month page."""
    return f"indexes/{slug}/{month}.md" if month else f"indexes/{slug}.md"


def index_markdown(template: Template, site: str, slug: str, part: SectionIndex) -> str:
    """One index page: a short index, the head of a split one, or one of its months."""
    if part.month:
        up, home, index_link = "../../", "../../README.md", f"../{slug}.md"
    else:
        up, home, index_link = "../", "../README.md", ""
    entries = [
        {"title": entry.title, "date": entry.published[:10], "link": f"{up}{entry.page}"}
        for entry in part.sorted_entries()
    ]
    archives = [
        {"month": m.month, "link": f"{slug}/{m.month}.md", "count": m.count}
        for m in part.months or []
    ]
    return render(
        template,
        site=site,
        edition=part.edition,
        section=part.section,
        section_name=part.name,
        home_link=home,
        entries=entries,
        count=part.count,
        month=part.month,
        index_link=index_link,
        archives=archives,
    )


@dataclass(frozen=True)
class HomeSection:
    """One section as the home page shows it, from the head of its index."""

    slug: str
    head: SectionIndex


def latest_entries(sections: list[HomeSection], limit: int) -> list[tuple[IndexEntry, str]]:
    """The newest ``limit`` articles of the whole mirror with their section's name, newest first.

    An article indexed in two sections is shown once, with the section its
    page is stored in. Each head holds its section's newest entries, so the
    heads are enough.
    """
    seen: dict[str, tuple[IndexEntry, str]] = {}
    for section in sections:
        home = f"pages/{section.slug}/"
        for entry in section.head.entries.values():
            if entry.id not in seen or entry.page.startswith(home):
                seen[entry.id] = (entry, section.head.name)
    ordered = sorted(seen.values(), key=lambda pair: pair[0].sort_key(), reverse=True)
    return ordered[:limit]


def home_markdown(
    template: Template, site: str, edition: str, sections: list[HomeSection], latest_count: int
) -> str:
    """The home page: every section with its count and newest date, then the newest articles."""
    rows = []
    for section in sections:
        first = section.head.sorted_entries()[:1]
        rows.append(
            {
                "name": section.head.name,
                "link": index_relpath(section.slug),
                "count": section.head.count,
                "latest": first[0].published[:10] if first else "",
            }
        )
    newest = latest_entries(sections, max(latest_count, 1))
    latest = [
        {"title": entry.title, "date": entry.published[:10], "link": entry.page, "section": name}
        for entry, name in newest[:latest_count]
    ]
    # The newest article's time, never the run's: an unchanged mirror renders the same bytes.
    updated = newest[0][0].published[:16].replace("T", " ") if newest else ""
    return render(
        template, site=site, edition=edition, sections=rows, latest=latest, updated=updated
    )
