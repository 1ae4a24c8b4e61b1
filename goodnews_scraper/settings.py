"""Settings of goodnews-scraper. Override any of them with ``-s NAME=VALUE``.

Project settings first; Scrapy's own follow, chosen to be polite to the site
and safe to run unattended.
"""

from __future__ import annotations

import os

BOT_NAME = "goodnews_scraper"
SPIDER_MODULES = ["goodnews_scraper.spiders"]
NEWSPIDER_MODULE = "goodnews_scraper.spiders"
#: Our `crawl` checks arguments and settings first and fails in one line.
COMMANDS_MODULE = "goodnews_scraper.commands"

# --- The mirror -------------------------------------------------------------
#: The site to crawl. Every site URL and the allowed domain derive from it, so
#: the same spider crawls the fixture site on 127.0.0.1.
NTDTV_BASE_URL = "https://www.ntdtv.com"
#: Where the Markdown tree is written.
SITE_DIR = "site"
#: Public URL where SITE_DIR is published, e.g.
#: https://github.com/OWNER/REPO/blob/main. Share links and QR codes point
#: there; when empty they point to the original articles.
MIRROR_BASE_URL = ""
#: A folder of your own templates; any file there overrides the packaged one
#: of the same name (page.md.j2, header.md.j2, footer.md.j2, index.md.j2,
#: home.md.j2, _labels.md.j2). `scrapy render` applies a change to the whole tree.
TEMPLATES_DIR = ""
#: Where pictures and QR codes are linked from, e.g. a CDN that mirrors the
#: repository (https://fastly.jsdelivr.net/gh/OWNER/REPO@main): a file's link
#: is ASSETS_BASE_URL/<its path under SITE_DIR>. Empty: relative links.
ASSETS_BASE_URL = ""
#: How many of the newest articles of the whole mirror the home page lists.
HOME_LATEST_ARTICLES = 30
#: Atom feeds for feed readers: feeds/<slug>.xml per section and feeds/all.xml,
#: each with the newest ATOM_ENTRIES articles (docs/reader-outputs.md).
ATOM_ENABLED = True
ATOM_ENTRIES = 50
#: HTML pages for static hosts (Cloudflare Pages, Netlify, S3, IPFS): a .html
#: beside every .md and index.html at the root. `scrapy render -s
#: HTML_ENABLED=True` adds them to a tree that has none.
HTML_ENABLED = False
#: Share links and QR codes open the .html pages (a mirror read on a static host).
SHARE_LINKS_TO_HTML = False
#: An article that failed (HTTP error, no title, ...) is requested again by
#: every next run, wherever it is listed; one that still fails this many days
#: after its first failure is given up: recorded in store/crawl-state.json,
#: reported once, not requested again (0: give up at the first failure).
CRAWL_RETRY_DAYS = 7

ITEM_PIPELINES = {
    "goodnews_scraper.pipelines.clean_html.CleanHtmlPipeline": 100,
    "goodnews_scraper.pipelines.images.MirrorImagesPipeline": 150,
    "goodnews_scraper.pipelines.markdown.MarkdownPipeline": 200,
}

FEED_EXPORTERS = {
    "mirror": "goodnews_scraper.exporters.mirror_tree.MirrorTreeExporter",
}
#: Pages and QR codes are put in place in batches: this many articles, or
#: what this many seconds brought, with one sync of the disk for all their
#: files. A kill loses the batch in progress; the next run fetches it again.
MIRROR_WRITE_BATCH = 100
MIRROR_WRITE_BATCH_SECONDS = 10.0
#: The mirror feed writes the tree under SITE_DIR; the file named here gets
#: the run log (one JSON line per file written), kept out of the tree so the
#: tree only changes when the site does.
MIRROR_FEED_URI = ".scrapy/goodnews/%(name)s-last-run.jsonl"
MIRROR_FEED_OPTIONS = {
    "format": "mirror",
    "overwrite": True,
    "item_classes": [
        "goodnews_scraper.items.Article",
        "goodnews_scraper.items.SectionListing",
        # Stored articles whose pictures the images backfill mirrored.
        "goodnews_scraper.store.records.ArticleRecord",
        "goodnews_scraper.items.ArticleFailed",
    ],
}
FEEDS = {MIRROR_FEED_URI: MIRROR_FEED_OPTIONS}
#: Puts the mirror feed back when a runner replaces FEEDS (Scrapyd's
#: items_dir, ``-o items.jsonl``): the tree is always written.
ADDONS = {
    "goodnews_scraper.addons.MirrorFeedAddon": 0,
}

