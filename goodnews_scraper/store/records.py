"""An article as the store keeps it: everything needed to render it again.

A record holds every field of the crawled item plus the cleaned body and its
Markdown, with image links as the site gave them and, beside them, where
each mirrored picture is stored in the tree. Renderers swap the links for
relative paths or for ``ASSETS_BASE_URL``, so one record serves every
rendering: a new template, a renamed repository, pictures from a CDN.

The JSON is written for git: keys sorted, one field a line, no run times, so
the same article always gives the same bytes and a record that did not
change is never rewritten.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from goodnews_scraper.mirror.tree import check_article_id, check_section

if TYPE_CHECKING:
    from goodnews_scraper.items import Article
    from goodnews_scraper.mirror.tree import MirrorTree

#: Bumped when a field changes meaning; readers refuse newer versions.
RECORD_VERSION = 1


class RecordError(ValueError):
    """A stored record that cannot be read (broken JSON, a missing field, a newer format)."""


@dataclass(frozen=True)
class RecordImage:
    url: str
    caption: str = ""


@dataclass
class ArticleRecord:
    """One stored article. ``page`` is decided once, when the article is first stored."""

    site: str
    edition: str
    article_id: str
    url: str
    section: str
    section_name: str
    title: str
    published: str  # ISO 8601 with the site's offset (+08:00 for Beijing time)
    page: str  # tree path of the page, e.g. pages/prog204/a103124021.md
    body_html: str  # cleaned, image links as the site gave them
    body_markdown: str  # the same, as Markdown
    extraction: str
    byline: str = ""
    tags: list[str] = field(default_factory=list)
    featured_image: RecordImage | None = None
    full_video_url: str = ""
    #: Image link as the body or featured image holds it -> tree path of the mirrored file.
    images: dict[str, str] = field(default_factory=dict)

    @property
    def published_at(self) -> datetime:
        return datetime.fromisoformat(self.published)

    def to_json(self) -> bytes:
        data = {"version": RECORD_VERSION, **asdict(self)}
        return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode()

    @classmethod
    def from_json(cls, raw: bytes) -> ArticleRecord:
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise RecordError("not a JSON object")
            version = data.pop("version", None)
            if version != RECORD_VERSION:
                raise RecordError(
                    f"record version {version!r}, this release reads {RECORD_VERSION}"
                )
            featured = data.pop("featured_image", None)
            record = cls(
                **data,
                featured_image=None if featured is None else RecordImage(**featured),
            )
        except RecordError:
            raise
        except (ValueError, TypeError) as error:
            raise RecordError(str(error)) from error
        check_article_id(record.article_id)
        check_section(record.section)
        return record

    @classmethod
    def from_article(cls, item: Article, page: str) -> ArticleRecord:
        featured = item.featured_image
        return cls(
            site=item.site,
            edition=item.edition,
            article_id=item.article_id,
            url=item.url,
            section=item.section,
            section_name=item.section_name,
            title=item.title,
            published=item.published.isoformat(),
            page=page,
            body_html=item.body_html,
            body_markdown=item.body_markdown,
            extraction=item.extraction,
            byline=item.byline,
            tags=list(item.tags),
            featured_image=None
            if featured is None
            else RecordImage(featured.url, featured.caption),
            full_video_url=item.full_video_url,
            images=dict(sorted(item.images.items())),
        )


def first_record(tree: MirrorTree) -> ArticleRecord | None:
    """The first readable record on the tree's disk (by id), if any.

    Only records on disk are tried: on a fresh disk most are published only,
    and opening each of those would cost a failed read per article at start.
    """
    for article_id, slug in sorted(tree.records_on_disk().items()):
        record = load_record(tree, f"pages/{slug}/{article_id}.md")
        if record is not None:
            return record
    return None


def load_record(tree: MirrorTree, page: str) -> ArticleRecord | None:
    """The record of the page at tree path ``page``; None when it has none (or a broken one)."""
    try:
        return ArticleRecord.from_json(tree.record_path(page).read_bytes())
    except (OSError, RecordError, ValueError):
        return None
