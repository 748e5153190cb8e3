"""Scrapy extension: write every downloaded HTTP exchange into WARC files as it arrives."""

from __future__ import annotations

import logging
import platform
from collections.abc import Callable, Mapping
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.misc import load_object

import archiver
from archiver.durable import describe, is_storage_error, stop_on_io_error
from archiver.layout import DEFAULT_ROOT, ArchiveLayout, root_from_settings
from archiver.record import CaptureRef
from archiver.warc.exchange import HttpExchange, exchange_from_scrapy
from archiver.warc.revisits import CaptureLog, CaptureLogFactory, decide_revisit, payload_of
from archiver.warc.writer import RotatingWarcWriter, new_record_id, utc_now

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

# Settings, with their defaults. WARC files go to {ARCHIVER_DIR}/warc/{spider.name}/.
SETTINGS_DEFAULTS: dict[str, Any] = {
    # Switch: False disables WARC writing (the extension raises NotConfigured).
    "ARCHIVER_WARC_ENABLED": True,
    # Root directory of the archive; CaptureRef.warc_file is relative to it.
    "ARCHIVER_DIR": DEFAULT_ROOT,
    # A WARC file rolls over once it holds this many bytes (compressed) after an exchange.
    "ARCHIVER_WARC_MAX_SIZE": 1_000_000_000,
    # File name prefix and warcinfo isPartOf; None means the spider name.
    "ARCHIVER_WARC_PREFIX": None,
    # Who runs the crawl (e-mail or URL): warcinfo `operator`, and the User-Agent (add-on).
    "ARCHIVER_CONTACT": "",
    # Address of the offline mirror the crawl used, if any; written to warcinfo `mirror` only.
    "ARCHIVER_MIRROR": "",
    # Callable (or its import path) returning an aware UTC datetime; None: the real clock.
    "ARCHIVER_CLOCK": None,
    # Callable (or its import path) returning "<urn:uuid:...>"; None: uuid4.
    "ARCHIVER_RECORD_ID": None,
    # Callable (or its import path) taking the crawler and returning the CaptureLog that decides
    # revisits and records captures (archiver.warc.revisits), or None. The add-on names the
    # archive index's; None: every response is written in full and nothing is recorded.
    "ARCHIVER_WARC_CAPTURE_LOG": None,
}

META_KEY = "archiver_capture"
"""request.meta key holding the CaptureRef of the response record last written for it."""

_ARCHIVED_SCHEMES = ("http://", "https://")


def warcinfo_fields(
    *, user_agent: str, operator: str, mirror: str, robots_obey: bool
) -> dict[str, str]:
    """The warcinfo fields describing a crawl: software versions, operator, how it fetched."""
    software = f"archiver/{archiver.__version__} " + " ".join(
        f"{name}/{_version(name)}" for name in ("scrapy", "warcio", "twisted")
    )
    software += f" python/{platform.python_version()}"
    return {
        "software": software,
        "operator": operator or "unknown",
        "http-header-user-agent": user_agent,
        "robots": "obey" if robots_obey else "ignore",
        "mirror": mirror or "none",
    }


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