#: Extensions, each owned by one feature (monitors, publishing, ...).
EXTENSIONS: dict[str, int | None] = {
    # Monitoring: the run's summary and progress line (before the monitors,
    # which read its counts), then Spidermon. Our progress line replaces LogStats.
    "goodnews_scraper.extensions.summary.RunSummary": 400,
    "spidermon.contrib.scrapy.extensions.Spidermon": 500,
    "scrapy.extensions.logstats.LogStats": None,
    # Publishing: set up SITE_DIR at start, publish it once the feeds are done.
    "goodnews_scraper.extensions.publish.PublishExtension": 600,
}

# --- Images -----------------------------------------------------------------
#: Mirror article images into SITE_DIR/images/ (off: pages keep remote URLs).
IMAGES_ENABLED = True
#: Wider images are scaled down to this width (pixels).
IMAGES_MAX_WIDTH = 800
#: Pictures are stored as WEBP (the default: about a fifth smaller than JPEG
#: 75 at the same SSIM on real photographs, see docs/benchmarks.md) or JPEG,
#: at these qualities. A change applies to pictures downloaded afterwards.
IMAGES_FORMAT = "WEBP"
IMAGES_WEBP_QUALITY = 80
IMAGES_JPEG_QUALITY = 75
#: Smaller images (tracking pixels, icons) are not mirrored (Scrapy's settings).
IMAGES_MIN_WIDTH = 50
IMAGES_MIN_HEIGHT = 50
#: Larger downloads are abandoned (bytes), larger images are not decoded (pixels).
IMAGES_MAX_BYTES = 8 * 1024 * 1024
IMAGES_MAX_PIXELS = 40_000_000
#: Days a stored image counts as up to date (Scrapy's setting): no download again.
IMAGES_EXPIRES = 90
#: Rewrite pages stored while IMAGES_ENABLED was off to link mirrored images.
IMAGES_BACKFILL = True
#: Image URLs may redirect (e.g. http to https).
MEDIA_ALLOW_REDIRECTS = True

# --- Monitoring -------------------------------------------------------------
#: When the spider closes, Spidermon runs the monitors of monitors.py; if one
#: fails, or the crawl did not finish, `scrapy crawl` ends with status 1.
SPIDERMON_ENABLED = True
SPIDERMON_SPIDER_CLOSE_MONITORS = ["goodnews_scraper.monitors.MirrorMonitorSuite"]
#: Once the engine stops (the tree writer done): did every file get written?
SPIDERMON_ENGINE_STOP_MONITORS = ["goodnews_scraper.monitors.TreeMonitorSuite"]
#: False: a failed monitor is only reported (log, stats, notifications).
GOODNEWS_MONITORS_FAIL_RUN = True
#: Articles are checked against schemas/article.json first; invalid ones are
#: dropped (tried again next run) and counted under spidermon/validation/.
ITEM_PIPELINES["goodnews_scraper.pipelines.validation.ArticleValidationPipeline"] = 50
#: Thresholds: the job fails above them.
SPIDERMON_MAX_ITEM_VALIDATION_ERRORS = 0
#: Share of articles (and of list pages) served by the fallback extraction
#: layers instead of the site's selectors: above it, the site has changed.
GOODNEWS_MAX_FALLBACK_SHARE = 0.10
#: Responses with these statuses, more than ..._MAX_COUNT of any one of them
#: (404 is left out: a missing article is an error already, a missing image
#: is counted under goodnews/images/failed/).
SPIDERMON_UNWANTED_HTTP_CODES = [403, 407, 429, 500, 502, 503, 504, 522, 524]
SPIDERMON_UNWANTED_HTTP_CODES_MAX_COUNT = 10
SPIDERMON_EXPECTED_FINISH_REASONS = ["finished"]
#: Errors in the log (each failed page is logged once as an error).
SPIDERMON_MAX_ERRORS = 0
#: Seconds between two progress lines in the log (0: none).
GOODNEWS_PROGRESS_INTERVAL = 60
#: Notifications when a monitor fails, through Spidermon's own actions, each on
#: when its first setting is given: Slack (SPIDERMON_SLACK_SENDER_TOKEN,
#: SPIDERMON_SLACK_RECIPIENTS), e-mail (SPIDERMON_EMAIL_TO, SPIDERMON_SMTP_HOST,
#: ...), Sentry (SPIDERMON_SENTRY_DSN, SPIDERMON_SENTRY_PROJECT_NAME). Secrets
#: come from the environment and may be absent: `scrapy list` still works.
SPIDERMON_SLACK_SENDER_TOKEN = os.environ.get("SPIDERMON_SLACK_SENDER_TOKEN", "")
SPIDERMON_SMTP_PASSWORD = os.environ.get("SPIDERMON_SMTP_PASSWORD", "")
SPIDERMON_SENTRY_DSN = os.environ.get("SPIDERMON_SENTRY_DSN", "")

