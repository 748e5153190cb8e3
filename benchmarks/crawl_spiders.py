"""The two reference crawls of `python -m benchmarks.crawl`, and the probe every crawl carries.

python -m benchmarks.crawl_spiders fetch|handwritten --mirror URL --sections S0,S1 --pages N
    --out DIR --probe FILE

`fetch` fetches the synthetic mirror's lists and articles and discards them (the limit of a
Scrapy crawl on this machine); `handwritten` is what a user writes by hand: the same spider
writing each article as a WARC response/request pair with warcio and extracting it with
trafilatura in the callback. Both fetch through the archiver's mirror download handler, as the
archiver does. `CrawlProbe` (an extension, also given to the archiver's crawl) writes the
crawl's own figures as JSON when the engine stops: article pages fetched, seconds from spider
open to close, CPU seconds of the process (and of the children it reaped), peak RSS.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.http import Response

ARTICLE = re.compile(r"/a/\d{6}/\d{2}/WS\w+\.html$")
"""An article page URL of the synthetic mirror (China Daily's form)."""


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def thread_cpu() -> dict[str, float]:
    """CPU seconds of this process's live Python threads by name (Linux /proc; {} elsewhere);
    names differing only by a trailing number (a pool's threads) are summed."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = {}
    for thread in threading.enumerate():
        try:
            stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        name = re.sub(r"[_-]?\d+$", "", re.sub(r" \(.*\)$", "", thread.name))
        found[name] = found.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return found


class CrawlProbe:
    """Counts article responses and writes the crawl's figures to CRAWL_PROBE_FILE at the end."""

    def __init__(self, crawler: Crawler) -> None:
        self.path = Path(crawler.settings.get("CRAWL_PROBE_FILE"))
        self.articles = 0
        self.responses = 0
        self.opened = self.closed = time.monotonic()
        self.threads: dict[str, float] = {}
        self.cpu_opened = _cpu(resource.RUSAGE_SELF)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProbe:
        return cls(crawler)

    def spider_opened(self, spider: Spider) -> None:
        self.opened = time.monotonic()

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        self.responses += 1
        if response.status == 200 and ARTICLE.search(response.url):
            self.articles += 1

    def spider_closed(self, spider: Spider) -> None:
        self.closed = time.monotonic()
        # Before the other components' spider_closed: their threads are still alive.
        self.threads = thread_cpu()

    def engine_stopped(self) -> None:
        # After spider_closed: the extraction pool has been joined, its CPU is in CHILDREN.
        self.path.write_text(
            json.dumps(
                {
                    "articles": self.articles,
                    "responses": self.responses,
                    "seconds": self.closed - self.opened,
                    "cpu_self": _cpu(resource.RUSAGE_SELF),
                    "cpu_children": _cpu(resource.RUSAGE_CHILDREN),
                    "rss_self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                    "rss_children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                    "cpu_threads": self.threads,
                }
            ),
            encoding="utf-8",
        )


class FetchSpider(Spider):
    """Follows the section lists and their pagers, fetches every article, keeps nothing."""

    name = "fetch"

    def __init__(self, sections: str = "", pages: str = "1", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sections = [s for s in sections.split(",") if s]
        self.pages = int(pages)

    async def start(self) -> Any:
        for section in self.sections:
            url = f"https://www.chinadaily.com.cn/{section}/index.html"
            yield Request(url, callback=self.parse_list, cb_kwargs={"depth": 1})

    def parse_list(self, response: Response, depth: int) -> Iterator[Request]:
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if ARTICLE.search(url):
                yield Request(url, callback=self.parse_article)
        if depth < self.pages:
            for href in response.css("#div_currpage a::attr(href)").getall():
                yield Request(
                    response.urljoin(href), callback=self.parse_list, cb_kwargs={"depth": depth + 1}
                )

    def parse_article(self, response: Response) -> Iterator[Any]:
        return iter(())


class HandwrittenSpider(FetchSpider):
    """FetchSpider plus warcio WARC writing and trafilatura extraction in the callback."""

    name = "handwritten"

    def __init__(self, out: str = ".", **kwargs: Any) -> None:
        from warcio.warcwriter import WARCWriter

        super().__init__(**kwargs)
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        self.warc = (folder / "handwritten.warc.gz").open("wb")
        self.lines = (folder / "handwritten.jsonl").open("w", encoding="utf-8")
        self.writer = WARCWriter(self.warc, gzip=True)

    def parse_article(self, response: Response) -> Iterator[Any]:
        import trafilatura
        from warcio.statusandheaders import StatusAndHeaders

        head = StatusAndHeaders(
            f"{response.status} OK", _pairs(response.headers), protocol="HTTP/1.1"
        )
        record = self.writer.create_warc_record(
            response.url,
            "response",
            payload=io.BytesIO(response.body),
            length=len(response.body),
            http_headers=head,
        )
        self.writer.write_record(record)
        request_head = StatusAndHeaders(
            f"GET {response.url}",
            _pairs(response.request.headers),  # type: ignore[union-attr]
            protocol="HTTP/1.1",
        )
        self.writer.write_record(
            self.writer.create_warc_record(response.url, "request", http_headers=request_head)
        )
        extracted = trafilatura.extract(
            response.text, url=response.url, output_format="json", with_metadata=True
        )
        self.lines.write((extracted or "{}").replace("\n", " ") + "\n")
        return iter(())

    def closed(self, reason: str) -> None:
        self.warc.close()
        self.lines.close()


def _pairs(headers: Any) -> list[tuple[str, str]]:
    return [
        (key.decode("latin-1"), value.decode("latin-1"))
        for key, values in headers.items()
        for value in values
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("fetch", "handwritten"))
    parser.add_argument("--mirror", required=True)
    parser.add_argument("--sections", required=True)
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--probe", required=True)
    parser.add_argument("--concurrency", type=int, default=16)
    options = parser.parse_args()
    handler = "archiver.crawl.mirror_handler.MirrorDownloadHandler"
    process = CrawlerProcess(
        {
            "ARCHIVER_MIRROR": options.mirror,
            "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS": options.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": options.concurrency,
            "EXTENSIONS": {"benchmarks.crawl_spiders.CrawlProbe": 0},
            "CRAWL_PROBE_FILE": options.probe,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "INFO",
        }
    )
    spider = FetchSpider if options.kind == "fetch" else HandwrittenSpider
    kwargs = {"sections": options.sections, "pages": str(options.pages)}
    if options.kind == "handwritten":
        kwargs["out"] = options.out
    process.crawl(spider, **kwargs)
    process.start()


if __name__ == "__main__":
    main()
