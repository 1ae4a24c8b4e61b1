"""Publishers: send the finished mirror tree to where readers reach it.

Each publisher is plain Python (no Scrapy): ``prepare()`` before the crawl
writes, ``publish()`` after it finished. ``extensions/publish.py`` drives
them from the crawl's signals; ``config.py`` builds one from settings.
"""