# --- Publishing -------------------------------------------------------------
#: Where the finished tree goes when a crawl ends with reason "finished":
#: "" (it stays in SITE_DIR), "git" (commit and push) or "s3" (upload).
PUBLISH = ""
#: git: the remote, e.g. https://x-access-token:TOKEN@github.com/OWNER/REPO.git
#: or git@github.com:OWNER/REPO.git. Leave it empty to read it from the
#: environment variable named by PUBLISH_GIT_REMOTE_ENV (keeps tokens out of
#: settings and command lines).
PUBLISH_GIT_REMOTE = ""
PUBLISH_GIT_REMOTE_ENV = "GOODNEWS_GIT_REMOTE"
PUBLISH_GIT_BRANCH = "main"
PUBLISH_GIT_AUTHOR_NAME = "goodnews-scraper"
PUBLISH_GIT_AUTHOR_EMAIL = "goodnews-scraper@users.noreply.github.com"
#: s3: s3://BUCKET/PREFIX. Credentials: Scrapy's AWS_ACCESS_KEY_ID,
#: AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) settings, else the
#: environment / ~/.aws as botocore finds them.
PUBLISH_S3_URI = ""
#: An S3-compatible server (MinIO, ...): its URL; empty for AWS (or
#: Scrapy's AWS_ENDPOINT_URL). Region: empty for AWS_REGION_NAME.
PUBLISH_S3_ENDPOINT_URL = ""
PUBLISH_S3_REGION = ""
#: A canned ACL for uploaded files, e.g. public-read; empty: the bucket decides.
PUBLISH_S3_ACL = ""

# --- Politeness and safety --------------------------------------------------
USER_AGENT = "goodnews-scraper/0.1 (+https://github.com/begood0513/goodnews; news mirror)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
#: Retries wait first: what Retry-After asks, else RETRY_BACKOFF_BASE seconds
#: doubled on each retry; never more than RETRY_BACKOFF_MAX.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "goodnews_scraper.middlewares.retry.BackoffRetryMiddleware": 550,
}
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0
#: The spider logs each page that failed for good as one error; Scrapy's own
#: "Gave up retrying" line stays a warning so a failure is not counted twice.
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# --- Scheduled runs (GitHub Actions) ----------------------------------------
#: Also write the end-of-run summary to this file (empty: only the log), for a
#: runner that shows it on its own: goodnews_scraper.github_actions prints it
#: last and adds it to the GitHub Actions job summary.
GOODNEWS_SUMMARY_FILE = ""

# --- Crawl safety: hosts, lock, log, contracts (issue 13) --------------------
#: Robots.txt download errors are logged as one warning line, not a traceback.
EXTENSIONS["goodnews_scraper.extensions.log_filters.OneLineLogErrors"] = 0
#: Images are fetched only from the site's own hosts, its image host
#: (i.ntdtv.com, declared in sites/ntdtv.py) and the hosts named here; never
#: from IP addresses, localhost, private or link-local addresses (unless that
#: is the site's own address, as for a fixture on 127.0.0.1).
IMAGES_ALLOWED_HOSTS: list[str] = []
#: Embedded players (iframes, videos) become "▶" links only on these hosts and
#: the site's own; any other player is dropped and counted under
#: goodnews/players/dropped/.
VIDEO_HOSTS = [
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtu.be",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
    "ganjingworld.com",
    "www.ganjingworld.com",
]
#: `scrapy check ntdtv`: the contracts' @url follows NTDTV_BASE_URL.
SPIDER_CONTRACTS = {"goodnews_scraper.contracts.SiteUrlContract": 10}

# --- fresh disks (docs/fresh-disk.md) ---
#: A fresh disk (an empty SITE_DIR) restores every published file, as before,
#: instead of only what a run reads (state, indexes, feeds, home page and the
#: feeds' records); the rest stays on the remote or in the bucket, listed.
PUBLISH_RESTORE_ALL = False

# --- Sites (issue 17) ---------------------------------------------------------
#: The base URL of the site crawled, for any spider (ntdtv, epochtimes): every
#: site URL and the allowed domain derive from it. Empty: the site's own
#: (https://www.ntdtv.com, https://www.epochtimes.com); for ntdtv,
#: NTDTV_BASE_URL above still serves when this is empty.
SITE_BASE_URL = ""
#: Sites with section feeds (epochtimes) have them read first. True: a feed
#: item that carries the whole article becomes the article, without a request
#: for its page (its lead image, which only the page shows, is then left out);
#: False: every new article's page is requested, the feed only lists them.
SITE_FEED_ARTICLES = True
