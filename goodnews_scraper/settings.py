"""Settings of goodnews-scraper. Override any of them with ``-s NAME=VALUE``.

Project settings first; Scrapy's own follow, chosen to be polite to the site
and safe to run unattended.
"""

from __future__ import annotations

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
#: home.md.j2, _labels.md.j2).
TEMPLATES_DIR = ""

ITEM_PIPELINES = {
    "goodnews_scraper.pipelines.clean_html.CleanHtmlPipeline": 100,
    "goodnews_scraper.pipelines.markdown.MarkdownPipeline": 200,
    "goodnews_scraper.pipelines.qr_code.QrCodePipeline": 300,
    "goodnews_scraper.pipelines.page.RenderPagePipeline": 400,
}

FEED_EXPORTERS = {
    "mirror": "goodnews_scraper.exporters.mirror_tree.MirrorTreeExporter",
}
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
    ],
}
FEEDS = {MIRROR_FEED_URI: MIRROR_FEED_OPTIONS}
#: Puts the mirror feed back when a runner replaces FEEDS (Scrapyd's
#: items_dir, ``-o items.jsonl``): the tree is always written.
ADDONS = {"goodnews_scraper.addons.MirrorFeedAddon": 0}

#: Extensions, each owned by one feature (monitors, publishing, ...).
EXTENSIONS: dict[str, int | None] = {}

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
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
