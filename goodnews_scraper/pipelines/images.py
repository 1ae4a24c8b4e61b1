"""Mirror article images into ``SITE_DIR/images/`` and link the pages to them.

Readers cannot reach the site's image host, so every picture an article shows
(featured image, figures, lazy-loaded images) is downloaded with Scrapy's own
:class:`~scrapy.pipelines.images.ImagesPipeline`, scaled down and stored once as
``images/<sha1 of its URL>.webp`` (``IMAGES_FORMAT``: WebP at quality 80 is
about a fifth smaller than JPEG at 75 for the same SSIM on real photographs,
docs/benchmarks.md); the item records where (``Article.images``),
and the renderers link it from the page (relative, or from ``ASSETS_BASE_URL``).
Scrapy's stored-file check (``IMAGES_EXPIRES``) keeps re-runs from downloading
an image again. An image that cannot be mirrored keeps its remote URL, is
counted under ``goodnews/images/failed/<reason>`` and logged once: it never
blocks the page.

Articles stored while image mirroring was off (``IMAGES_ENABLED=False``)
still link remote images. Such a run leaves the marker
``images/.backfill-pending``; the next run with images on (and
``IMAGES_BACKFILL``), once its own crawl is done, mirrors the pictures of
those store records and hands the records on to the tree writer, which
renders their pages again, without fetching the articles; then it removes
the marker. A tree without an ``images/`` folder (made before image
mirroring existed) is backfilled too.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import AsyncIterator, Iterator
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from PIL import Image as PILImage
from PIL import ImageOps
from scrapy import Request, signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DontCloseSpider,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
)
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.files import FSFilesStore
from scrapy.pipelines.images import ImagesPipeline
from scrapy.pipelines.media import FileException
from scrapy.utils.python import to_bytes

from goodnews_scraper.conversion.image_links import html_image_urls, markdown_image_urls
from goodnews_scraper.hosts import HostPolicy
from goodnews_scraper.items import Article
from goodnews_scraper.mirror.files import write_if_changed
from goodnews_scraper.mirror.tree import MirrorTree
from goodnews_scraper.settings_checks import ImageOptions, site_dir
from goodnews_scraper.store.records import ArticleRecord, RecordError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.pipelines.media import FileInfo, FileInfoOrError, MediaPipeline
    from scrapy.statscollectors import StatsCollector
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

#: Folder of the tree that holds the images, shared by all sections.
IMAGES_DIR = "images"
#: libwebp's effort (0-6). Measured on 800x450 photographs: 4 (its default) takes
#: 26 ms a picture for files 4 % larger than 6, which takes 54 ms (JPEG 75: 2 ms,
#: 31 % larger again); SSIM is the same.
WEBP_METHOD = 4
#: Left in the images folder by a run with images off: stored pages need a backfill.
BACKFILL_MARKER = ".backfill-pending"


class ImageSkipped(FileException):
    """An image that is not mirrored; ``reason`` is its stats key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DropSkippedImageTracebacks(logging.Filter):
    """Drops the traceback Scrapy's media pipeline logs for each failed image.

    Scrapy offers no public way to say a media failure is expected; it logs
    each one with a traceback on the logger of ``scrapy.pipelines.media``.
    Ours are already logged once, in one line (``_skip``). tests/test_images.py
    fails if an upgrade moves that log line and the tracebacks come back.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, ImageSkipped)


#: The logger Scrapy's media pipeline logs a failed download's traceback on.
MEDIA_LOGGER = logging.getLogger("scrapy.pipelines.media")


def failure_reason(error: BaseException) -> str:
    """A short stats key for why a download failed."""
    if isinstance(error, ImageSkipped):
        return error.reason
    if isinstance(error, IgnoreRequest):
        return "robots_txt" if "robots.txt" in str(error) else "filtered"
    if isinstance(error, DownloadTimeoutError | TimeoutError):
        return "timeout"
    if isinstance(error, DownloadCancelledError):
        return "too_large" if "max size" in str(error) else "cancelled"
    if isinstance(error, DownloadConnectionRefusedError | ConnectionRefusedError):
        return "connection_refused"
    if isinstance(error, CannotResolveHostError):
        return "dns"
    return type(error).__name__


class AtomicFilesStore(FSFilesStore):
    """Scrapy's file store, writing like the rest of the tree: atomically, only on change."""

    def persist_file(
        self,
        path: str | os.PathLike[str],
        buf: BytesIO,
        info: MediaPipeline.SpiderInfo,
        meta: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        target = Path(self.basedir, *str(path).split("/"))
        if not write_if_changed(target, buf.getvalue()):
            # Same bytes: keep the file, but restart its IMAGES_EXPIRES clock.
            os.utime(target)


class MirrorImagesPipeline(ImagesPipeline):
    STORE_SCHEMES: ClassVar[dict[str, Any]] = {
        **ImagesPipeline.STORE_SCHEMES,
        "": AtomicFilesStore,
        "file": AtomicFilesStore,
    }
    # Failures are logged once each, in media_failed; not again per item.
    LOG_FAILED_RESULTS = False

    def __init__(self, store_uri: str, *, crawler: Crawler, options: ImageOptions) -> None:
        super().__init__(store_uri, crawler=crawler)
        self.options = options
        self.tree = MirrorTree(Path(store_uri))
        self._backfill_scheduled = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MirrorImagesPipeline:
        settings = crawler.settings
        if not settings.getbool("IMAGES_ENABLED"):
            # Pages this run stores keep remote images: a later run with images on fills them in.
            write_if_changed(site_dir(settings) / IMAGES_DIR / BACKFILL_MARKER, b"")
            raise NotConfigured("IMAGES_ENABLED is off: pages keep the remote image URLs")
        # (Scrapy's from_crawler also sets up its S3, GCS and FTP stores; ours is always
        # SITE_DIR on disk, so nothing of that is needed.)
        if not any(isinstance(f, DropSkippedImageTracebacks) for f in MEDIA_LOGGER.filters):
            MEDIA_LOGGER.addFilter(DropSkippedImageTracebacks())
        # The pages link images by paths inside the tree, so they are stored there.
        pipeline = cls(
            str(site_dir(settings)), crawler=crawler, options=ImageOptions.from_settings(settings)
        )
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None
        return self.crawler.stats

    # --- what to download -----------------------------------------------------
    def image_urls(self, item: Any) -> list[str]:
        if isinstance(item, ArticleRecord):
            return _remote_images(item)
        if not isinstance(item, Article):
            return []
        urls = html_image_urls(item.body_html)
        if item.featured_image is not None and item.featured_image.url not in urls:
            urls.insert(0, item.featured_image.url)
        return urls

    def host_policy(self) -> HostPolicy:
        """The site's hosts and IMAGES_ALLOWED_HOSTS (read once the spider exists)."""
        policy: HostPolicy | None = self.__dict__.get("_host_policy")
        if policy is None:
            policy = self.__dict__["_host_policy"] = image_host_policy(
                self.crawler.spider, self.crawler.settings.getlist("IMAGES_ALLOWED_HOSTS")
            )
        return policy

    def fetched_image_urls(self, item: Any) -> list[str]:
        """The item's image URLs on allowed hosts: those requested, in order."""
        policy = self.host_policy()
        return [url for url in self.image_urls(item) if policy.refusal(url) is None]

    def allowed_image_url(self, url: str) -> bool:
        """Only the site's hosts and IMAGES_ALLOWED_HOSTS; refusals counted, logged once a host."""
        policy = self.host_policy()
        reason = policy.refusal(url)
        if reason is None:
            return True
        self.stats.inc_value(f"goodnews/images/refused/{reason}")
        host = policy.host_of(url)
        logged: set[str] = self.__dict__.setdefault("_refused_hosts", set())
        if host not in logged:
            logged.add(host)
            logger.warning(
                "Image not fetched (%s): %s is not one of the site's hosts nor in "
                "IMAGES_ALLOWED_HOSTS; pages keep its remote URL (first: %s)",
                reason,
                host,
                url,
            )
        return False

    def get_media_requests(self, item: Any, info: MediaPipeline.SpiderInfo) -> list[Request]:
        meta = {
            # The image host is not the spider's allowed domain.
            "allow_offsite": True,
            "download_maxsize": self.options.max_bytes,
            "download_warnsize": 0,
        }
        return [
            Request(url, callback=NO_CALLBACK, meta=meta)
            for url in self.image_urls(item)
            if self.allowed_image_url(url)
        ]

    def file_path(
        self,
        request: Request,
        response: Response | None = None,
        info: MediaPipeline.SpiderInfo | None = None,
        *,
        item: Any = None,
    ) -> str:
        digest = hashlib.sha1(to_bytes(request.url)).hexdigest()  # a file name, not a secret
        return f"{IMAGES_DIR}/{digest}{self.options.suffix}"

    # --- downloading and converting ---------------------------------------------
    def inc_stats(self, status: str) -> None:
        super().inc_stats(status)
        self.stats.inc_value(f"goodnews/images/{status}")

    def _skip(self, request: Request, reason: str, detail: str) -> ImageSkipped:
        self.stats.inc_value(f"goodnews/images/failed/{reason}")
        logger.warning(
            "Image not mirrored (%s): %s: %s; pages keep its remote URL",
            reason,
            request.url,
            detail,
        )
        return ImageSkipped(reason)

    async def media_downloaded(
        self,
        response: Response,
        request: Request,
        info: MediaPipeline.SpiderInfo,
        *,
        item: Any = None,
    ) -> FileInfo:
        if response.status != 200:
            raise self._skip(request, f"http_{response.status}", f"HTTP {response.status}")
        if not response.body:
            raise self._skip(request, "empty", "empty response")
        path = self.file_path(request, response=response, info=info, item=item)
        checksum = await self.image_downloaded(response, request, info, item=item)
        status = "cached" if "cached" in response.flags else "downloaded"
        self.inc_stats(status)
        return {"url": request.url, "path": path, "checksum": checksum, "status": status}

    def media_failed(
        self, failure: Failure, request: Request, info: MediaPipeline.SpiderInfo
    ) -> Any:
        error = failure.value
        if isinstance(error, ImageSkipped):
            raise error
        assert error is not None
        raise self._skip(request, failure_reason(error), str(error) or type(error).__name__)

    def get_images(
        self,
        response: Response,
        request: Request,
        info: MediaPipeline.SpiderInfo,
        *,
        item: Any = None,
    ) -> Iterator[tuple[str, PILImage.Image, BytesIO]]:
        path = self.file_path(request, response=response, info=info, item=item)
        try:
            image = PILImage.open(BytesIO(response.body))
        except PILImage.DecompressionBombError as error:
            raise self._skip(request, "too_large", str(error)) from None
        except Exception as error:  # whatever a broken file makes the decoder raise
            raise self._skip(request, "not_an_image", str(error) or type(error).__name__) from None
        width, height = image.size
        if width * height > self.options.max_pixels:
            raise self._skip(request, "too_large", f"{width}x{height} is over IMAGES_MAX_PIXELS")
        if width < self.min_width or height < self.min_height:
            raise self._skip(
                request,
                "too_small",
                f"{width}x{height} is under {self.min_width}x{self.min_height}",
            )
        try:
            converted, buf = self.convert_image(
                ImageOps.exif_transpose(image), response_body=BytesIO()
            )
        except PILImage.DecompressionBombError as error:
            raise self._skip(request, "too_large", str(error)) from None
        except Exception as error:  # whatever a broken file makes the decoder raise
            raise self._skip(request, "not_an_image", str(error) or type(error).__name__) from None
        yield path, converted, buf

    def convert_image(
        self,
        image: PILImage.Image,
        size: tuple[int, int] | None = None,
        *,
        response_body: BytesIO,
    ) -> tuple[PILImage.Image, BytesIO]:
        """An RGB picture at most IMAGES_MAX_WIDTH wide; same input, same bytes."""
        image = flatten(image)
        max_width = size[0] if size else self.options.max_width
        if image.width > max_width:
            height = max(1, round(image.height * max_width / image.width))
            image = image.resize((max_width, height), PILImage.Resampling.LANCZOS)
        buf = BytesIO()
        if self.options.image_format == "WEBP":
            image.save(buf, "WEBP", quality=self.options.quality, method=WEBP_METHOD)
        else:
            image.save(buf, "JPEG", quality=self.options.quality, optimize=True)
        return image, buf

    # --- recording where the pictures are -------------------------------------------
    def item_completed(
        self, results: list[FileInfoOrError], item: Any, info: MediaPipeline.SpiderInfo
    ) -> Any:
        stored = {
            url: value["path"]
            for url, (ok, value) in zip(self.fetched_image_urls(item), results, strict=True)
            if ok and isinstance(value, dict) and value.get("path")
        }
        if isinstance(item, Article | ArticleRecord) and stored:
            item.images = dict(sorted({**item.images, **stored}.items()))
            self.stats.inc_value("goodnews/images/linked", len(stored))
            if isinstance(item, ArticleRecord):
                self.stats.inc_value("goodnews/images/backfilled_pages")
        return item

    # --- backfill of pages stored without images -----------------------------------
    @property
    def backfill_marker(self) -> Path:
        return self.tree.root / IMAGES_DIR / BACKFILL_MARKER

    def backfill_pending(self) -> bool:
        """Whether pages may link remote images: stored with images off, or before."""
        return self.backfill_marker.exists() or not self.tree.holds_folder(IMAGES_DIR)

    def spider_idle(self) -> None:
        """Once the crawl is done, mirror the images of pages stored with images off."""
        if self._backfill_scheduled or not self.options.backfill or not self.backfill_pending():
            return
        self._backfill_scheduled = True
        assert self.crawler.engine is not None
        # A request whose callback does the work keeps the engine busy until it ends.
        self.crawler.engine.crawl(
            Request("data:,", callback=self._backfill, dont_filter=True, priority=-1000)
        )
        raise DontCloseSpider

    def _stored_records(self) -> Iterator[ArticleRecord]:
        """Store records that link remote pictures and no mirrored one (stored with images off)."""
        for article_id, slug in sorted(self.tree.existing_records().items()):
            path = self.tree.record_path(f"pages/{slug}/{article_id}.md")
            try:
                record = ArticleRecord.from_json(path.read_bytes())
            except (OSError, RecordError):
                continue
            if _remote_images(record) and not record.images:
                yield record

    async def _backfill(self, response: Response) -> AsyncIterator[ArticleRecord]:
        """Hand each record on: this pipeline mirrors its pictures, the tree writer its page."""
        for record in self._stored_records():
            yield record
        # Done: images that failed now are failures of a run with images on.
        self.backfill_marker.parent.mkdir(parents=True, exist_ok=True)
        self.backfill_marker.unlink(missing_ok=True)


def _remote_images(record: ArticleRecord) -> list[str]:
    """The pictures of a stored record that are not mirrored yet."""
    urls = markdown_image_urls(record.body_markdown)
    if record.featured_image is not None and record.featured_image.url not in urls:
        urls.insert(0, record.featured_image.url)
    return [url for url in urls if url not in record.images]


def image_host_policy(spider: object, allowed: list[str]) -> HostPolicy:
    """Hosts images may come from: the spider's site (its ``site_hosts``,
    ``image_hosts`` and ``own_netlocs``, or else its allowed domains) and ``allowed``."""
    site = getattr(spider, "site_hosts", None) or getattr(spider, "allowed_domains", None) or ()
    images = getattr(spider, "image_hosts", ())
    return HostPolicy.of([*site, *images, *allowed], getattr(spider, "own_netlocs", ()))


def flatten(image: PILImage.Image) -> PILImage.Image:
    """RGB, with any transparency composed over white (pictures are stored without alpha)."""
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        rgba = image.convert("RGBA")
        background = PILImage.new("RGBA", rgba.size, (255, 255, 255, 255))
        return PILImage.alpha_composite(background, rgba).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")