class WarcExtension:
    """Writes each network response (every redirect hop, retry and robots.txt) with its request.

    Hooks `response_downloaded`: it fires before HttpCompressionMiddleware decodes the body and
    never for HttpCache hits. The CaptureRef goes to `request.meta["archiver_capture"]`.
    With a CaptureLog (the archive index), a response whose raw payload equals an earlier
    response of the same URL and status is written as a revisit record of it, and every capture
    is recorded in the log.
    Stats: archiver/warc/{exchanges,records,bytes,files,revisits}, archiver/warc/errors/<Exception>,
    archiver/warc/skipped/<scheme>. A failed write of the file or of the capture log (disk full,
    I/O error) stops the crawl (archiver.durable.stop_on_io_error): reason `io_error`.
    """

    def __init__(
        self,
        *,
        root: Path,
        max_size: int,
        prefix: str | None,
        warcinfo: Mapping[str, str],
        stats: StatsCollector,
        clock: Callable[[], datetime] = utc_now,
        record_id: Callable[[], str] = new_record_id,
        captures: CaptureLog | None = None,
    ) -> None:
        self.captures = captures
        self.root = root
        self.max_size = max_size
        self.prefix = prefix
        self.warcinfo = dict(warcinfo)
        self.stats = stats
        self.clock = clock
        self.record_id = record_id
        self.writer: RotatingWarcWriter | None = None
        self.crawler: Crawler | None = None
        """Set by from_crawler: a failed write (disk full) closes the spider through it."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings

        def get(name: str) -> Any:
            return settings.get(name, SETTINGS_DEFAULTS[name])

        if not settings.getbool(
            "ARCHIVER_WARC_ENABLED", SETTINGS_DEFAULTS["ARCHIVER_WARC_ENABLED"]
        ):
            raise NotConfigured("ARCHIVER_WARC_ENABLED is False")
        assert crawler.stats is not None
        clock_path, id_path = get("ARCHIVER_CLOCK"), get("ARCHIVER_RECORD_ID")
        log_path = get("ARCHIVER_WARC_CAPTURE_LOG")
        log_factory: CaptureLogFactory | None = load_object(log_path) if log_path else None
        extension = cls(
            root=root_from_settings(settings),
            max_size=settings.getint(
                "ARCHIVER_WARC_MAX_SIZE", SETTINGS_DEFAULTS["ARCHIVER_WARC_MAX_SIZE"]
            ),
            prefix=get("ARCHIVER_WARC_PREFIX") or None,
            warcinfo=warcinfo_fields(
                user_agent=str(settings.get("USER_AGENT") or ""),
                operator=str(get("ARCHIVER_CONTACT") or ""),
                mirror=str(get("ARCHIVER_MIRROR") or ""),
                robots_obey=settings.getbool("ROBOTSTXT_OBEY"),
            ),
            stats=crawler.stats,
            clock=load_object(clock_path) if clock_path else utc_now,
            record_id=load_object(id_path) if id_path else new_record_id,
            captures=log_factory(crawler) if log_factory is not None else None,
        )
        extension.crawler = crawler
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        """Start a writer for {root}/warc/{spider.name}/ (files are created on first write)."""
        self.writer = RotatingWarcWriter(
            ArchiveLayout(self.root).warc_dir(spider.name),
            self.prefix or spider.name,
            self.max_size,
            self.warcinfo,
            root=self.root,
            clock=self.clock,
            record_id=self.record_id,
        )

    def response_downloaded(self, response: Response, request: Request) -> None:
        """Write the exchange and store its CaptureRef in request.meta; count, log, never raise.

        Scrapy only logs exceptions from signal handlers, so every failure is counted in stats.
        """
        if not request.url.startswith(_ARCHIVED_SCHEMES):
            scheme = request.url.partition(":")[0]
            self.stats.inc_value(f"archiver/warc/skipped/{scheme}")
            return
        try:
            if self.writer is None:
                raise RuntimeError("WARC writer not started (spider_opened not seen)")
            capture = self._write(self.writer, exchange_from_scrapy(request, response))
        except Exception as exc:
            # A capture from an earlier redirect hop must not pass as this response's.
            request.meta.pop(META_KEY, None)
            self.stats.inc_value(f"archiver/warc/errors/{type(exc).__name__}")
            if is_storage_error(exc) and self.crawler is not None:
                # Disk full or failing: every later write would fail too. Stop, in one line.
                # An OSError is the WARC file's; anything else the capture log's (the index).
                where = self._current_file() if isinstance(exc, OSError) else "capture log"
                stop_on_io_error(self.crawler, exc, where)
            else:
                logger.error("WARC write failed for %s: %r", request.url, exc, exc_info=True)
            return
        request.meta[META_KEY] = capture
        self.stats.inc_value("archiver/warc/exchanges")
        self.stats.inc_value("archiver/warc/records", 2)
        self._update_totals()

    def _write(self, writer: RotatingWarcWriter, exchange: HttpExchange) -> CaptureRef:
        if self.captures is None:
            return writer.write_exchange(exchange)
        payload = payload_of(exchange)
        decision = decide_revisit(self.captures, payload)
        if decision.original is not None:
            capture = writer.write_revisit(exchange, decision.original)
            self.stats.inc_value("archiver/warc/revisits")
        else:
            if decision.refused:
                self.stats.inc_value("archiver/warc/revisits_refused/raw_payload_differs")
            capture = writer.write_exchange(exchange)
        self.captures.record(capture, payload, decision.original)
        return capture

    def spider_closed(self, spider: Spider) -> None:
        """Finish and rename the open WARC file; tell the capture log the files are complete."""
        if self.writer is None:
            return
        try:
            self.writer.close()
        except Exception as exc:
            # The file stays .open: the next crawl's recovery keeps its complete pairs.
            self.stats.inc_value(f"archiver/warc/errors/{type(exc).__name__}")
            logger.error("Closing WARC file failed: %s", describe(exc))
        if self.captures is not None:
            layout = ArchiveLayout(self.root)
            try:
                for path in self.writer.files:
                    self.captures.file_done(layout.relative(path), path.stat().st_size)
            except Exception as exc:
                if not is_storage_error(exc):
                    raise
                # Only costs a re-read of the files at the next start.
                logger.error("index not told the WARC files are complete: %s", describe(exc))
        self._update_totals()

    def _current_file(self) -> str | None:
        writer = self.writer
        return str(writer.last_path) if writer is not None and writer.last_path else None

    def _update_totals(self) -> None:
        assert self.writer is not None
        self.stats.set_value("archiver/warc/bytes", self.writer.bytes_written)
        self.stats.set_value("archiver/warc/files", self.writer.files_opened)
