"""Where a rendered file links to: inside the tree, the published mirror, or a CDN.

Readers in mainland China reach github.com but not raw.githubusercontent.com,
which serves every picture GitHub shows from a repository. So links between
files of the tree stay relative (they work on any host, in any fork), and
pictures and QR codes can come from a configurable base instead
(``ASSETS_BASE_URL``, e.g. a CDN that mirrors GitHub repositories).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from goodnews_scraper.conversion.image_links import relative_link
from goodnews_scraper.renderers.html import html_name

if TYPE_CHECKING:
    from goodnews_scraper.store.records import ArticleRecord


@dataclass(frozen=True)
class Links:
    """``MIRROR_BASE_URL`` and ``ASSETS_BASE_URL``, both without a trailing slash ("" if unset)."""

    mirror_base_url: str = ""
    assets_base_url: str = ""
    #: Share links and QR codes open the ``.html`` pages (a mirror read on a static host).
    share_html: bool = False

    def share_url(self, record: ArticleRecord) -> str:
        """The page's public URL (what the QR code opens); the original without a mirror URL."""
        return self.public(record.page) if self.mirror_base_url else record.url

    def public(self, tree_path: str) -> str:
        """A Markdown file's public URL: under MIRROR_BASE_URL, its ``.html`` when asked."""
        path = html_name(tree_path) if self.share_html else tree_path
        return f"{self.mirror_base_url}/{path}" if self.mirror_base_url else path

    def asset(self, tree_path: str, from_file: str) -> str:
        """A picture's or QR code's link: ``ASSETS_BASE_URL/<tree path>``, else relative."""
        if self.assets_base_url:
            return f"{self.assets_base_url}/{tree_path}"
        return relative_link(tree_path, from_file)
