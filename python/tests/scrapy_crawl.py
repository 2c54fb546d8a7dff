"""A Scrapy crawl with next_rsc's middleware, run by test_scrapy.py in a process of its own
(Twisted's reactor starts once per process): `python scrapy_crawl.py OUT.jsonl URL...`.
Writes one JSON line per response with what the spider saw in response.meta."""

from __future__ import annotations

import json
import sys

import scrapy
from scrapy.crawler import CrawlerProcess


class FixtureSpider(scrapy.Spider):  # type: ignore[misc]
    name = "fixtures"
    custom_settings = {"HTTPERROR_ALLOW_ALL": True}

    def __init__(self, urls: list[str], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.start_urls = urls

    def parse(self, response: scrapy.http.Response) -> object:
        page = response.meta["next_rsc"]
        yield {
            "url": response.url,
            "status": response.status,
            "page": None if page is None else page.to_dict(),
            "error": response.meta.get("next_rsc_error"),
        }


def main() -> None:
    out, urls = sys.argv[1], sys.argv[2:]
    process = CrawlerProcess(
        settings={
            "DOWNLOADER_MIDDLEWARES": {"next_rsc.scrapy.NextRscMiddleware": 543},
            "FEEDS": {out: {"format": "jsonlines", "encoding": "utf8"}},
            "LOG_LEVEL": "WARNING",
            "ROBOTSTXT_OBEY": False,
            "TELNETCONSOLE_ENABLED": False,
            "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
        }
    )
    process.crawl(FixtureSpider, urls=urls)
    process.start()


if __name__ == "__main__":
    main()
